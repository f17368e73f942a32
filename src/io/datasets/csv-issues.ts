/**
 * What the CSV reader (csv.ts) accepts from sloppy files, and how it says so in the `IssueLog`:
 * - ragged rows: missing cells become null, extra cells are dropped (`column_count`);
 * - a quote inside an unquoted field is literal; text after a closing quote is appended (`csv_quote`);
 *   an unterminated quote at the end of the file closes there (`csv_quote`);
 * - invalid UTF-8 becomes U+FFFD and the row is kept (`invalid_utf8`);
 * - blank lines are skipped (`blank_line`).
 * And the one thing it refuses: a row longer than the limit (`rowTooLong`).
 */
import { InputError } from '../../core/errors.js';
import type { SourceContext } from './source.js';

/** A finding of the row being parsed, recorded only once the row is complete (by column index). */
export interface PendingIssue {
  kind: string;
  line: number;
  column: number;
  message: string;
}

export function recordBlankLine(context: SourceContext, line: number): void {
  context.issues.add({
    kind: 'blank_line',
    source: context.uri,
    line,
    message: 'blank line skipped',
  });
}

/** Records a complete row's findings; a finding without a line gets the row's. */
export function recordPending(
  context: SourceContext,
  pending: readonly PendingIssue[],
  rowLine: number,
  columnName: (index: number) => string,
): void {
  for (const p of pending) {
    context.issues.add({
      kind: p.kind,
      source: context.uri,
      line: p.line || rowLine,
      column: columnName(p.column),
      message: p.message,
    });
  }
}

export function recordRagged(context: SourceContext, count: number, width: number, line: number): void {
  context.issues.add({
    kind: 'column_count',
    source: context.uri,
    line,
    message:
      count < width
        ? `row has ${count} of ${width} columns; the missing cells are null`
        : `row has ${count} columns, ${width} expected; the extra cells are dropped`,
  });
}

/** The error of a row longer than `maxRowBytes` (`complete`: its end was found). */
export function rowTooLong(
  uri: string,
  line: number,
  column: string,
  maxRowBytes: number,
  bytes: number,
  complete: boolean,
): InputError {
  return new InputError(
    `${uri}: line ${line}, column ${column}: a row is longer than ${maxRowBytes} bytes ` +
      `(${complete ? `${bytes} bytes` : `${bytes} bytes without an end`}; an unterminated quoted field, or not a CSV file)`,
  );
}
