/**
 * SageMaker data-capture records (spec §1.2): one JSON object per line,
 *
 *   {"captureData": {"endpointInput": {observedContentType, mode, data, encoding},
 *                    "endpointOutput": {...}},
 *    "eventMetadata": {eventId, inferenceId?, inferenceTime, customAttributes?}, "eventVersion": "0"}
 *
 * Key order is not fixed, so lines are parsed as JSON (once), never positionally. `BASE64` payloads
 * are decoded here; `data` of every payload is then text. Problems are counted in the `IssueLog`
 * (kind, object, line) and the line is skipped; nothing throws for bad data.
 *
 * Issue kinds: `invalid_json` (not JSON), `invalid_record` (JSON but not a capture record: no
 * `captureData`, no payload, a payload without `data`/`encoding`, an unknown encoding),
 * `undecodable_payload` (a `BASE64` payload that is not base64), `line_too_long`, `invalid_utf8`
 * (the line is kept, invalid bytes become U+FFFD), `invalid_inference_time` (only when filtering on a
 * window), and the informational `outside_window` (a tally, no samples).
 */

import { IssueLog } from '../core/issues.js';
import type { Window } from '../core/types.js';
import { gunzipIfCompressed } from '../io/gzip.js';
import { readLineBatches, reportLineProblems } from '../io/lines.js';
import type { Storage } from '../io/storage.js';

/** How SageMaker stored a captured payload. */
export type CaptureEncoding = 'CSV' | 'JSON' | 'BASE64';

/** One side (endpoint input or output) of a captured request. */
export interface CapturePayload {
  /** The payload as text (decoded from base64 for `BASE64`; `''` when the bytes are not UTF-8, see `bytes`). */
  data: string;
  /** The encoding the payload was stored with. */
  encoding: CaptureEncoding;
  /** `observedContentType`, e.g. `text/csv`, `text/csv; charset=utf-8`, `application/json` (`''` if absent). */
  contentType: string;
  /** `INPUT` or `OUTPUT` as written by SageMaker (`''` if absent). */
  mode: string;
  /** Only for a `BASE64` payload whose bytes are not UTF-8 text (an image, a NumPy array): the raw bytes. */
  bytes?: Uint8Array;
}

/** One line of a SageMaker data-capture JSON Lines object (spec §2). */
export interface CaptureRecord {
  eventId: string | undefined;
  inferenceId: string | undefined;
  /** `eventMetadata.inferenceTime`; undefined when absent or not a date. */
  inferenceTime: Date | undefined;
  /** `captureData.endpointInput`, undefined when not captured. */
  input: CapturePayload | undefined;
  /** `captureData.endpointOutput`, undefined when not captured. */
  output: CapturePayload | undefined;
  /** `eventMetadata.customAttributes`, opaque. */
  customAttributes: unknown;
  /** 1-based line number in `source`. */
  lineNumber: number;
  /** The object URI (or file path) the line came from. */
  source: string;
}

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
    readonly match: RegExpExecArray,
    readonly source: string,
    readonly lineNumber: number,
  ) {}

  record(): CaptureRecord {
    return recordOfMatch(this.match, this.source, this.lineNumber, new IssueLog())!;
  }
}

const MAX_MESSAGE_SNIPPET = 120;
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** A short, printable rendering of an untrusted value for issue messages. */
export function snippet(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    // Too deep to serialise (or a cyclic object from a preprocessor): String() would recurse as well.
    text = Array.isArray(value) ? '[deeply nested array]' : '[unprintable value]';
  }
  return text.length > MAX_MESSAGE_SNIPPET ? `${text.slice(0, MAX_MESSAGE_SNIPPET)}…` : text;
}

