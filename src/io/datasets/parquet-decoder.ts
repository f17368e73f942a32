/**
 * Parquet pages are decoded in a worker thread under a watchdog (issue 16): hyparquet's RLE/bit-packed
 * decoder trusts run headers, and a corrupt run (a zero-width bit-packed run claiming ~2^34 values, an RLE
 * run of 2^31) loops billions of times in one synchronous call, which nothing on the calling thread can
 * interrupt. The thread runs `parquetRead` for one row group (or slice) at a time; the bytes it needs are
 * still read on the calling thread (through `storage.readRange`, as before) and handed over on request,
 * and the decoded column chunks come back by message. While the thread computes (no byte request
 * outstanding) a timer runs; when it exceeds {@link decodeBudgetMs} for the bytes handed over so far the
 * thread is terminated and the read fails with an InputError naming the file.
 *
 * The thread's code is evaluated from a string (it imports hyparquet by absolute URL), so the same code runs
 * from the build and from the TypeScript sources (tests).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { AsyncBuffer, ColumnData, FileMetaData } from 'hyparquet';
import { InputError } from '../../core/errors.js';

/** Fixed part of the decode budget of one row group or slice (ms of computing without byte requests). */
export const DECODE_BUDGET_BASE_MS = 10_000;
/** Per-byte part of the decode budget: 1 ms per kilobyte handed to the thread (1 s per MB). */
export const DECODE_BUDGET_MS_PER_BYTE = 1 / 1024;

/** The time a decode may compute without asking for bytes, after `bytes` bytes were handed over. */
export function decodeBudgetMs(bytes: number, baseMs = DECODE_BUDGET_BASE_MS): number {
  return baseMs + bytes * DECODE_BUDGET_MS_PER_BYTE;
}

const require = createRequire(import.meta.url);

