/**
 * Reading a capture object's records (see `records.ts` for one line): streamed line by line, filtered on the
 * time window, in batches. `readCaptureEntries` also hands over plain CSV records as where their payloads
 * lie in the bytes read (`PlainCsvRow`), for a consumer that profiles them without building a record.
 */
import { IssueLog } from '../core/issues.js';
import type { Window } from '../core/types.js';
import { gunzipIfCompressed } from '../io/gzip.js';
import { readLineBatches, reportLineProblems } from '../io/lines.js';
import type { Storage } from '../io/storage.js';
import {
  type CaptureRecord,
  parseCaptureLineAsJson,
  parseUtcTime,
  recordOfMatch,
  SAGEMAKER_LINE,
} from './records.js';

/** Options of {@link readCaptureRecords}. */
export interface ReadCaptureOptions {
  /** Keep only records with `start <= inferenceTime < end`. */
  window?: Window;
  issues: IssueLog;
  /** Longer lines are counted as `line_too_long` and skipped. Default 16 MiB. */
  maxLineBytes?: number;
}

/** Where a plain CSV record's payloads lie in the bytes read (see `PlainCsvRow`). */
export interface PlainCsvPayloads {
  readonly bytes: Buffer;
  readonly inputStart: number;
  readonly inputEnd: number;
  readonly outputStart: number;
  readonly outputEnd: number;
}

/**
 * Takes a plain CSV row: true when taken, false to have its record built. It must not keep `row`: the
 * reader may hand the same object over again, for the next line.
 */
export type PlainCsvTaker = (row: PlainCsvPayloads) => boolean;

/**
 * A record whose line is in SageMaker's own shape (`SAGEMAKER_LINE`'s key order, no whitespace) with every
 * JSON string plain printable ASCII (no escape but a final `\n` of each payload), CSV on both sides, each
 * payload one non-empty line, its time valid and inside the window: yielded by `readCaptureEntries` in place
 * of its record, as where its payloads' bytes lie in the line (line ends trimmed, as the row builder trims
 * them). `record()` builds the record (counting nothing: such a line has no problem to count) for a
 * consumer that declines the row. Any other line is decoded and read as a record, which profiles the same.
 */
export class PlainCsvRow implements PlainCsvPayloads {
  constructor(
    /** The bytes holding the line (ASCII between the offsets below). */
    readonly bytes: Buffer,
    readonly lineStart: number,
    readonly lineEnd: number,
    readonly inputStart: number,
    readonly inputEnd: number,
    readonly outputStart: number,
    readonly outputEnd: number,
    readonly source: string,
    readonly lineNumber: number,
  ) {}

  record(): CaptureRecord {
    const m = SAGEMAKER_LINE.exec(this.bytes.toString('latin1', this.lineStart, this.lineEnd))!;
    return recordOfMatch(m, this.source, this.lineNumber, new IssueLog())!;
  }
}

/** A fixed part of a line: its bytes, and its first bytes as little-endian 32-bit words. */
interface Literal {
  bytes: Uint8Array;
  words: Int32Array;
}

function literal(text: string): Literal {
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const words = Int32Array.from({ length: bytes.length >> 2 }, (_, k) => view.getInt32(k * 4, true));
  return { bytes, words };
}

// The fixed parts of a SageMaker line (see SAGEMAKER_LINE), between its JSON strings' contents.
const LINE_START = literal('{"captureData":{"endpointInput":{"observedContentType":"');
const MODE = literal('","mode":"');
const DATA = literal('","data":"');
const INPUT_END = literal('","encoding":"CSV"},"endpointOutput":{"observedContentType":"');
const OUTPUT_END = literal('","encoding":"CSV"}},"eventMetadata":{"eventId":"');
const INFERENCE_ID = literal('","inferenceId":"');
const INFERENCE_TIME = literal('","inferenceTime":"');
const EVENT_VERSION = literal('"},"eventVersion":"');
const LINE_END = literal('"}');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