/** Counts a problem of one record in `issues`, with its object, line and (when given) column. */
export function recordIssue(
  issues: IssueLog,
  kind: string,
  record: Pick<CaptureRecord, 'source' | 'lineNumber'>,
  message: string,
  column?: string,
): void {
  const sample: { kind: string; source: string; line: number; message: string; column?: string } = {
    kind,
    source: record.source,
    line: record.lineNumber,
    message,
  };
  if (column !== undefined) sample.column = snippet(column);
  issues.add(sample);
}

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Consecutive records usually share their (second-precision) timestamp: parse each distinct string once.
let lastTimeText = '';
let lastTimeMs = Number.NaN;

/**
 * Parses an ISO-8601 time as UTC. A date-time without an offset is read as UTC (JavaScript would read
 * it as local time). Returns NaN for anything that is not a date.
 */
export function parseUtcTime(text: string): number {
  if (text === lastTimeText) return lastTimeMs;
  let ms = Number.NaN;
  const n = text.length;
  // Require an ISO-like shape (digits first, a `-` after the year): Date.parse accepts too much otherwise.
  if (n >= 10 && n <= 40 && text.charCodeAt(4) === 45) {
    const last = text.charCodeAt(n - 1);
    const hasZone = last === 90 || last === 122 || (n > 19 && /[+-]\d\d:?\d\d$/.test(text));
    ms = Date.parse(n > 10 && !hasZone ? `${text}Z` : text);
  }
  lastTimeText = text;
  lastTimeMs = ms;
  return ms;
}

/**
 * Standard base64 (`A-Z a-z 0-9 + /`, `=` padding to a multiple of 4, or unpadded). A plain loop: a
 * regular expression over a multi-megabyte payload overflows the regexp backtracking stack.
 */
export function isBase64(text: string): boolean {
  const n = text.length;
  let pad = 0;
  if (n > 0 && text.charCodeAt(n - 1) === 61) pad = n > 1 && text.charCodeAt(n - 2) === 61 ? 2 : 1;
  const body = n - pad;
  if (pad > 0 ? n % 4 !== 0 : body % 4 === 1) return false;
  for (let i = 0; i < body; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47))
      return false;
  }
  return true;
}

/** One payload of `captureData`; a string = what is wrong with it. */
function parsePayload(raw: unknown, path: string): CapturePayload | string {
  if (!isObject(raw)) return `${path} is not an object`;
  const data = raw.data;
  const encodingRaw = raw.encoding;
  if (typeof data !== 'string') return `${path}.data is not a string`;
  if (typeof encodingRaw !== 'string') return `${path}.encoding is not a string`;
  const contentType = typeof raw.observedContentType === 'string' ? raw.observedContentType : '';
  const mode = typeof raw.mode === 'string' ? raw.mode : '';
  return payloadOf(data, encodingRaw, contentType, mode, path);
}

/** A payload from its string fields; a string = what is wrong with it. */
function payloadOf(
  data: string,
  encodingRaw: string,
  contentType: string,
  mode: string,
  path: string,
): CapturePayload | string {
  let encoding: CaptureEncoding;
  switch (encodingRaw) {
    case 'CSV':
    case 'JSON':
    case 'BASE64':
      encoding = encodingRaw;
      break;
    default: {
      const upper = encodingRaw.toUpperCase();
      if (upper !== 'CSV' && upper !== 'JSON' && upper !== 'BASE64') {
        return `${path}.encoding ${snippet(encodingRaw)} is not CSV, JSON or BASE64`;
      }
      encoding = upper;
    }
  }
  if (encoding !== 'BASE64') return { data, encoding, contentType, mode };
  if (!isBase64(data)) return `base64:${path}.data is not valid base64`;
  const bytes = Buffer.from(data, 'base64');
  try {
    return { data: utf8Strict.decode(bytes), encoding, contentType, mode };
  } catch {
    return { data: '', encoding, contentType, mode, bytes: new Uint8Array(bytes) };
  }
}

export const INVALID_JSON: unique symbol = Symbol('invalid JSON');

