/**
 * Streamed dataset readers for baselines: CSV, JSON Lines, Arrow IPC and Parquet, from one object or every
 * data object below a prefix (a Spark/SageMaker dataset split in part files), local or on S3.
 *
 * - `openDataset` resolves the objects and picks the format (objects.ts), then reads what it needs to know
 *   the columns (CSV header, Arrow schema, Parquet footer); `rows()` then streams every row of every object,
 *   each object's columns mapped onto the dataset's.
 * - Memory is bounded by one input chunk (CSV, JSONL; on S3 two 8 MiB ranged parts), one record batch
 *   (Arrow) or one row group or slice of one (Parquet, see parquet.ts), whatever the size of the dataset.
 * - Bad input never throws: it is counted in `options.issues` (ragged rows, duplicate column names,
 *   invalid UTF-8, malformed JSON lines, ...) and reading goes on. What does throw, with one message naming
 *   the file (and line and column where they exist): an object that does not exist or cannot be read at
 *   all (`InputError`), an unknown format (`ConfigError`), a CSV row longer than 64 MiB.
 *
 * Column order: the file's, unchanged. SageMaker's rule that the output (label) columns of a baseline come
 * first (`output_columns_position: START`) is a rule about which column is which, applied by the baseline
 * and the capture code, not here.
 */
import type { Readable } from 'node:stream';
import { ConfigError } from '../../core/errors.js';
import { IssueLog } from '../../core/issues.js';
import type { Cell } from '../../core/types.js';
import { gunzipIfCompressed } from '../gzip.js';
import { isS3Uri, type ObjectInfo, type Storage } from '../storage.js';
import { CsvSource } from './csv.js';
import { ColumnRegistry, JsonlSource } from './jsonl.js';
import { chooseFormat, type DatasetFormat, isGzipped, resolveObjects } from './objects.js';
import { rangedStream } from './ranges.js';
import type { PlainRowTaker, RowSource, SourceContext } from './source.js';

export type { PlainRowTaker } from './source.js';

/** Options of {@link openDataset}. */
export interface DatasetOptions {
  /**
   * Default: from the file extension (.csv, .jsonl/.json/.ndjson, .arrow/.feather/.ipc, .parquet); error if
   * unknown (a `.gz` ending is looked through). CSV and JSONL objects that are gzip-compressed (detected by
   * their first bytes) are gunzipped on the fly.
   */
  format?: DatasetFormat;
  /** CSV only, default true; without a header columns are named _c0, _c1, ... (Spark's names). */
  header?: boolean;
  /** Findings go here (ragged rows, duplicate names, bad UTF-8, malformed JSON lines, ...). */
  issues?: IssueLog;
  /** Called every 100,000 rows and once at the end. */
  onProgress?: (p: { rowsRead: number; bytesRead: number }) => void;
}

/** A dataset opened for streaming: its columns and its rows, read once. */
export interface TabularReader {
  /** Known after open for CSV/Arrow/Parquet; for JSONL grows as new keys appear (appended). */
  columns: string[];
  /**
   * Cells by column index; the array may be reused between rows: callers must not keep it. Missing cells
   * are `null`. Can be iterated once. String cells may be V8 slices of a larger string (CSV: a window of up
   * to 64 KiB of the input) and keep it alive: a consumer that keeps many strings for long (say, as new
   * keys of a frequency table) can store `detachString(cell)` (core/strings.ts) instead.
   *
   * With `take`, the plain rows of CSV objects whose columns are the dataset's own are handed to it as
   * their bytes as they are read (see `PlainRowTaker`), neither decoded nor yielded unless it declines
   * them: a consumer that takes rows sees every row, in order, either way.
   */
  rows(take?: PlainRowTaker): AsyncIterable<Cell[]>;
  /** Bytes read so far, over all objects (for `.gz` objects: decompressed bytes). */
  bytesRead(): number;
}

const PROGRESS_EVERY = 100_000;