// The bytes being matched, read four at a time through `view` (`literalAt`, `skipPlain`): set for a line's
// bytes by `useView` before they are matched, kept while the chunk is the same.
let viewed: Buffer | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(4));

function useView(bytes: Buffer): void {
  if (bytes === viewed) return;
  viewed = bytes;
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The offset past `literal` when `bytes` holds it at `at`, else -1 (compared four bytes at a time). */
function literalAt(bytes: Buffer, at: number, end: number, { bytes: expected, words }: Literal): number {
  const n = expected.length;
  if (at < 0 || at + n > end) return -1;
  let i = 0;
  for (let k = 0; k < words.length; k++, i += 4) if (view.getInt32(at + i, true) !== words[k]) return -1;
  for (; i < n; i++) if (bytes[at + i] !== expected[i]) return -1;
  return at + n;
}

/**
 * Non-zero when one of the four bytes of `x` may be a quote, a backslash, a control character or past
 * ASCII (and for some words with none: those are then looked at byte by byte); zero when it holds none.
 */
function mayBeSpecial(x: number): number {
  const quote = x ^ 0x22222222;
  const backslash = x ^ 0x5c5c5c5c;
  return (
    (((quote - 0x01010101) & ~quote) |
      ((backslash - 0x01010101) & ~backslash) |
      ((x - 0x20202020) & ~x) |
      x) &
    0x80808080
  );
}

/** The offset of the first byte from `at` that `mayBeSpecial` flags, or `end` (words read while 4 fit). */
function skipPlain(at: number, end: number): number {
  while (at + 4 <= end && mayBeSpecial(view.getInt32(at, true)) === 0) at += 4;
  return at;
}

/** The offset of the quote closing a JSON string's contents of plain printable ASCII from `at`, else -1. */
function plainStringEnd(bytes: Buffer, at: number, end: number): number {
  if (at < 0) return -1;
  for (;;) {
    at = skipPlain(at, end);
    const stop = Math.min(at + 4, end);
    for (; at < stop; at++) {
      const c = bytes[at]!;
      if (c === QUOTE) return at;
      if (c === BACKSLASH || c < 0x20 || c > 0x7f) return -1;
    }
    if (at >= end) return -1;
  }
}

/** Where a matched payload's data ends, its final `\n` left out (set by `dataEnd`). */
let payloadEnd = 0;

/**
 * The offset of the quote closing a CSV payload's data from `at`: plain printable ASCII, non-empty, with
 * at most a final `\n` escape (trimmed: `payloadEnd`); else -1.
 */
function dataEnd(bytes: Buffer, at: number, end: number): number {
  if (at < 0) return -1;
  const first = at;
  for (;;) {
    at = skipPlain(at, end);
    const stop = Math.min(at + 4, end);
    for (; at < stop; at++) {
      const c = bytes[at]!;
      if (c === QUOTE) {
        payloadEnd = at;
        return at > first ? at : -1;
      }
      if (c === BACKSLASH) {
        if (bytes[at + 1] !== 0x6e || bytes[at + 2] !== QUOTE) return -1;
        payloadEnd = at;
        return at > first ? at + 2 : -1;
      }
      if (c < 0x20 || c > 0x7f) return -1;
    }
    if (at >= end) return -1;
  }
}

// Consecutive records usually share their timestamp: the last one's bytes and milliseconds.
const lastTime = new Uint8Array(40);
let lastTimeLength = -1;
let lastTimeMs = Number.NaN;

/** `parseUtcTime` of the ASCII time `bytes[start…end)`. */
function timeAt(bytes: Buffer, start: number, end: number): number {
  const n = end - start;
  if (n === lastTimeLength) {
    let i = 0;
    while (i < n && bytes[start + i] === lastTime[i]) i++;
    if (i === n) return lastTimeMs;
  }
  lastTimeMs = parseUtcTime(bytes.toString('latin1', start, end));
  if (n <= lastTime.length) {
    lastTime.set(bytes.subarray(start, end));
    lastTimeLength = n;
  } else lastTimeLength = -1;
  return lastTimeMs;
}

const NOT_PLAIN = 0;
const PLAIN = 1;
const OUTSIDE = 2;

/** A `PlainCsvPayloads` that `matchPlainCsv` fills (one per reader, reused line after line). */
type MatchedPayloads = { -readonly [K in keyof PlainCsvPayloads]: PlainCsvPayloads[K] };

/**
 * Whether the line `bytes[start…end)` is a plain CSV record (see `PlainCsvRow` for the rules; its payloads
 * then in `out`): PLAIN, OUTSIDE when it is one whose time is outside `[startMs, endMs)`, else NOT_PLAIN
 * (the line is read as a record).
 */
function matchPlainCsv(
  bytes: Buffer,
  start: number,
  end: number,
  startMs: number,
  endMs: number,
  out: MatchedPayloads,
): number {
  useView(bytes);
  let at = literalAt(bytes, start, end, LINE_START);
  at = literalAt(bytes, plainStringEnd(bytes, at, end), end, MODE);
  at = literalAt(bytes, plainStringEnd(bytes, at, end), end, DATA);
  const inputStart = at;
  at = literalAt(bytes, dataEnd(bytes, at, end), end, INPUT_END);
  const inputEnd = payloadEnd;
  at = literalAt(bytes, plainStringEnd(bytes, at, end), end, MODE);
  at = literalAt(bytes, plainStringEnd(bytes, at, end), end, DATA);
  const outputStart = at;
  at = literalAt(bytes, dataEnd(bytes, at, end), end, OUTPUT_END);
  const outputEnd = payloadEnd;
  at = plainStringEnd(bytes, at, end);
  if (at < 0) return NOT_PLAIN;
  const id = literalAt(bytes, at, end, INFERENCE_ID);
  if (id !== -1) at = plainStringEnd(bytes, id, end);
  const timeStart = literalAt(bytes, at, end, INFERENCE_TIME);
  const timeEnd = plainStringEnd(bytes, timeStart, end);
  at = literalAt(
    bytes,
    plainStringEnd(bytes, literalAt(bytes, timeEnd, end, EVENT_VERSION), end),
    end,
    LINE_END,
  );
  if (at !== end) return NOT_PLAIN;
  const ms = timeAt(bytes, timeStart, timeEnd);
  if (Number.isNaN(ms)) return NOT_PLAIN;
  // The record's Date holds the same milliseconds, compared as readCaptureBatches compares them.
  if (ms < startMs || ms >= endMs) return OUTSIDE;
  out.bytes = bytes;
  out.inputStart = inputStart;
  out.inputEnd = inputEnd;
  out.outputStart = outputStart;
  out.outputEnd = outputEnd;
  return PLAIN;
}

/**
 * The records of one capture object, streamed: one array per chunk read, so a hot loop pays one async
 * step per chunk instead of one per record (prefer this to `readCaptureRecords` when throughput matters).
 * With a window, records whose `inferenceTime` is outside `[start, end)` are tallied as `outside_window`,
 * and records without a valid `inferenceTime` are counted as `invalid_inference_time`; neither is yielded.
 * Throws `InputError` when the object cannot be read at all.
 */
export function readCaptureBatches(
  storage: Storage,
  objectUri: string,
  options: ReadCaptureOptions,
): AsyncIterable<CaptureRecord[]> {
  return readEntries(storage, objectUri, options, false) as AsyncIterable<CaptureRecord[]>;
}

/**
 * `readCaptureBatches`, with plain CSV records as `PlainCsvRow`s (no record built, the line not even
 * decoded), in their place in the object's order; the same issues, counted at the same points. With
 * `take`, a plain CSV record that no line read before it waits for (nothing left in the batch being read)
 * is handed to `take` as it is read, and not yielded (one `PlainCsvPayloads` object, reused; none made per
 * line); a declined one is built and yielded as a record. So the consumer sees every record in the object's
 * order either way, and counts those `take` took itself.
 */
export function readCaptureEntries(
  storage: Storage,
  objectUri: string,
  options: ReadCaptureOptions,
  take?: PlainCsvTaker,
): AsyncIterable<Array<CaptureRecord | PlainCsvRow>> {
  return readEntries(storage, objectUri, options, true, take);
}

async function* readEntries(
  storage: Storage,
  objectUri: string,
  options: ReadCaptureOptions,
  plain: boolean,
  take?: PlainCsvTaker,
): AsyncIterable<Array<CaptureRecord | PlainCsvRow>> {
  const { issues, window } = options;
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  const startMs = window ? window.start.getTime() : Number.NEGATIVE_INFINITY;
  const endMs = window ? window.end.getTime() : Number.POSITIVE_INFINITY;
  // Users copy capture files gzipped (`.jsonl.gz`, or gzip kept under `.jsonl`): read through, by magic bytes.
  const stream = gunzipIfCompressed(await storage.readStream(objectUri), objectUri);
  let outside = 0;
  // Plain CSV lines are taken from their bytes, before they are decoded (see PlainCsvRow): handed to `take`
  // at once while no line read before them waits in the batch (one object for all of them), else yielded.
  const payloads: MatchedPayloads = {
    bytes: Buffer.alloc(0),
    inputStart: 0,
    inputEnd: 0,
    outputStart: 0,
    outputEnd: 0,
  };
  const raw = (
    bytes: Buffer,
    start: number,
    end: number,
    lineNumber: number,
    waiting: number,
  ): PlainCsvRow | null | undefined => {
    const kind = matchPlainCsv(bytes, start, end, startMs, endMs, payloads);
    if (kind === NOT_PLAIN) return undefined;
    if (kind === OUTSIDE) {
      outside++;
      return null;
    }
    if (waiting === 0 && take !== undefined) return take(payloads) ? null : undefined;
    const { inputStart, inputEnd, outputStart, outputEnd } = payloads;
    return new PlainCsvRow(
      bytes,
      start,
      end,
      inputStart,
      inputEnd,
      outputStart,
      outputEnd,
      objectUri,
      lineNumber,
    );
  };
  try {
    for await (const lines of plain
      ? readLineBatches(stream, { maxLineBytes }, raw)
      : readLineBatches(stream, { maxLineBytes })) {
      const records: Array<CaptureRecord | PlainCsvRow> = [];
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line instanceof PlainCsvRow) {
          records.push(line);
          continue;
        }
        if (reportLineProblems(line, objectUri, maxLineBytes, issues)) continue;
        const m = SAGEMAKER_LINE.exec(line.text);
        const record =
          m === null
            ? parseCaptureLineAsJson(line.text, objectUri, line.lineNumber, issues)
            : recordOfMatch(m, objectUri, line.lineNumber, issues);
        if (record === undefined) continue;
        if (window) {
          const time = record.inferenceTime;
          if (time === undefined) {
            issues.add({
              kind: 'invalid_inference_time',
              source: objectUri,
              line: line.lineNumber,
              message: 'no valid eventMetadata.inferenceTime: cannot place the record in the window',
            });
            continue;
          }
          const ms = time.getTime();
          if (ms < startMs || ms >= endMs) {
            outside++;
            continue;
          }
        }
        records.push(record);
      }
      if (records.length > 0) yield records;
    }
  } finally {
    issues.tally('outside_window', outside);
    stream.destroy();
  }
}

/** The records of one capture object, one at a time (see `readCaptureBatches` for the rules). */
export async function* readCaptureRecords(
  storage: Storage,
  objectUri: string,
  options: ReadCaptureOptions,
): AsyncIterable<CaptureRecord> {
  for await (const records of readCaptureBatches(storage, objectUri, options)) yield* records;
}
