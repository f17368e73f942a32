/**
 * Reading a capture object's records (see `records.ts` for one line): streamed line by line, filtered on the
 * time window, in batches. `readCaptureEntries` also hands over plain CSV records as their payloads' text
 * (`PlainCsvLine`), for a consumer that profiles them without building a record.
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
  SAGEMAKER_LINE_DATA,
} from './records.js';

/** Options of {@link readCaptureRecords}. */
export interface ReadCaptureOptions {
  /** Keep only records with `start <= inferenceTime < end`. */
  window?: Window;
  issues: IssueLog;
  /** Longer lines are counted as `line_too_long` and skipped. Default 16 MiB. */
  maxLineBytes?: number;
}

/** Takes a row of plain CSV text (see `PlainCsvLine`): true when taken, false to have its record built. */
export type PlainCsvTaker = (input: string, output: string) => boolean;

/**
 * A record whose line is in SageMaker's own shape, CSV on both sides, each payload one non-empty line
 * needing no unescaping, its time valid and inside the window: yielded by `readCaptureEntries` in place of
 * its record, with the payloads' text (line ends trimmed, as the row builder trims them). `record()` builds
 * the record (counting nothing: such a line has no problem to count) for a consumer that needs it.
 */
export class PlainCsvLine {
  constructor(
    readonly input: string,
    readonly output: string,
    /** The capture line. */
    readonly text: string,
    readonly source: string,
    readonly lineNumber: number,
  ) {}

  record(): CaptureRecord {
    const m = SAGEMAKER_LINE.exec(this.text)!;
    return recordOfMatch(m, this.source, this.lineNumber, new IssueLog())!;
  }
}

/**
 * A CSV payload's raw JSON text → the payload's text with its line ends trimmed (as the row builder trims
 * it), when that needs no unescaping: no backslash, or only a final `\n`. Undefined otherwise.
 */
function plainCsvText(raw: string): string | undefined {
  const slash = raw.indexOf('\\');
  if (slash === -1) return raw;
  if (slash === raw.length - 2 && raw.charCodeAt(slash + 1) === 110) return raw.slice(0, slash);
  return undefined;
}

const OUTSIDE = 0;

/**
 * The `PlainCsvLine` of line `text`, matched by `SAGEMAKER_LINE_DATA` (`m`), OUTSIDE when its time is out of
 * the window, else undefined.
 */
function plainCsvLine(
  m: RegExpExecArray,
  text: string,
  source: string,
  lineNumber: number,
  startMs: number,
  endMs: number,
): PlainCsvLine | typeof OUTSIDE | undefined {
  if (m[2] !== 'CSV' || m[4] !== 'CSV') return undefined;
  const input = plainCsvText(m[1]!);
  const output = plainCsvText(m[3]!);
  if (input === undefined || output === undefined || input.length === 0 || output.length === 0)
    return undefined;
  const time = m[5]!;
  if (time.indexOf('\\') !== -1) return undefined;
  const ms = parseUtcTime(time);
  if (Number.isNaN(ms)) return undefined;
  // The record's Date holds the same milliseconds, compared as readCaptureBatches compares them.
  if (ms < startMs || ms >= endMs) return OUTSIDE;
  return new PlainCsvLine(input, output, text, source, lineNumber);
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
 * `readCaptureBatches`, with plain CSV records as `PlainCsvLine`s (no record built), in their place in the
 * object's order; the same issues, counted at the same points.
 */
export function readCaptureEntries(
  storage: Storage,
  objectUri: string,
  options: ReadCaptureOptions,
): AsyncIterable<Array<CaptureRecord | PlainCsvLine>> {
  return readEntries(storage, objectUri, options, true);
}

async function* readEntries(
  storage: Storage,
  objectUri: string,
  options: ReadCaptureOptions,
  plain: boolean,
): AsyncIterable<Array<CaptureRecord | PlainCsvLine>> {
  const { issues, window } = options;
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  const startMs = window ? window.start.getTime() : Number.NEGATIVE_INFINITY;
  const endMs = window ? window.end.getTime() : Number.POSITIVE_INFINITY;
  // Users copy capture files gzipped (`.jsonl.gz`, or gzip kept under `.jsonl`): read through, by magic bytes.
  const stream = gunzipIfCompressed(await storage.readStream(objectUri), objectUri);
  let outside = 0;
  try {
    for await (const lines of readLineBatches(stream, { maxLineBytes })) {
      const records: Array<CaptureRecord | PlainCsvLine> = [];
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (reportLineProblems(line, objectUri, maxLineBytes, issues)) continue;
        let m: RegExpExecArray | null;
        if (plain) {
          // The same pattern with fewer groups: no match means SAGEMAKER_LINE would not match either.
          const data = SAGEMAKER_LINE_DATA.exec(line.text);
          if (data !== null) {
            const entry = plainCsvLine(data, line.text, objectUri, line.lineNumber, startMs, endMs);
            if (entry === OUTSIDE) {
              outside++;
              continue;
            }
            if (entry !== undefined) {
              records.push(entry);
              continue;
            }
          }
          m = data === null ? null : SAGEMAKER_LINE.exec(line.text);
        } else m = SAGEMAKER_LINE.exec(line.text);
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
