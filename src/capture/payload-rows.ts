/**
 * One captured payload → its rows, for the row builder's general path (`rows.ts`): multi-row CSV, JSON,
 * JSON Lines, and BASE64 payloads read as CSV or JSON by their content type. The rules are those of
 * `rows.ts`; problems are counted in the `IssueLog` with the record's object and line.
 */
import type { IssueLog } from '../core/issues.js';
import type { Cell } from '../core/types.js';
import { jsonText, UNWRITABLE_VALUE } from '../io/datasets/cells.js';
import { type CsvSplitState, splitCsvRows } from './csv-split.js';
import { type CapturePayload, type CaptureRecord, recordIssue, snippet } from './records.js';

type Positional = { rows: Cell[][]; named?: undefined };
type Named = { named: Array<Record<string, unknown>>; rows?: undefined };
/** A payload's rows: positional (cells by position) or named (objects, cells by key). */
export type Decoded = Positional | Named;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Row `r` of a decoded payload (undefined past its rows or without a payload). */
export function rowAt(decoded: Decoded | undefined, r: number): Cell[] | Record<string, unknown> | undefined {
  if (decoded === undefined) return undefined;
  return decoded.rows ? decoded.rows[r] : decoded.named[r];
}

/** Counts a CSV payload with unbalanced or misplaced quotes (`malformed_csv`). */
export function malformedCsv(issues: IssueLog, record: CaptureRecord): void {
  recordIssue(issues, 'malformed_csv', record, 'unbalanced or misplaced quotes in the CSV payload');
}

const INVALID: unique symbol = Symbol('invalid');

/** A payload → rows; null = unusable (counted); rows may be empty. */
export function decodePayload(
  payload: CapturePayload,
  record: CaptureRecord,
  side: 'input' | 'output',
  issues: IssueLog,
  csvState: CsvSplitState,
): Decoded | null {
  let kind: 'CSV' | 'JSON';
  if (payload.encoding === 'BASE64') {
    const type = payload.contentType.toLowerCase();
    if (payload.bytes !== undefined) {
      recordIssue(
        issues,
        'undecodable_payload',
        record,
        `${side}: BASE64 payload of content type ${snippet(payload.contentType)} is not UTF-8 text`,
      );
      return null;
    }
    if (type.includes('csv')) kind = 'CSV';
    else if (type.includes('json')) kind = 'JSON';
    else {
      recordIssue(
        issues,
        'undecodable_payload',
        record,
        `${side}: BASE64 payload of content type ${snippet(payload.contentType)} is neither CSV nor JSON`,
      );
      return null;
    }
  } else kind = payload.encoding;
  if (kind === 'CSV') {
    csvState.malformed = false;
    const rows = splitCsvRows(payload.data, csvState);
    if (csvState.malformed) malformedCsv(issues, record);
    return { rows };
  }
  const isLines = payload.contentType.toLowerCase().includes('jsonlines');
  if (isLines) {
    const docs: unknown[] = [];
    for (const line of payload.data.split('\n')) {
      if (line.trim() === '') continue;
      const doc = parseJson(line, record, side, issues);
      if (doc === INVALID) return null;
      docs.push(doc);
    }
    return shape(docs, record, true, issues);
  }
  const doc = parseJson(payload.data, record, side, issues);
  if (doc === INVALID) return null;
  return shape(doc, record, false, issues);
}

function parseJson(text: string, record: CaptureRecord, side: string, issues: IssueLog): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    recordIssue(
      issues,
      'invalid_json_payload',
      record,
      `${side}: not JSON: ${snippet((error as Error).message)}`,
    );
    return INVALID;
  }
}

/** The row structure of a parsed JSON document (or of the documents of a JSON Lines payload). */
function shape(doc: unknown, record: CaptureRecord, isLines: boolean, issues: IssueLog): Decoded {
  if (isPlainObject(doc)) return { named: [doc] };
  if (!Array.isArray(doc)) return { rows: [[jsonCell(doc, record, undefined, issues)]] };
  if (doc.length === 0) return { rows: [] };
  if (doc.every(isPlainObject)) return { named: doc as Array<Record<string, unknown>> };
  if (isLines || doc.every(Array.isArray)) {
    const rows: Cell[][] = [];
    for (const item of doc) {
      if (isPlainObject(item)) {
        // Mixed lines: keep positional rows positional; an object line becomes one cell of JSON text.
        rows.push([jsonCell(item, record, undefined, issues)]);
      } else if (Array.isArray(item)) rows.push(item.map((v) => jsonCell(v, record, undefined, issues)));
      else rows.push([jsonCell(item, record, undefined, issues)]);
    }
    return { rows };
  }
  return { rows: [doc.map((v) => jsonCell(v, record, undefined, issues))] };
}

/** A JSON value as a cell: scalars as they are, nested values as JSON text (counted as `nested_value`). */
export function jsonCell(
  value: unknown,
  record: CaptureRecord,
  column: string | undefined,
  issues: IssueLog,
): Cell {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      if (value === null) return null;
      {
        const text = jsonText(value);
        if (text === UNWRITABLE_VALUE) {
          // Nested too deeply to serialise (JSON.parse accepts depths JSON.stringify cannot print).
          recordIssue(issues, 'nested_value', record, 'nested value too deep to keep: left missing', column);
          return null;
        }
        recordIssue(
          issues,
          'nested_value',
          record,
          `nested value kept as JSON text: ${snippet(text)}`,
          column,
        );
        return text;
      }
    default:
      recordIssue(issues, 'nested_value', record, `unsupported value of type ${typeof value}`, column);
      return null;
  }
}
