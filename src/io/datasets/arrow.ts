/**
 * Arrow IPC reader (file format `ARROW1...` / Feather v2, or the stream format), one record batch at a
 * time, through apache-arrow's `RecordBatchReader`.
 *
 * Why random access instead of `readStream`: apache-arrow's JS file writer does not repeat the schema
 * message at the start of a file (the schema lives only in the footer), and its reader buffers a whole
 * file that arrives as a byte stream. So the object is given to the reader as a file handle whose reads
 * go to `storage.readRange` through a read-ahead window: memory holds one window plus one record batch,
 * for both formats, local or S3.
 *
 * Cells: numbers, strings and booleans as they are; Int64 (BigInt) -> number; dates and timestamps
 * (milliseconds since the epoch in apache-arrow) -> ISO-8601 text; decimals -> number (scaled);
 * dictionaries -> their values;
 * lists/structs/maps -> JSON text (issue `nested_value`, once per column).
 */

import { createRequire } from 'node:module';
import { DataType, type Decimal, type RecordBatch, RecordBatchReader, type Schema, util } from 'apache-arrow';
import { AsyncRandomAccessFile } from 'apache-arrow/io/file';
import { InputError } from '../../core/errors.js';
import type { Cell } from '../../core/types.js';
import type { Storage } from '../storage.js';
import { CellConverter } from './cells.js';
import { uniqueColumnNames } from './columns.js';
import { type RowSource, type SourceContext, tooManyColumns } from './source.js';

/** The subset of `fs.promises.FileHandle` that apache-arrow's `AsyncRandomAccessFile` uses. */
interface RandomAccessHandle {
  fd: number;
  stat(): Promise<{ size: number }>;
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number; buffer: Uint8Array }>;
  close(): Promise<void>;
}

/** A file handle over `storage.readRange` that reads ahead in windows of `windowBytes`. */
export class ReadAheadHandle implements RandomAccessHandle {
  readonly fd = -1;
  #window: Uint8Array = new Uint8Array(0);
  #windowStart = 0;
  bytesFetched = 0;

  constructor(
    private readonly storage: Storage,
    private readonly uri: string,
    readonly size: number,
    private readonly windowBytes = 8 * 1024 * 1024,
  ) {}

  async stat(): Promise<{ size: number }> {
    return { size: this.size };
  }

  async read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number; buffer: Uint8Array }> {
    const want = Math.max(0, Math.min(length, this.size - position, buffer.length - offset));
    if (want === 0) return { bytesRead: 0, buffer };
    let start = position - this.#windowStart;
    if (start < 0 || start + want > this.#window.length) {
      const end = Math.min(this.size, position + Math.max(want, this.windowBytes));
      const bytes = await this.storage.readRange(this.uri, position, end);
      if (bytes.length < want) {
        throw new InputError(
          `${this.uri}: object is shorter than expected (read ${position + bytes.length} of ${this.size} bytes)`,
        );
      }
      this.bytesFetched += bytes.length;
      this.#window = bytes;
      this.#windowStart = position;
      start = 0;
    }
    buffer.set(this.#window.subarray(start, start + want), offset);
    return { bytesRead: want, buffer };
  }

  async close(): Promise<void> {
    this.#window = new Uint8Array(0);
  }
}

/**
 * apache-arrow sizes reads from the file's own metadata: `AsyncRandomAccessFile.readAt(position, nBytes)`
 * returns `new Uint8Array(nBytes)` (zeros) when the range runs past the end of the file, so a footer or
 * message header claiming a 2 GB body allocates 2 GB from a 341 KB file. Every `readAt` is checked against
 * the file's size first (once, for the class the readers use): a claim beyond it is an error, which
 * `ArrowSource` reports as a corrupt file.
 */