/** A JSON line → its value, or INVALID_JSON after counting it (`invalid_json`, with the line) in `issues`. */
export function parseJsonLine(text: string, source: string, lineNumber: number, issues: IssueLog): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    issues.add({
      kind: 'invalid_json',
      source,
      line: lineNumber,
      message: `not JSON: ${snippet((error as Error).message)}`,
    });
    return INVALID_JSON;
  }
}

// A line exactly as SageMaker writes it (its key order, no whitespace, both payloads, optional inferenceId,
// no customAttributes), matched by one regular expression: about a third of the time of `JSON.parse` and
// no objects. Its JSON strings are captured raw (escapes undone by `jsonString`); anything else (another
// key order, whitespace, other keys) does not match and goes through `JSON.parse`.
const JSON_STRING = String.raw`([^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*)`;
const SAGEMAKER_PAYLOAD = String.raw`\{"observedContentType":"${JSON_STRING}","mode":"${JSON_STRING}","data":"${JSON_STRING}","encoding":"${JSON_STRING}"\}`;
const SAGEMAKER_LINE = new RegExp(
  String.raw`^\{"captureData":\{"endpointInput":${SAGEMAKER_PAYLOAD},"endpointOutput":${SAGEMAKER_PAYLOAD}\},"eventMetadata":\{"eventId":"${JSON_STRING}"(?:,"inferenceId":"${JSON_STRING}")?,"inferenceTime":"${JSON_STRING}"\},"eventVersion":"${JSON_STRING}"\}$`,
);

/** The value of a JSON string's raw text (valid escapes only, as `SAGEMAKER_LINE` captures them). */
function jsonString(raw: string): string {
  const slash = raw.indexOf('\\');
  if (slash === -1) return raw;
  // The usual one: a CSV payload's trailing newline.
  if (slash === raw.length - 2 && raw.charCodeAt(slash + 1) === 110) return `${raw.slice(0, slash)}\n`;
  return JSON.parse(`"${raw}"`) as string;
}

/**
 * The payload whose four `SAGEMAKER_PAYLOAD` groups start at `m[first]` (observedContentType, mode, data,
 * encoding), or a message saying what is wrong.
 */
function sagemakerPayload(m: RegExpExecArray, first: number, path: string): CapturePayload | string {
  return payloadOf(
    jsonString(m[first + 2]!),
    jsonString(m[first + 3]!),
    jsonString(m[first]!),
    jsonString(m[first + 1]!),
    path,
  );
}

/**
 * One capture line → a record, or undefined after counting why in `issues`. Does not look at the time
 * window (see `readCaptureRecords`); an absent or unparsable `inferenceTime` gives `inferenceTime: undefined`.
 */
export function parseCaptureLine(
  text: string,
  source: string,
  lineNumber: number,
  issues: IssueLog,
): CaptureRecord | undefined {
  const m = SAGEMAKER_LINE.exec(text);
  if (m === null) return parseCaptureLineAsJson(text, source, lineNumber, issues);
  return recordOfMatch(m, source, lineNumber, issues);
}

