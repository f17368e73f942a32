/**
 * Parquet reader on hyparquet (pure JS) with the codecs of hyparquet-compressors (snappy, gzip, zstd,
 * brotli, lz4), one row group at a time: memory is bounded by the largest row group, never by the file.
 *
 * Bytes come from `storage.readRange` through hyparquet's `AsyncBuffer`: the footer once, then for each
 * row group the column chunks, which hyparquet coalesces into few range requests (so S3 sees a handful of
 * GETs per row group, not one per page).
 *
 * Cells follow `cells.ts`: numbers/strings/booleans as they are, INT64 -> number, DATE/TIMESTAMP ->
 * ISO-8601 text, unannotated binary -> base64, nested groups (structs, lists, maps) -> JSON text.
 */
import {
  type AsyncBuffer,
  type ColumnData,
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { InputError } from '../../core/errors.js';
import type { Cell } from '../../core/types.js';
import type { Storage } from '../storage.js';
import { CellConverter } from './cells.js';
import { uniqueColumnNames } from './columns.js';
import type { RowSource, SourceContext } from './source.js';

/** hyparquet's view of an object: its size and `slice` by byte range, counting what was fetched. */
function storageAsyncBuffer(
  storage: Storage,
  uri: string,
  size: number,
  counter: { bytes: number },
): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const bytes = await storage.readRange(uri, start, end);
      if (bytes.length < end - start) {
        throw new InputError(
          `${uri}: object is shorter than expected (read ${start + bytes.length} of ${end} bytes)`,
        );
      }
      counter.bytes += bytes.length;
      // hyparquet wants an ArrayBuffer of exactly this range.
      if (
        bytes.byteOffset === 0 &&
        bytes.byteLength === bytes.buffer.byteLength &&
        bytes.buffer instanceof ArrayBuffer
      ) {
        return bytes.buffer;
      }
      return bytes.slice().buffer as ArrayBuffer;
    },
  };
}

/** Values of one column for the rows of the current row group (a typed or plain array). */
type ColumnValues = ArrayLike<unknown>;

export class ParquetSource implements RowSource {
  columns: string[] = [];
  readonly #context: SourceContext;
  readonly #file: AsyncBuffer;
  #metadata: FileMetaData | undefined;
  /** Parquet's own top-level column names, in schema order (before de-duplication). */
  #fileColumns: string[] = [];
  #converters: CellConverter[] = [];
  #group = 0;
  #groupStart = 0;
  #values: ColumnValues[] = [];
  #rowIndex = 0;
  #rowCount = 0;
  #row: Cell[] = [];
  #closed = false;

  readonly #counter: { bytes: number };

  private constructor(file: AsyncBuffer, counter: { bytes: number }, context: SourceContext) {
    this.#file = file;
    this.#counter = counter;
    this.#context = context;
  }

  static async open(storage: Storage, size: number, context: SourceContext): Promise<ParquetSource> {
    const counter = { bytes: 0 };
    const source = new ParquetSource(
      storageAsyncBuffer(storage, context.uri, size, counter),
      counter,
      context,
    );
    if (size === 0) return source; // an empty object: no columns, no rows
    try {
      source.#metadata = await parquetMetadataAsync(source.#file);
      source.#fileColumns = parquetSchema(source.#metadata).children.map((child) => child.element.name);
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(`${context.uri}: not a readable Parquet file: ${(error as Error).message}`, {
        cause: error,
      });
    }
    source.columns = uniqueColumnNames(source.#fileColumns, context.uri, context.issues);
    source.#converters = source.columns.map((name) => new CellConverter(context.issues, context.uri, name));
    source.#row = new Array<Cell>(source.columns.length).fill(null);
    return source;
  }

  next(): Cell[] | undefined {
    if (this.#rowIndex >= this.#rowCount) return undefined;
    const r = this.#rowIndex++;
    const row = this.#row;
    const values = this.#values;
    const converters = this.#converters;
    for (let c = 0; c < values.length; c++) {
      const value = values[c]![r];
      switch (typeof value) {
        case 'number':
        case 'string':
        case 'boolean':
          row[c] = value;
          break;
        default:
          row[c] = converters[c]!.convert(value);
      }
    }
    return row;
  }

  async fill(): Promise<boolean> {
    const metadata = this.#metadata;
    if (this.#closed || !metadata) return false;
    // Skip empty row groups.
    while (
      this.#group < metadata.row_groups.length &&
      Number(metadata.row_groups[this.#group]!.num_rows) === 0
    )
      this.#group++;
    if (this.#group >= metadata.row_groups.length) {
      this.close();
      return false;
    }
    const group = metadata.row_groups[this.#group]!;
    const rows = Number(group.num_rows);
    const start = this.#groupStart;
    const values = await this.#readGroup(metadata, start, rows);
    this.#values = values;
    this.#rowIndex = 0;
    this.#rowCount = rows;
    this.#group++;
    this.#groupStart = start + rows;
    return true;
  }

  /** Reads rows [start, start + rows) (one row group) column by column. */
  async #readGroup(metadata: FileMetaData, start: number, rows: number): Promise<ColumnValues[]> {
    const chunks = new Map<string, ColumnData[]>();
    try {
      await parquetRead({
        file: this.#file,
        metadata,
        rowStart: start,
        rowEnd: start + rows,
        compressors,
        onChunk: (chunk) => {
          let list = chunks.get(chunk.columnName);
          if (!list) {
            list = [];
            chunks.set(chunk.columnName, list);
          }
          list.push(chunk);
        },
      });
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(
        `${this.#context.uri}: cannot decode Parquet row group ${this.#group} (rows ${start}..${start + rows - 1}): ${(error as Error).message}`,
        { cause: error },
      );
    }
    return this.#fileColumns.map((name) => {
      const list = chunks.get(name);
      if (!list || list.length === 0) return new Array<unknown>(rows).fill(null);
      if (list.length === 1 && list[0]!.rowStart === start && list[0]!.columnData.length === rows)
        return list[0]!.columnData;
      // Several pages, or a chunk that starts before the group: place each by its row numbers.
      const out = new Array<unknown>(rows).fill(null);
      for (const chunk of list) {
        const data = chunk.columnData;
        for (let i = 0; i < data.length; i++) {
          const at = chunk.rowStart - start + i;
          if (at >= 0 && at < rows) out[at] = data[i];
        }
      }
      return out;
    });
  }

  bytesRead(): number {
    return this.#counter.bytes;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#values = [];
    this.#rowCount = 0;
  }
}
