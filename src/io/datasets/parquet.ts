/**
 * Parquet reader on hyparquet (pure JS) with the codecs of hyparquet-compressors (snappy, gzip, zstd,
 * brotli, lz4), one row group at a time, never the whole file.
 *
 * Memory: a row group larger than 131,072 rows is read in slices of that many rows when its column chunks
 * have offset indexes (Spark / parquet-mr >= 1.11 and hyparquet-writer write them; pyarrow only with
 * `write_page_index=True`): hyparquet then fetches and decodes just the pages of each slice. Without
 * offset indexes the unit is the whole row group (decoded values of every column for all its rows), since
 * slicing would re-read the column chunks once per slice: files written with one huge row group and no
 * page index cost memory in proportion to that row group.
 *
 * Bytes come from `storage.readRange` through hyparquet's `AsyncBuffer`: the footer once, then for each
 * row group (or slice) the column chunks, which hyparquet coalesces into few range requests.
 *
 * Cells follow `cells.ts`: numbers/strings/booleans as they are, INT64 -> number, DATE/TIMESTAMP ->
 * ISO-8601 text, unannotated binary -> base64, nested groups (structs, lists, maps) -> JSON text.
 */
import {
  type AsyncBuffer,
  type ColumnData,
  type FileMetaData,
  parquetMetadataAsync,
  parquetSchema,
} from 'hyparquet';
import { InputError } from '../../core/errors.js';
import type { Cell } from '../../core/types.js';
import type { Storage } from '../storage.js';
import { CellConverter } from './cells.js';
import { uniqueColumnNames } from './columns.js';
import { ParquetDecoder } from './parquet-decoder.js';
import { type RowSource, type SourceContext, tooManyColumns } from './source.js';

/**
 * The most rows a Parquet file may claim per byte of its size. Even an all-null column costs a page header
 * per page of at most ~20k values, so real files stay far below; a footer claiming more (2e9 rows in 118 KB)
 * is refused before any array is sized from it.
 */
export const MAX_PARQUET_ROWS_PER_BYTE = 256;

/** Row counts from the footer, checked against the file's size before anything is allocated from them. */
export function checkRowCounts(metadata: FileMetaData, size: number, uri: string): void {
  let total = 0;
  for (const [i, group] of metadata.row_groups.entries()) {
    const rows = Number(group.num_rows);
    if (!Number.isSafeInteger(rows) || rows < 0)
      throw new InputError(
        `${uri}: Parquet row group ${i} claims an invalid row count (${String(group.num_rows)})`,
      );
    total += rows;
  }
  if (total > size * MAX_PARQUET_ROWS_PER_BYTE)
    throw new InputError(
      `${uri}: the Parquet footer claims ${total} rows in a ${size}-byte file (more than ${MAX_PARQUET_ROWS_PER_BYTE} rows per byte): corrupt or hostile metadata`,
    );
}

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

function ambiguousColumns(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
  }
  return repeated;
}

export interface ParquetSourceOptions {
  /** Rows per slice of a large row group that has offset indexes (default 131,072). */
  sliceRows?: number;
  /** Fixed part of the decode watchdog's budget per row group or slice, ms (default 10 s; parquet-decoder.ts). */
  decodeBudgetBaseMs?: number;
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
  /** Names that several top-level columns share (hyparquet hands out column data by name). */
  #ambiguous: ReadonlySet<string> = new Set();
  /** Row groups are read whole, or in slices of this many rows when they are larger and have offset indexes. */
  readonly #sliceRows: number;
  #group = 0;
  /** Index in the file of the first row of the current row group. */
  #groupStart = 0;
  /** Rows of the current row group already read. */
  #offsetInGroup = 0;
  #values: ColumnValues[] = [];
  #rowIndex = 0;
  #rowCount = 0;
  #row: Cell[] = [];
  #closed = false;

  readonly #counter: { bytes: number };
  #decoder: ParquetDecoder | undefined;
  #decodeBudgetBaseMs: number | undefined;

