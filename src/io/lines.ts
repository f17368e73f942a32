/**
 * Splits a byte stream into text lines without holding more than one line (plus one chunk) in memory.
 * Lines longer than `maxLineBytes` are not returned as text: a `tooLong` line is yielded instead so the
 * caller can count it. Invalid UTF-8 becomes U+FFFD and the line is flagged `invalidUtf8`.
 * `\r\n` endings are accepted; a final line without a newline is returned; empty lines are skipped.
 */
import type { Readable } from 'node:stream';
import type { IssueLog } from '../core/issues.js';

export interface Line {
  /** 1-based line number in the object. */
  lineNumber: number;
  text: string;
  tooLong: boolean;
  invalidUtf8: boolean;
}

export interface LineOptions {
  /** Default 16 MiB. */
  maxLineBytes?: number;
}

/**
 * Looks at a line's bytes before it is decoded (`bytes[start…end)`, its `\r` ending dropped, never empty or
 * too long): what it returns is yielded in the line's place (nothing when `null`), or, when undefined, the
 * line is decoded as usual. `waiting` is the number of lines (or values) in the batch not yet yielded, read
 * before this one. Whatever it keeps of `bytes` stays valid: every chunk read is a buffer of its own.
 */
export type RawLineReader<T> = (
  bytes: Buffer,
  start: number,
  end: number,
  lineNumber: number,
  waiting: number,
) => T | null | undefined;

const NEWLINE = 0x0a;
const MAX_BATCH_LINES = 128;

/**
 * The lines of a stream in small arrays (up to 128 lines, never across a chunk read), so that hot loops
 * pay one async step per batch rather than one per line. Same rules as `readLines`.
 */
export function readLineBatches(
  stream: Readable | AsyncIterable<Uint8Array>,
  options?: LineOptions,
): AsyncGenerator<Line[]>;
/** `readLineBatches`, each line shown to `raw` first (see `RawLineReader`). */
export function readLineBatches<T>(
  stream: Readable | AsyncIterable<Uint8Array>,
  options: LineOptions,
  raw: RawLineReader<T>,
): AsyncGenerator<Array<Line | T>>;
export async function* readLineBatches<T>(
  stream: Readable | AsyncIterable<Uint8Array>,
  options: LineOptions = {},
  raw?: RawLineReader<T>,
): AsyncGenerator<Array<Line | T>> {
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false; // inside a line that is already too long
  let lineNumber = 0;

  // `bytes[start…end)` as a line. Decoded in place (no Buffer view made for it) as TextDecoder decodes a
  // whole input: invalid sequences become U+FFFD the same way, and a leading byte order mark is dropped.
  const finish = (bytes: Buffer, start: number, end: number, waiting: number): Line | T | undefined => {
    lineNumber++;
    if (end > start && bytes[end - 1] === 0x0d) end--;
    if (end === start) return undefined;
    if (raw !== undefined) {
      const taken = raw(bytes, start, end, lineNumber, waiting);
      if (taken !== undefined) return taken ?? undefined;
    }
    if (end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) {
      start += 3;
      if (end === start) return { lineNumber, text: '', tooLong: false, invalidUtf8: false };
    }
    const text = bytes.toString('utf8', start, end);
    return { lineNumber, text, tooLong: false, invalidUtf8: text.includes('\uFFFD') };
  };

  for await (const raw of stream) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const batch: Array<Line | T> = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      if (skipping) {
        if (nl === -1) break;
        skipping = false;
        start = nl + 1;
        continue;
      }
      if (pendingBytes + (end - start) > maxLineBytes) {
        lineNumber++;
        batch.push({ lineNumber, text: '', tooLong: true, invalidUtf8: false });
        pending = [];
        pendingBytes = 0;
        skipping = nl === -1;
        start = nl === -1 ? chunk.length : nl + 1;
        continue;
      }
      if (nl === -1) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        break;
      }
      let line: Line | T | undefined;
      if (pending.length === 0) line = finish(chunk, start, nl, batch.length);
      else {
        const bytes = Buffer.concat([...pending, chunk.subarray(start, nl)]);
        pending = [];
        pendingBytes = 0;
        line = finish(bytes, 0, bytes.length, batch.length);
      }
      if (line !== undefined) batch.push(line);
      start = nl + 1;
      if (batch.length >= MAX_BATCH_LINES) {
        // Small batches keep little alive between young-generation GCs (a 1 MiB chunk holds thousands of lines).
        yield batch.splice(0);
      }
    }
    if (batch.length > 0) yield batch;
  }
  if (!skipping && pendingBytes > 0) {
    const bytes = Buffer.concat(pending);
    const line = finish(bytes, 0, bytes.length, 0);
    if (line !== undefined) yield [line];
  }
}

export async function* readLines(
  stream: Readable | AsyncIterable<Uint8Array>,
  options: LineOptions = {},
): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(stream, options)) yield* batch;
}

/**
 * Records the problems of a line read from `source` in `issues`: a too-long line (`line_too_long`: skip it,
 * returns true) or invalid UTF-8 (`invalid_utf8`: the line is still read, with U+FFFD, returns false).
 */
export function reportLineProblems(
  line: Line,
  source: string,
  maxLineBytes: number,
  issues: IssueLog,
): boolean {
  if (line.tooLong) {
    issues.add({
      kind: 'line_too_long',
      source,
      line: line.lineNumber,
      message: `line longer than ${maxLineBytes} bytes skipped`,
    });
    return true;
  }
  if (line.invalidUtf8) {
    issues.add({
      kind: 'invalid_utf8',
      source,
      line: line.lineNumber,
      message: 'line is not valid UTF-8 (invalid bytes read as U+FFFD)',
    });
  }
  return false;
}
