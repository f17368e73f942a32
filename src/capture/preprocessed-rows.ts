/**
 * Rows of a record through a user preprocessor (the rules are those of `rows.ts`): its flat object is one
 * row, an array several rows, `null`, `undefined` or `[]` drops the record (`dropped_by_preprocessor`). A
 * throw, a rejected promise or a bad return value is counted as `preprocessor_error` and the record skipped.
 */
import type { IssueLog } from '../core/issues.js';
import type { Cell } from '../core/types.js';
import { isPlainObject } from './payload-rows.js';
import { type CaptureRecord, recordIssue, snippet } from './records.js';

export type PreprocessedRow = Record<string, Cell>;
export type PreprocessorResult = PreprocessedRow | PreprocessedRow[] | null | undefined;
/** A user hook: a capture record → a flat object (one row), several, or nothing (drop). */
export type RecordPreprocessor = (record: CaptureRecord) => PreprocessorResult | Promise<PreprocessorResult>;

/** Where a preprocessed record's flat objects go: placed as one row each (by name or in key order). */
export type EmitFlat = (
  values: Record<string, unknown>,
  record: CaptureRecord,
  emit: (cells: Cell[]) => void,
) => void;

/** Runs `preprocessor` on a record and hands each flat object it returns to `emitFlat`. */
export function buildPreprocessed(
  preprocessor: RecordPreprocessor,
  record: CaptureRecord,
  emit: (cells: Cell[]) => void,
  emitFlat: EmitFlat,
  issues: IssueLog,
): void | Promise<void> {
  let result: PreprocessorResult | Promise<PreprocessorResult>;
  try {
    result = preprocessor(record);
  } catch (error) {
    preprocessorError(issues, record, error);
    return;
  }
  if (
    result !== null &&
    typeof result === 'object' &&
    typeof (result as { then?: unknown }).then === 'function'
  ) {
    return (result as Promise<PreprocessorResult>).then(
      (value) => emitPreprocessed(record, value, emit, emitFlat, issues),
      (error: unknown) => preprocessorError(issues, record, error),
    );
  }
  emitPreprocessed(record, result as PreprocessorResult, emit, emitFlat, issues);
}

/**
 * Emits the rows of a preprocessor's result. A hostile value (a throwing getter, a Proxy) is the hook's
 * failure, not the run's.
 */
function emitPreprocessed(
  record: CaptureRecord,
  result: PreprocessorResult,
  emit: (cells: Cell[]) => void,
  emitFlat: EmitFlat,
  issues: IssueLog,
): void {
  try {
    if (result === null || result === undefined) {
      issues.tally('dropped_by_preprocessor');
      return;
    }
    if (Array.isArray(result)) {
      if (result.length === 0) {
        issues.tally('dropped_by_preprocessor');
        return;
      }
      for (const item of result) {
        if (!isPlainObject(item)) {
          preprocessorError(issues, record, `returned an array holding ${snippet(item)}, not flat objects`);
          continue;
        }
        emitFlat(item, record, emit);
      }
      return;
    }
    if (!isPlainObject(result)) {
      preprocessorError(
        issues,
        record,
        `returned ${snippet(result)}: expected an object, an array of objects or null`,
      );
      return;
    }
    emitFlat(result, record, emit);
  } catch (error) {
    preprocessorError(issues, record, error);
  }
}

function preprocessorError(issues: IssueLog, record: CaptureRecord, error: unknown): void {
  let message: string;
  try {
    message = error instanceof Error ? `${error.name}: ${error.message}` : snippet(error);
  } catch {
    message = 'threw an unprintable value';
  }
  recordIssue(issues, 'preprocessor_error', record, snippet(message));
}
