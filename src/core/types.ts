/**
 * Vocabulary shared by every layer.
 *
 * - Cell: one value of one column in one row, as read (text from CSV, typed from JSON); null/undefined = missing.
 * - Window: the half-open time range [start, end) of one monitoring execution.
 */
export type Cell = string | number | boolean | null | undefined;

/** A time window [start, end). */
export interface Window {
  start: Date;
  end: Date;
}

/** An execution's outcome, in SageMaker's words. */
export type ExecutionStatus = 'Completed' | 'CompletedWithViolations' | 'Failed';
