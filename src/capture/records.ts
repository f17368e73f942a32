/**
 * SageMaker data-capture records (spec §1.2): one JSON object per line,
 *
 *   {"captureData": {"endpointInput": {observedContentType, mode, data, encoding},
 *                    "endpointOutput": {...}},
 *    "eventMetadata": {eventId, inferenceId?, inferenceTime, customAttributes?}, "eventVersion": "0"}
 *
 * A line in SageMaker's own key order (no whitespace) is matched by one regular expression; any other line
 * (key order is not fixed) is parsed with `JSON.parse`, with the same record and issues. `BASE64` payloads
 * are decoded here; `data` of every payload is then text. Problems are counted in the `IssueLog`
 * (kind, object, line) and the line is skipped; nothing throws for bad data. Reading an object's lines into
 * records: `read-capture.ts`.
 *
 * Issue kinds: `invalid_json` (not JSON), `invalid_record` (JSON but not a capture record: no
 * `captureData`, no payload, a payload without `data`/`encoding`, an unknown encoding),
 * `undecodable_payload` (a `BASE64` payload that is not base64), `line_too_long`, `invalid_utf8`
 * (the line is kept, invalid bytes become U+FFFD), `invalid_inference_time` (only when filtering on a
 * window), and the informational `outside_window` (a tally, no samples).
 */

import type { IssueLog } from '../core/issues.js';

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
const JSON_STRING_BODY = String.raw`[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*`;

const STRING = `(${JSON_STRING_BODY})`;
const PAYLOAD = String.raw`\{"observedContentType":"${STRING}","mode":"${STRING}","data":"${STRING}","encoding":"${STRING}"\}`;

/**
 * A SageMaker line, every JSON string captured: each payload's four (observedContentType, mode, data,
 * encoding) from groups 1 and 5, then eventId, inferenceId, inferenceTime and eventVersion (9–12).
 */
export const SAGEMAKER_LINE = new RegExp(
  String.raw`^\{"captureData":\{"endpointInput":${PAYLOAD},"endpointOutput":${PAYLOAD}\},"eventMetadata":\{"eventId":"${STRING}"(?:,"inferenceId":"${STRING}")?,"inferenceTime":"${STRING}"\},"eventVersion":"${STRING}"\}$`,
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
 * The payload whose four groups start at `m[first]` (observedContentType, mode, data,
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
export function recordOfMatch(
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