const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { parquetRead } = await import(workerData.hyparquet);
  const { compressors } = await import(workerData.compressors);
  const pending = new Map();
  let nextId = 0;
  const file = {
    byteLength: workerData.size,
    slice(start, end = workerData.size) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        parentPort.postMessage({ type: 'slice', id, start, end });
      });
    },
  };
  parentPort.on('message', async (message) => {
    if (message.type === 'bytes') {
      const p = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) p.reject(new Error(message.error));
      else p.resolve(message.buffer);
      return;
    }
    if (message.type !== 'read') return;
    const chunks = [];
    try {
      await parquetRead({
        file,
        metadata: workerData.metadata,
        rowStart: message.rowStart,
        rowEnd: message.rowEnd,
        useOffsetIndex: message.useOffsetIndex,
        compressors,
        onChunk: (chunk) => chunks.push(chunk),
      });
      // Compact forms cost far less to pass than a structured clone of an array of numbers or strings:
      // numbers (and nulls) as a Float64Array (+ null mask), strings (and nulls) as a dictionary + codes.
      const transfer = [];
      for (const chunk of chunks) {
        const data = chunk.columnData;
        if (!Array.isArray(data)) continue;
        const n = data.length;
        let kind = n > 0 ? 'num' : '';
        for (let i = 0; i < n && kind === 'num'; i++) {
          const v = data[i];
          if (typeof v !== 'number' && v !== null) kind = typeof v === 'string' ? 'str' : '';
        }
        if (kind === 'num') {
          const values = new Float64Array(n);
          let nulls;
          for (let i = 0; i < n; i++) {
            const v = data[i];
            if (v === null) (nulls ??= new Uint8Array(n))[i] = 1;
            else values[i] = v;
          }
          chunk.columnData = { packed: 'num', values, nulls };
          transfer.push(values.buffer);
          if (nulls) transfer.push(nulls.buffer);
        } else if (kind === 'str') {
          const codes = new Int32Array(n);
          const index = new Map();
          const dict = [];
          let ok = true;
          for (let i = 0; i < n; i++) {
            const v = data[i];
            if (v === null) { codes[i] = -1; continue; }
            if (typeof v !== 'string') { ok = false; break; }
            let code = index.get(v);
            if (code === undefined) {
              if (dict.length >= 65536) { ok = false; break; }
              code = dict.length;
              dict.push(v);
              index.set(v, code);
            }
            codes[i] = code;
          }
          if (ok) {
            chunk.columnData = { packed: 'str', dict, codes };
            transfer.push(codes.buffer);
          }
        }
      }
      parentPort.postMessage({ type: 'done', chunks }, transfer);
    } catch (error) {
      parentPort.postMessage({ type: 'error', message: String(error && error.message || error) });
    }
  });
  parentPort.postMessage({ type: 'ready' });
})().catch((error) => parentPort.postMessage({ type: 'error', message: String(error && error.message || error) }));
`;

type FromThread =
  | { type: 'ready' }
  | { type: 'slice'; id: number; start: number; end: number }
  | { type: 'done'; chunks: ColumnData[] }
  | { type: 'error'; message: string };

/** A column chunk's values as the thread packed them (see THREAD_SOURCE). */
type Packed =
  | { packed: 'num'; values: Float64Array; nulls: Uint8Array | undefined }
  | { packed: 'str'; dict: string[]; codes: Int32Array };

/** Back to the plain array hyparquet produced (numbers, strings and nulls as they were). */
function unpack(chunk: ColumnData): ColumnData {
  const data = chunk.columnData as unknown as Packed | ColumnData['columnData'];
  if (!('packed' in data)) return chunk;
  let out: unknown[];
  if (data.packed === 'num') {
    const { values, nulls } = data;
    out = new Array<unknown>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = nulls?.[i] ? null : values[i];
  } else {
    const { dict, codes } = data;
    out = new Array<unknown>(codes.length);
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      out[i] = code < 0 ? null : dict[code];
    }
  }
  return { ...chunk, columnData: out as ColumnData['columnData'] };
}

export interface DecodeRequest {
  rowStart: number;
  rowEnd: number;
  useOffsetIndex: boolean;
  /** What the read is, for messages ("row group 0 (rows 0..1999)"). */
  what: string;
}

/** One decoding thread for one Parquet file; reads are sequential (one at a time). */
export class ParquetDecoder {
  readonly #uri: string;
  readonly #file: AsyncBuffer;
  readonly #metadata: FileMetaData;
  readonly #baseMs: number;
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  #onMessage: ((message: FromThread) => void) | undefined;
  #onFailure: ((error: Error) => void) | undefined;

  constructor(uri: string, file: AsyncBuffer, metadata: FileMetaData, baseMs = DECODE_BUDGET_BASE_MS) {
    this.#uri = uri;
    this.#file = file;
    this.#metadata = metadata;
    this.#baseMs = baseMs;
  }

  #start(): Promise<void> {
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      // The thread's heap gets the limit of the process's own (--max-old-space-size applies to both).
      resourceLimits: { maxOldGenerationSizeMb: Math.ceil(getHeapStatistics().heap_size_limit / 2 ** 20) },
      workerData: {
        hyparquet: pathToFileURL(require.resolve('hyparquet')).href,
        compressors: pathToFileURL(require.resolve('hyparquet-compressors')).href,
        size: this.#file.byteLength,
        metadata: this.#metadata,
      },
    });
    worker.unref();
    this.#worker = worker;
    // Events of a thread that was replaced (terminated by the watchdog) are ignored.
    worker.on('message', (message: FromThread) => {
      if (this.#worker === worker) this.#onMessage?.(message);
    });
    worker.on('error', (error) => {
      if (this.#worker === worker) this.#onFailure?.(error);
    });
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#onFailure?.(new Error(`decoding thread exited with code ${code}`));
    });
    return new Promise<void>((resolve, reject) => {
      this.#onMessage = (message) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'error') reject(new Error(message.message));
      };
      this.#onFailure = reject;
    });
  }

  /** Decodes rows [rowStart, rowEnd) in the thread; the column chunks hyparquet produced. */
  async read(request: DecodeRequest): Promise<ColumnData[]> {
    this.#ready ??= this.#start();
    await this.#ready;
    const worker = this.#worker!;
    return new Promise<ColumnData[]>((resolve, reject) => {
      let bytes = 0;
      let outstanding = 0;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (error: Error | undefined, chunks?: ColumnData[]) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#onMessage = undefined;
        this.#onFailure = undefined;
        if (error) reject(error);
        else resolve(chunks!);
      };
      const arm = () => {
        clearTimeout(timer);
        const budget = decodeBudgetMs(bytes, this.#baseMs);
        timer = setTimeout(() => {
          this.close();
          finish(
            new InputError(
              `${this.#uri}: Parquet ${request.what} did not decode within ${Math.round(budget)} ms for ${bytes} bytes (corrupt page data: a run-length or bit-packed run claiming billions of values?)`,
            ),
          );
        }, budget);
      };
      this.#onFailure = (error) => {
        this.#worker = undefined;
        this.#ready = undefined;
        finish(error);
      };
      this.#onMessage = (message) => {
        if (message.type === 'done') finish(undefined, message.chunks.map(unpack));
        else if (message.type === 'error') finish(new Error(message.message));
        else if (message.type === 'slice') {
          outstanding++;
          clearTimeout(timer);
          Promise.resolve(this.#file.slice(message.start, message.end)).then(
            (buffer) => {
              outstanding--;
              bytes += buffer.byteLength;
              if (settled) return;
              // Copied, not transferred: the buffer may be shared with the storage layer.
              worker.postMessage({ type: 'bytes', id: message.id, buffer });
              if (outstanding === 0) arm();
            },
            (error: Error) => {
              outstanding--;
              // A storage failure is the read's failure, whatever the thread does with it.
              this.close();
              finish(error);
            },
          );
        }
      };
      arm();
      worker.postMessage({ type: 'read', ...request });
    });
  }

  close(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#ready = undefined;
    this.#onFailure = undefined;
    if (worker) void worker.terminate();
  }
}
