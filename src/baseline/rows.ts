/**
 * A baseline from rows held by the caller (a library user's records, a data frame's rows), with the same
 * profile, statistics and constraints as `buildBaseline` on a file, nothing written. Rows are untrusted:
 * a row that is neither an object nor an array is counted (`malformed_row`) and skipped, a nested value
 * is profiled as its JSON text (`nested_value`), a value of another type (function, symbol) is missing
 * (`unsupported_value`); each is counted in the returned `IssueLog`.
 */
import { IssueLog } from '../core/issues.js';
import type { Cell } from '../core/types.js';
import { jsonText } from '../io/datasets/cells.js';
import { LocalStorage } from '../io/local-storage.js';
import type { Storage } from '../io/storage.js';
import { DatasetProfile } from '../metrics/profile/dataset-profile.js';
import type { PiiMode } from '../security/pii-modes.js';
import { type BaselineDocuments, type BaselineUris, baselineFromProfile, writeBaseline } from './build.js';
import type { SageMakerType } from './statistics.js';

/**
 * One row: an object of column name → cell, or an array of cells in the order of
 * {@link RowsBaselineOptions.columns}. Cells are numbers, strings, booleans (`null`, `undefined` and `''`
 * are missing); strings that parse as numbers count as numbers, as in a CSV file.
 */
export type Row = Readonly<Record<string, unknown>> | readonly unknown[];

/** Options of {@link baselineFromRows}. */
export interface RowsBaselineOptions {
  /**
   * Column names: required for array rows (cell `i` belongs to `columns[i]`; extra cells are counted as
   * `ragged_row` and left out). For object rows they fix the first columns' order; other keys are added in
   * order of first appearance. @defaultValue `[]`
   */
  columns?: readonly string[];
  /** Column name → SageMaker type, instead of inference (e.g. a numeric code that is categorical). */
  typeOverrides?: ReadonlyMap<string, SageMakerType>;
  /** Distinct values counted per column before the rest go uncounted. @defaultValue 10000 */
  categoryLimit?: number;
  /** Where row problems are counted. @defaultValue a new `IssueLog` */
  issues?: IssueLog;
  /** Names the rows in error messages and issues. @defaultValue `'rows'` */
  source?: string;
  /**
   * Sensitive values (e-mail addresses, card numbers, ...): `redact` hashes the categories of flagged
   * columns with a salt kept in `sensitive.json`, `warn` keeps them, `fail` refuses the rows.
   * @defaultValue `'redact'`
   */
  pii?: PiiMode;
  /** When given, the baseline's files are written below this prefix (as `buildBaseline` writes them). */
  out?: string;
  /** Where `out` is written. @defaultValue local files (`LocalStorage`) */
  storage?: Storage;
}

/** What {@link baselineFromRows} returns: SageMaker's baseline documents and what was seen. */
export interface RowsBaselineResult extends BaselineDocuments {
  /** The URIs written, when `out` was given. */
  written?: BaselineUris;
  /** The mergeable profile the documents were computed from. */
  profile: DatasetProfile;
  /** Rows profiled (skipped rows not included). */
  rows: number;
  /** Row and cell problems, counted by kind. */
  issues: IssueLog;
}

/**
 * Profiles rows (an array, a generator or an async stream: they are read once and not kept) and derives
 * `statistics.json` and `constraints.json` as SageMaker's baselining job would; writes them below
 * `options.out` when given.
 * @throws InputError when no row could be profiled; ConfigError when a type override names no column or
 * `pii` is `fail` and a column holds sensitive values.
 */
export async function baselineFromRows(
  rows: Iterable<Row> | AsyncIterable<Row>,
  options: RowsBaselineOptions = {},
): Promise<RowsBaselineResult> {
  const source = options.source ?? 'rows';
  const issues = options.issues ?? new IssueLog();
  const columns = options.columns ?? [];
  const profile = new DatasetProfile(columns, { categoryLimit: options.categoryLimit });
  let cells: Cell[] = [];
  let index = 0;
  for await (const row of rows as AsyncIterable<Row>) {
    index++;
    if (Array.isArray(row)) {
      if (row.length > columns.length)
        issues.add({
          kind: 'ragged_row',
          source,
          line: index,
          message: `${row.length} cells for ${columns.length} columns: the extra cells are left out`,
        });
      const n = Math.min(row.length, columns.length);
      if (cells.length !== columns.length) cells = new Array<Cell>(columns.length);
      for (let i = 0; i < columns.length; i++)
        cells[i] = i < n ? toCell(row[i], source, index, columns[i] as string, issues) : null;
      profile.addRow(cells);
    } else if (row !== null && typeof row === 'object') {
      if (cells.length < profile.columns.length) cells.length = profile.columns.length;
      cells.fill(null);
      for (const key of Object.keys(row)) {
        const i = profile.columnIndex(key);
        while (cells.length <= i) cells.push(null);
        cells[i] = toCell((row as Record<string, unknown>)[key], source, index, key, issues);
      }
      profile.addRow(cells);
    } else {
      issues.add({
        kind: 'malformed_row',
        source,
        line: index,
        message: `expected an object or an array, found ${row === null ? 'null' : typeof row}: row skipped`,
      });
    }
  }
  const documents = baselineFromProfile(profile, source, options);
  let written: RowsBaselineResult['written'];
  if (options.out !== undefined) {
    const storage = options.storage ?? new LocalStorage();
    written = await writeBaseline(storage, options.out, documents);
  }
  return { ...documents, ...(written ? { written } : {}), profile, rows: profile.itemCount, issues };
}

function toCell(value: unknown, source: string, line: number, column: string, issues: IssueLog): Cell {
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
      issues.add({
        kind: 'nested_value',
        source,
        line,
        column,
        message: 'nested value profiled as its JSON text',
      });
      return jsonText(value);
    default:
      issues.add({
        kind: 'unsupported_value',
        source,
        line,
        column,
        message: `a ${typeof value} is missing`,
      });
      return null;
  }
}
