/**
 * The internal shape every format reader implements: a pull-based row source over one object.
 *
 * Terminology:
 * - object: one file (local) or S3 object; a dataset is one object or every data object below a prefix.
 * - source: the reader of one object (`RowSource`); the dataset reader chains sources.
 * - row: `Cell[]` by column index, reused between calls to `next()`.
 *
 * Rows are pulled synchronously (`next()`) and input is loaded asynchronously (`fill()`) only when a
 * source runs dry. This keeps the per-row cost of the public `AsyncIterable` at one resolved promise:
 * an async generator per row costs about 2.5x more, and the CSV reader is on the baseline's hot path.
 */
import { InputError } from '../../core/errors.js';
import type { IssueLog } from '../../core/issues.js';
import type { Cell } from '../../core/types.js';

export interface RowSource {
  /** Column names of this object (unique). JSONL sources share and grow one `ColumnRegistry` instead. */
  readonly columns: readonly string[];
  /** The next row, or undefined when no decoded row is buffered (call `fill()`). */
  next(): Cell[] | undefined;
  /** Loads and decodes more input. Resolves false when the object is exhausted. */
  fill(): Promise<boolean>;
  /** Bytes taken from storage so far. */
  bytesRead(): number;
  /** Releases the underlying stream (idempotent; also safe after the end). */
  close(): void;
  /**
   * Hands the plain rows that `next()` comes to over to `take` as their bytes instead of decoding them
   * (CSV only; undefined stops it). See {@link PlainRowTaker}.
   */
  setPlainRowTaker?(take: PlainRowTaker | undefined): void;
}

/**
 * Takes a plain CSV row as the bytes `bytes[start…end)`, or declines it (false: the row is then decoded and
 * returned as usual, so nothing is lost either way). A plain row is complete (its line feed read), not
 * empty, ASCII, without a quote, and no longer than the row limit; its line end (`\n` or `\r\n`) is not
 * in the range. Its cells are the comma-separated parts of the range, as the CSV reader would split them
 * (an empty one is missing); the taker checks their count against the columns (a row of another width
 * is declined, so that the reader reports it). Rows are offered in order, before any later row is
 * returned, and the bytes are valid only during the call.
 */
export type PlainRowTaker = (bytes: Buffer, start: number, end: number) => boolean;

/** What every source is opened with. */
export interface SourceContext {
  /** The object's URI (names the file in issues and errors). */
  uri: string;
  issues: IssueLog;
}

/**
 * Maximum number of columns a dataset may have: a CSV header, an Arrow schema or a Parquet schema with more is
 * an `InputError`; JSON Lines keys beyond it are dropped with an issue.
 */
export const MAX_COLUMNS = 10_000;

/** Refuses a file whose schema (or header) has more than `MAX_COLUMNS` columns, naming it and the limit. */
export function tooManyColumns(count: number, uri: string): void {
  if (count > MAX_COLUMNS)
    throw new InputError(
      `${uri}: ${count} columns, more than the limit of ${MAX_COLUMNS} columns per dataset`,
    );
}
