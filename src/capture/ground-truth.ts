/**
 * Ground-truth records (spec §2): JSON Lines under `<ground-truth>/yyyy/mm/dd/hh/<any>.jsonl`, where the
 * hour folder is when the label was **collected**, not when the prediction was made:
 *
 *   {"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {"eventId": "order-77812"}, "eventVersion": "0"}
 *
 * `eventMetadata.eventId` is the join key: it equals the captured record's `inferenceId` when the caller
 * set one, else the captured `eventId` (§2.3). `data` holds only the label, as CSV text (a quoted cell is
 * unquoted). A JSON-encoded label (`"encoding": "JSON"`) is accepted when it is a JSON scalar.
 *
 * Labels arrive late, so a window's labels may sit in any folder from the window's start up to the time
 * the execution reads them (`groundTruthFolders`). Problems are counted in the IssueLog, never thrown:
 * `invalid_json`, `invalid_ground_truth` (not a ground-truth record, no eventId, no data, a multi-value or
 * unsupported payload), `missing_label` (empty data), `line_too_long`, `invalid_utf8`.
 */
import type { IssueLog } from '../core/issues.js';
import type { Cell, Window } from '../core/types.js';
import { readLines, reportLineProblems } from '../io/lines.js';
import type { ObjectInfo, Storage } from '../io/storage.js';
import { splitCsvLine } from './csv-split.js';
import { listHourPartitionedObjects } from './listing.js';
import { INVALID_JSON, isObject, parseJsonLine, parseUtcTime, recordIssue, snippet } from './records.js';

export interface GroundTruthRecord {
  /** `eventMetadata.eventId`: the join key. */
  eventId: string;
  /** The label as text (never empty). */
  label: string;
  /** `eventMetadata.inferenceTime` when present and valid. */
  inferenceTime: Date | undefined;
  lineNumber: number;
  source: string;
}

/** The label text of a `groundTruthData` payload, or a message saying what is wrong. */
function labelOf(payload: Record<string, unknown>): { label: string } | { problem: string; kind: string } {
  const data = payload.data;
  const encoding = typeof payload.encoding === 'string' ? payload.encoding.toUpperCase() : 'CSV';
  if (typeof data === 'number' || typeof data === 'boolean') return { label: String(data) };
  if (typeof data !== 'string')
    return { kind: 'invalid_ground_truth', problem: 'groundTruthData.data is not a string' };
  if (encoding === 'JSON') {
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return { kind: 'invalid_ground_truth', problem: `JSON label is not JSON: ${snippet(data)}` };
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const label = String(value).trim();
      return label === '' ? { kind: 'missing_label', problem: 'empty label' } : { label };
    }
    return { kind: 'invalid_ground_truth', problem: `JSON label is not a scalar: ${snippet(data)}` };
  }
  if (encoding !== 'CSV') {
    return {
      kind: 'invalid_ground_truth',
      problem: `unsupported groundTruthData.encoding ${snippet(payload.encoding)}`,
    };
  }
  const text = data.replace(/\r?\n$/, '');
  const cells: Cell[] = splitCsvLine(text);
  if (cells.length !== 1 || text.includes('\n')) {
    return {
      kind: 'invalid_ground_truth',
      problem: `label holds ${cells.length} values, expected 1: ${snippet(data)}`,
    };
  }
  const label = typeof cells[0] === 'string' ? cells[0].trim() : '';
  return label === '' ? { kind: 'missing_label', problem: 'empty label' } : { label };
}

/** One ground-truth line → a record, or undefined after counting why in `issues`. */
export function parseGroundTruthLine(
  text: string,
  source: string,
  lineNumber: number,
  issues: IssueLog,
): GroundTruthRecord | undefined {
  const doc = parseJsonLine(text, source, lineNumber, issues);
  if (doc === INVALID_JSON) return undefined;
  if (!isObject(doc) || !isObject(doc.groundTruthData)) {
    recordIssue(issues, 'invalid_ground_truth', { source, lineNumber }, 'no groundTruthData object');
    return undefined;
  }
  const meta = doc.eventMetadata;
  const eventId = isObject(meta) ? meta.eventId : undefined;
  if (typeof eventId !== 'string' || eventId === '') {
    recordIssue(
      issues,
      'invalid_ground_truth',
      { source, lineNumber },
      'no eventMetadata.eventId (the join key)',
    );
    return undefined;
  }
  const label = labelOf(doc.groundTruthData);
  if ('problem' in label) {
    recordIssue(issues, label.kind, { source, lineNumber }, label.problem);
    return undefined;
  }
  let inferenceTime: Date | undefined;
  if (isObject(meta) && typeof meta.inferenceTime === 'string') {
    const ms = parseUtcTime(meta.inferenceTime);
    if (!Number.isNaN(ms)) inferenceTime = new Date(ms);
  }
  return { eventId, label: label.label, inferenceTime, lineNumber, source };
}

/** The records of one ground-truth object, streamed line by line. Throws `InputError` if it cannot be read. */
export async function* readGroundTruthRecords(
  storage: Storage,
  objectUri: string,
  options: { issues: IssueLog; maxLineBytes?: number },
): AsyncIterable<GroundTruthRecord> {
  const { issues } = options;
  const maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
  const stream = await storage.readStream(objectUri);
  try {
    for await (const line of readLines(stream, { maxLineBytes })) {
      if (reportLineProblems(line, objectUri, maxLineBytes, issues)) continue;
      const record = parseGroundTruthLine(line.text, objectUri, line.lineNumber, issues);
      if (record) yield record;
    }
  } finally {
    stream.destroy();
  }
}

/** How long after a window's end its labels are looked for, by default (`groundTruthHorizon`). */
export const DEFAULT_GROUND_TRUTH_HORIZON = 'P3D';

/**
 * The hour folders that can hold a window's labels: from the window's start (a label cannot be collected
 * before its prediction) up to `readUntil` (the time the execution reads them; at least the window's end),
 * and never more than `horizonMs` after the window's end (a rerun of a window ten months old reads the
 * days after it, not ten months of folders). Which folders SageMaker reads is unconfirmed (spec §2.4); this
 * is the "safe choice" the spec recommends, bounded.
 */
export function groundTruthFolders(window: Window, readUntil: Date, horizonMs = Infinity): Window {
  const latest = window.end.getTime() + Math.max(0, horizonMs);
  const until = Math.min(readUntil.getTime(), latest);
  return { start: window.start, end: until > window.end.getTime() ? new Date(until) : window.end };
}

/**
 * Every `.jsonl` ground-truth object in the hour folders overlapping `folders`, oldest first, listed one day
 * prefix at a time (listing.ts).
 */
export function listGroundTruthObjects(
  storage: Storage,
  groundTruthUri: string,
  folders: Window,
): AsyncIterable<ObjectInfo> {
  return listHourPartitionedObjects(storage, groundTruthUri, folders.start, folders.end, { by: 'day' });
}