  private constructor(
    file: AsyncBuffer,
    counter: { bytes: number },
    context: SourceContext,
    sliceRows: number,
  ) {
    this.#file = file;
    this.#sliceRows = sliceRows;
    this.#counter = counter;
    this.#context = context;
  }

  static async open(
    storage: Storage,
    size: number,
    context: SourceContext,
    options: ParquetSourceOptions = {},
  ): Promise<ParquetSource> {
    const counter = { bytes: 0 };
    const file = storageAsyncBuffer(storage, context.uri, size, counter);
    const source = new ParquetSource(file, counter, context, options.sliceRows ?? 131_072);
    source.#decodeBudgetBaseMs = options.decodeBudgetBaseMs;
    if (size === 0) throw new InputError(`${context.uri}: an empty (0-byte) file is not a Parquet file`);
    try {
      source.#metadata = await parquetMetadataAsync(source.#file);
      checkRowCounts(source.#metadata, size, context.uri);
      const children = parquetSchema(source.#metadata).children;
      tooManyColumns(children.length, context.uri);
      source.#fileColumns = children.map((child) => child.element.name);
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(`${context.uri}: not a readable Parquet file: ${(error as Error).message}`, {
        cause: error,
      });
    }
    source.columns = uniqueColumnNames(source.#fileColumns, context.uri, context.issues);
    source.#ambiguous = ambiguousColumns(source.#fileColumns);
    for (const name of source.#ambiguous) {
      context.issues.add({
        kind: 'unreadable_column',
        source: context.uri,
        column: name,
        message: `several Parquet columns are named ${JSON.stringify(name)}: hyparquet cannot tell their values apart, so they are read as missing`,
      });
    }
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
    const groups = metadata.row_groups;
    // Past the end of the current row group: move to the next one with rows.
    while (this.#group < groups.length && this.#offsetInGroup >= Number(groups[this.#group]!.num_rows)) {
      this.#groupStart += Number(groups[this.#group]!.num_rows);
      this.#group++;
      this.#offsetInGroup = 0;
    }
    if (this.#group >= groups.length) {
      this.close();
      return false;
    }
    const group = groups[this.#group]!;
    const groupRows = Number(group.num_rows);
    // A large row group is read in slices when every column chunk has an offset index (hyparquet then
    // fetches and decodes only the pages of the slice); without one a slice would re-read the whole chunk.
    const sliceable =
      groupRows > this.#sliceRows &&
      group.columns.every(
        (chunk) => chunk.offset_index_offset !== undefined && Boolean(chunk.offset_index_length),
      );
    const start = this.#groupStart + this.#offsetInGroup;
    const rows = sliceable
      ? Math.min(this.#sliceRows, groupRows - this.#offsetInGroup)
      : groupRows - this.#offsetInGroup;
    this.#values = [];
    this.#values = await this.#readRows(metadata, start, rows, sliceable);
    this.#rowIndex = 0;
    this.#rowCount = rows;
    this.#offsetInGroup += rows;
    return true;
  }

  /** Reads rows [start, start + rows) (a row group or a slice of one), column by column. */
  async #readRows(
    metadata: FileMetaData,
    start: number,
    rows: number,
    useOffsetIndex: boolean,
  ): Promise<ColumnValues[]> {
    const chunks = new Map<string, ColumnData[]>();
    this.#decoder ??= new ParquetDecoder(this.#context.uri, this.#file, metadata, this.#decodeBudgetBaseMs);
    const what = `row group ${this.#group} (rows ${start}..${start + rows - 1})`;
    try {
      for (const chunk of await this.#decoder.read({
        rowStart: start,
        rowEnd: start + rows,
        useOffsetIndex,
        what,
      })) {
        let list = chunks.get(chunk.columnName);
        if (!list) {
          list = [];
          chunks.set(chunk.columnName, list);
        }
        list.push(chunk);
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(
        `${this.#context.uri}: cannot decode Parquet ${what}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return this.#fileColumns.map((name) => {
      const list = this.#ambiguous.has(name) ? undefined : chunks.get(name);
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
    this.#decoder?.close();
    this.#values = [];
    this.#rowCount = 0;
  }
}