/** Opens a dataset (one object, or every data object below a prefix) for streaming its rows. */
export async function openDataset(
  storage: Storage,
  uri: string,
  options: DatasetOptions = {},
): Promise<TabularReader> {
  const objects = await resolveObjects(storage, uri);
  const format = chooseFormat(uri, objects, options.format);
  const reader = new DatasetReader(storage, objects, format, options);
  await reader.open();
  return reader;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Chains the sources of a dataset's objects, mapping each object's columns onto the dataset's. */
class DatasetReader implements TabularReader {
  columns: string[] = [];
  readonly #storage: Storage;
  readonly #objects: readonly ObjectInfo[];
  readonly #format: DatasetFormat;
  readonly #options: DatasetOptions;
  readonly #issues: IssueLog;
  readonly #registry = new ColumnRegistry();
  #next = 0;
  #current: RowSource | undefined;
  /** dataset column -> column of the current object, or -1 (missing); undefined when identical. */
  #mapping: Int32Array | undefined;
  #mapped: Cell[] = [];
  #bytesBefore = 0;
  #rowsRead = 0;
  #iterated = false;
  #finished = false;

  constructor(
    storage: Storage,
    objects: readonly ObjectInfo[],
    format: DatasetFormat,
    options: DatasetOptions,
  ) {
    this.#storage = storage;
    this.#objects = objects;
    this.#format = format;
    this.#options = options;
    this.#issues = options.issues ?? new IssueLog();
  }

  /** Opens objects until the columns are known (empty objects before the first with columns are passed over). */
  async open(): Promise<void> {
    if (this.#format === 'jsonl') {
      this.columns = this.#registry.names;
      return;
    }
    while (this.#next < this.#objects.length) {
      const source = await this.#openObject(this.#objects[this.#next++]!);
      if (source.columns.length > 0) {
        this.columns = [...source.columns];
        this.#current = source;
        this.#offerPlainRows();
        return;
      }
      this.#finishSource(source);
    }
  }

  /**
   * The object's bytes: on S3 in ranged parts (each retried on its own, see `ranges.ts`), locally as a file
   * stream; gunzipped when its bytes are gzip, whatever the name (a corrupt gzip stream is an `InputError`).
   */
  async #readStream(object: ObjectInfo): Promise<Readable> {
    const uri = object.uri;
    const raw = isS3Uri(uri)
      ? rangedStream(this.#storage, uri, object.size)
      : await this.#storage.readStream(uri);
    return gunzipIfCompressed(raw, uri);
  }

  async #openObject(object: ObjectInfo): Promise<RowSource> {
    const context: SourceContext = { uri: object.uri, issues: this.#issues };
    if (isGzipped(object.uri) && (this.#format === 'arrow' || this.#format === 'parquet')) {
      throw new ConfigError(
        `gzip-compressed ${this.#format} objects are not supported (they need random access; Parquet compresses internally)`,
        { file: object.uri, field: 'format' },
      );
    }
    switch (this.#format) {
      case 'csv':
        return CsvSource.open(await this.#readStream(object), context, {
          header: this.#options.header ?? true,
        });
      case 'jsonl':
        return new JsonlSource(await this.#readStream(object), context, this.#registry);
      // Arrow and Parquet readers (and their libraries) are imported when a dataset needs them (issue 15).
      case 'arrow':
        return (await import('./arrow.js')).ArrowSource.open(this.#storage, object.size, context);
      case 'parquet':
        return (await import('./parquet.js')).ParquetSource.open(this.#storage, object.size, context);
      default: {
        const never: never = this.#format;
        throw new ConfigError(`unknown dataset format ${String(never)}`);
      }
    }
  }

  /** Opens the next object and maps its columns onto the dataset's; false when none is left. */
  async #advance(): Promise<boolean> {
    if (this.#next >= this.#objects.length) return false;
    const object = this.#objects[this.#next++]!;
    const source = await this.#openObject(object);
    this.#current = source;
    this.#mapping = this.#format === 'jsonl' ? undefined : this.#mapColumns(object.uri, source.columns);
    this.#offerPlainRows();
    return true;
  }

  #mapColumns(uri: string, fileColumns: readonly string[]): Int32Array | undefined {
    if (fileColumns.length === 0) return undefined; // an empty object: no rows
    if (this.columns.length === 0) {
      this.columns.push(...fileColumns);
      return undefined;
    }
    const same =
      fileColumns.length === this.columns.length && fileColumns.every((name, i) => name === this.columns[i]);
    if (same) return undefined;
    const position = new Map<string, number>();
    for (let i = 0; i < fileColumns.length; i++) position.set(fileColumns[i]!, i);
    const mapping = new Int32Array(this.columns.length);
    const missing: string[] = [];
    this.columns.forEach((name, i) => {
      const at = position.get(name);
      mapping[i] = at ?? -1;
      if (at === undefined) missing.push(name);
    });
    const known = new Set(this.columns);
    const extra = fileColumns.filter((name) => !known.has(name));
    if (missing.length > 0 || extra.length > 0) {
      const list = (names: string[]) =>
        names
          .slice(0, 10)
          .map((n) => JSON.stringify(n))
          .join(', ') + (names.length > 10 ? ', ...' : '');
      this.#issues.add({
        kind: 'column_mismatch',
        source: uri,
        message:
          `columns differ from the first object's` +
          (missing.length > 0 ? `; missing (read as null): ${list(missing)}` : '') +
          (extra.length > 0 ? `; extra (dropped): ${list(extra)}` : ''),
      });
    }
    this.#mapped = new Array<Cell>(this.columns.length).fill(null);
    return mapping;
  }

  #finishSource(source: RowSource): void {
    this.#bytesBefore += source.bytesRead();
    source.close();
  }

  bytesRead(): number {
    return this.#bytesBefore + (this.#current?.bytesRead() ?? 0);
  }

  /** The taker given to `rows()`, counting the rows it takes (undefined: none given). */
  #take: PlainRowTaker | undefined;

  /** Lets the current source hand its plain rows to the taker, when its columns are the dataset's. */
  #offerPlainRows(): void {
    this.#current?.setPlainRowTaker?.(this.#mapping === undefined ? this.#take : undefined);
  }

  #countRow(): void {
    if (++this.#rowsRead % PROGRESS_EVERY === 0)
      this.#options.onProgress?.({ rowsRead: this.#rowsRead, bytesRead: this.bytesRead() });
  }

  #emit(row: Cell[]): IteratorYieldResult<Cell[]> {
    this.#countRow();
    const mapping = this.#mapping;
    if (!mapping) return { done: false, value: row };
    const out = this.#mapped;
    for (let i = 0; i < mapping.length; i++) {
      const at = mapping[i]!;
      out[i] = at < 0 ? null : row[at];
    }
    return { done: false, value: out };
  }

  /** `drained`: the current source's `next()` was just called and returned nothing. */
  async #slowNext(drained: boolean): Promise<IteratorResult<Cell[]>> {
    for (;;) {
      const source = this.#current;
      if (!source) {
        if (this.#finished || !(await this.#advance())) return this.#finish();
        continue;
      }
      if (!drained) {
        const row = source.next();
        if (row) return this.#emit(row);
      }
      drained = false;
      if (!(await source.fill())) {
        this.#finishSource(source);
        this.#current = undefined;
      }
    }
  }

  #finish(): IteratorResult<Cell[]> {
    if (!this.#finished) {
      this.#finished = true;
      this.#options.onProgress?.({ rowsRead: this.#rowsRead, bytesRead: this.bytesRead() });
    }
    return DONE;
  }

  #close(): void {
    this.#finished = true;
    if (this.#current) this.#finishSource(this.#current);
    this.#current = undefined;
  }

  rows(take?: PlainRowTaker): AsyncIterable<Cell[]> {
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<Cell[]> => {
        if (this.#iterated) throw new Error('TabularReader.rows() can be iterated only once');
        this.#iterated = true;
        if (take !== undefined) {
          this.#take = (bytes, start, end) => {
            if (!take(bytes, start, end)) return false;
            this.#countRow();
            return true;
          };
          this.#offerPlainRows();
        }
        return {
          next: (): Promise<IteratorResult<Cell[]>> => {
            // Fast path: a row is already decoded; one resolved promise per row.
            const current = this.#current;
            const row = current?.next();
            if (row) {
              try {
                return Promise.resolve(this.#emit(row));
              } catch (error) {
                return Promise.reject(error);
              }
            }
            return this.#slowNext(current !== undefined).catch((error: unknown) => {
              this.#close();
              throw error;
            });
          },
          return: (): Promise<IteratorResult<Cell[]>> => {
            this.#close();
            return Promise.resolve(DONE);
          },
        };
      },
    };
  }
}