let readAtChecked = false;
function checkReadsAgainstFileSize(): void {
  if (readAtChecked) return;
  readAtChecked = true;
  const proto = AsyncRandomAccessFile.prototype as unknown as {
    readAt(position: number, nBytes: number): Promise<Uint8Array>;
    size: number;
  };
  // `read(nBytes)` (the stream format's sequential reads) with a negative size from a fuzzed message header
  // moves the position backwards, so the same messages are read again for ever (found by the fuzz test).
  const sequential = AsyncRandomAccessFile.prototype as unknown as {
    read(nBytes?: number): Promise<Uint8Array | null>;
  };
  const read = sequential.read;
  sequential.read = function (this: unknown, nBytes?: number) {
    if (typeof nBytes === 'number' && !(nBytes >= 0))
      return Promise.reject(new RangeError(`metadata claims a read of ${nBytes} bytes`));
    return read.call(this, nBytes);
  };
  // Every vector length in the flatbuffer metadata (fields, children of a field, record batch blocks...)
  // comes from the file: apache-arrow loops over it creating objects, so a fuzzed schema claiming 2^30
  // children of a field ran out of memory from a 45 KB file (found by the fuzz test). An element takes at
  // least one byte, so a length beyond the buffer's size is refused.
  const flatbuffers = createRequire(import.meta.resolve('apache-arrow'))('flatbuffers') as {
    ByteBuffer: { prototype: { __vector_len(offset: number): number; capacity(): number } };
  };
  const byteBuffer = flatbuffers.ByteBuffer.prototype;
  const vectorLength = byteBuffer.__vector_len;
  byteBuffer.__vector_len = function (this: { capacity(): number }, offset: number) {
    const length = vectorLength.call(this, offset);
    if (!(length >= 0 && length <= this.capacity()))
      throw new RangeError(`metadata claims a list of ${length} entries in ${this.capacity()} bytes`);
    return length;
  };
  const readAt = proto.readAt;
  proto.readAt = function (this: { size: number }, position: number, nBytes: number) {
    if (!(position >= 0 && nBytes >= 0 && position + nBytes <= this.size)) {
      return Promise.reject(
        new RangeError(
          `metadata claims ${nBytes} bytes at offset ${position}, beyond the file's ${this.size} bytes`,
        ),
      );
    }
    return readAt.call(this, position, nBytes);
  };
}

/**
 * apache-arrow's file reader loops for ever when a record-batch block of the footer points at a message that
 * is not a record batch (a fuzzed footer or message header: a dictionary batch or a schema there): its
 * `next()` reads the block again and again without advancing, allocating the message body each time (found
 * by tests/unit/hostile-arrow-fuzz.test.ts). A well-formed file reads each of its `numRecordBatches`
 * blocks once, then once more to find the end; more reads than that are refused (once per reader class).
 */
const loopGuarded = new WeakSet<object>();
function guardFileReaderLoop(reader: unknown): void {
  const impl = (reader as { _impl?: { isFile?(): boolean } })._impl;
  if (!impl?.isFile?.()) return;
  const proto = Object.getPrototypeOf(impl) as {
    _readNextMessageAndValidate?: (this: FileReaderState, type?: unknown) => Promise<unknown>;
  };
  if (loopGuarded.has(proto) || typeof proto._readNextMessageAndValidate !== 'function') return;
  loopGuarded.add(proto);
  const readNext = proto._readNextMessageAndValidate;
  proto._readNextMessageAndValidate = function (this: FileReaderState, type?: unknown) {
    this.driftwatchReads = (this.driftwatchReads ?? 0) + 1;
    if (this.driftwatchReads > this.numRecordBatches + 1)
      return Promise.reject(
        new RangeError(
          `the footer's record batch ${this._recordBatchIndex + 1} of ${this.numRecordBatches} is not a record batch message`,
        ),
      );
    return readNext.call(this, type);
  };
}
interface FileReaderState {
  numRecordBatches: number;
  _recordBatchIndex: number;
  driftwatchReads?: number;
}

type BatchIterator = AsyncIterator<RecordBatch>;

/** What `RecordBatchReader.from(fileHandle)` resolves to (file or stream reader over random access). */
interface AsyncBatchReader extends AsyncIterable<RecordBatch> {
  open(): Promise<unknown>;
  readonly schema: Schema | undefined;
}
const openBatchReader = RecordBatchReader.from as unknown as (
  handle: RandomAccessHandle,
) => Promise<AsyncBatchReader>;