/** The record of a line `SAGEMAKER_LINE` matched. */
function recordOfMatch(
  m: RegExpExecArray,
  source: string,
  lineNumber: number,
  issues: IssueLog,
): CaptureRecord | undefined {
  const input = sagemakerPayload(m, 1, 'captureData.endpointInput');
  if (typeof input === 'string') return payloadIssue(input, source, lineNumber, issues);
  const output = sagemakerPayload(m, 5, 'captureData.endpointOutput');
  if (typeof output === 'string') return payloadIssue(output, source, lineNumber, issues);
  const ms = parseUtcTime(jsonString(m[11]!));
  return {
    eventId: jsonString(m[9]!),
    inferenceId: m[10] === undefined ? undefined : jsonString(m[10]),
    inferenceTime: Number.isNaN(ms) ? undefined : new Date(ms),
    input,
    output,
    customAttributes: undefined,
    lineNumber,
    source,
  };
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

/** The `PlainCsvLine` of a matched line, OUTSIDE when its time is out of the window, else undefined. */
function plainCsvLine(
  m: RegExpExecArray,
  source: string,
  lineNumber: number,
  startMs: number,
  endMs: number,
): PlainCsvLine | typeof OUTSIDE | undefined {
  if (m[4] !== 'CSV' || m[8] !== 'CSV') return undefined;
  const input = plainCsvText(m[3]!);
  const output = plainCsvText(m[7]!);
  if (input === undefined || output === undefined || input.length === 0 || output.length === 0)
    return undefined;
  const time = m[11]!;
  if (time.indexOf('\\') !== -1) return undefined;
  const ms = parseUtcTime(time);
  if (Number.isNaN(ms)) return undefined;
  // The record's Date holds the same milliseconds, compared as readCaptureBatches compares them.
  if (ms < startMs || ms >= endMs) return OUTSIDE;
  return new PlainCsvLine(input, output, m, source, lineNumber);
}

/** `parseCaptureLine` by `JSON.parse`, for any line (the general path; exported for tests). */
export function parseCaptureLineAsJson(
  text: string,
  source: string,
  lineNumber: number,
  issues: IssueLog,
): CaptureRecord | undefined {
  const doc = parseJsonLine(text, source, lineNumber, issues);
  if (doc === INVALID_JSON) return undefined;
  if (!isObject(doc)) {
    recordIssue(issues, 'invalid_record', { source, lineNumber }, `not a JSON object: ${snippet(text)}`);
    return undefined;
  }
  const captureData = doc.captureData;
  if (!isObject(captureData)) {
    recordIssue(issues, 'invalid_record', { source, lineNumber }, 'no captureData object');
    return undefined;
  }
  let input: CapturePayload | undefined;
  let output: CapturePayload | undefined;
  if (captureData.endpointInput !== undefined) {
    const parsed = parsePayload(captureData.endpointInput, 'captureData.endpointInput');
    if (typeof parsed === 'string') return payloadIssue(parsed, source, lineNumber, issues);
    input = parsed;
  }
  if (captureData.endpointOutput !== undefined) {
    const parsed = parsePayload(captureData.endpointOutput, 'captureData.endpointOutput');
    if (typeof parsed === 'string') return payloadIssue(parsed, source, lineNumber, issues);
    output = parsed;
  }
  if (input === undefined && output === undefined) {
    const message = 'captureData has neither endpointInput nor endpointOutput';
    recordIssue(issues, 'invalid_record', { source, lineNumber }, message);
    return undefined;
  }
  const meta = doc.eventMetadata;
  let eventId: string | undefined;
  let inferenceId: string | undefined;
  let inferenceTime: Date | undefined;
  let customAttributes: unknown;
  if (isObject(meta)) {
    if (typeof meta.eventId === 'string') eventId = meta.eventId;
    if (typeof meta.inferenceId === 'string') inferenceId = meta.inferenceId;
    if (typeof meta.inferenceTime === 'string') {
      const ms = parseUtcTime(meta.inferenceTime);
      if (!Number.isNaN(ms)) inferenceTime = new Date(ms);
    }
    customAttributes = meta.customAttributes;
  }
  return { eventId, inferenceId, inferenceTime, input, output, customAttributes, lineNumber, source };
}

function payloadIssue(problem: string, source: string, line: number, issues: IssueLog): undefined {
  if (problem.startsWith('base64:')) {
    issues.add({ kind: 'undecodable_payload', source, line, message: problem.slice(7) });
  } else {
    issues.add({ kind: 'invalid_record', source, line, message: problem });
  }
  return undefined;
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
        const m = SAGEMAKER_LINE.exec(line.text);
        if (m !== null && plain) {
          const entry = plainCsvLine(m, objectUri, line.lineNumber, startMs, endMs);
          if (entry === OUTSIDE) {
            outside++;
            continue;
          }
          if (entry !== undefined) {
            records.push(entry);
            continue;
          }
        }
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