export class ArrowSource implements RowSource {
  columns: string[] = [];
  readonly #context: SourceContext;
  readonly #handle: ReadAheadHandle;
  #batches: BatchIterator | undefined;
  #getters: Array<(row: number) => Cell> = [];
  /** One converter per column for the whole object, so each conversion is reported once. */
  #converters: CellConverter[] = [];
  #rowIndex = 0;
  #rowCount = 0;
  #row: Cell[] = [];
  #closed = false;

  private constructor(handle: ReadAheadHandle, context: SourceContext) {
    this.#handle = handle;
    this.#context = context;
  }

  static async open(storage: Storage, size: number, context: SourceContext): Promise<ArrowSource> {
    checkReadsAgainstFileSize();
    const source = new ArrowSource(new ReadAheadHandle(storage, context.uri, size), context);
    if (size === 0) throw new InputError(`${context.uri}: an empty (0-byte) file is not an Arrow file`);
    try {
      const reader = await openBatchReader(source.#handle);
      guardFileReaderLoop(reader);
      await reader.open();
      const schema = reader.schema;
      tooManyColumns(schema?.fields.length ?? 0, context.uri);
      source.columns = uniqueColumnNames(
        schema?.fields.map((f) => f.name) ?? [],
        context.uri,
        context.issues,
      );
      source.#row = new Array<Cell>(source.columns.length).fill(null);
      source.#converters = source.columns.map(
        (column) => new CellConverter(context.issues, context.uri, column),
      );
      source.#batches = reader[Symbol.asyncIterator]();
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(`${context.uri}: not a readable Arrow IPC file: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return source;
  }

  next(): Cell[] | undefined {
    if (this.#rowIndex >= this.#rowCount) return undefined;
    const r = this.#rowIndex++;
    const row = this.#row;
    const getters = this.#getters;
    for (let c = 0; c < getters.length; c++) row[c] = getters[c]!(r);
    return row;
  }

  async fill(): Promise<boolean> {
    if (this.#closed || !this.#batches) return false;
    let result: IteratorResult<RecordBatch>;
    try {
      result = await this.#batches.next();
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(`${this.#context.uri}: corrupt Arrow record batch: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (result.done) {
      this.close();
      return false;
    }
    this.#useBatch(result.value);
    return true;
  }

  #useBatch(batch: RecordBatch): void {
    // A row takes at least one bit of body (a boolean), except all-null columns: a batch claiming more rows
    // than that (1e15 from a fuzzed header) would loop for ever over rows that are not there.
    if (batch.numRows > this.#handle.size * 8 + 1024) {
      throw new InputError(
        `${this.#context.uri}: corrupt Arrow record batch: ${batch.numRows} rows claimed in a ${this.#handle.size}-byte file`,
      );
    }
    this.#rowIndex = 0;
    this.#rowCount = batch.numRows;
    this.#getters = this.#converters.map((converter, c) => {
      const vector = batch.getChildAt(c);
      if (!vector) return () => null;
      const type = vector.type as DataType;
      if (DataType.isDate(type) || DataType.isTimestamp(type)) {
        return (row: number) => {
          const value = vector.get(row) as number | Date | bigint | null;
          if (value === null || value === undefined) return null;
          return converter.convert(value instanceof Date ? value : new Date(Number(value)));
        };
      }
      if (DataType.isDecimal(type)) {
        const scale = (type as Decimal).scale;
        return (row: number) => {
          const value = vector.get(row) as Parameters<typeof util.bigNumToNumber>[0] | null;
          return value === null || value === undefined ? null : util.bigNumToNumber(value, scale);
        };
      }
      if (DataType.isFloat(type) || DataType.isUtf8(type) || DataType.isBool(type)) {
        return (row: number) => (vector.get(row) as Cell) ?? null;
      }
      return (row: number) => converter.convert(vector.get(row));
    });
  }

  bytesRead(): number {
    return this.#handle.bytesFetched;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rowCount = 0;
    void this.#batches?.return?.();
    void this.#handle.close();
  }
}
