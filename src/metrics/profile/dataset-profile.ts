/**
 * The mergeable profile of a table: the number of rows and one ColumnProfile per column, in first-seen
 * order. Columns can appear after the first row (JSON keys, extra CSV columns): a column's missing count is
 * always `itemCount - numPresent`, so rows seen before it existed count as missing.
 * Column names are untrusted text: they are kept in a Map, never used as object keys.
 */
import { ColumnProfile, type ColumnProfileJSON } from './column-profile.js';
import { DelimitedCells, OTHER } from './delimited-cells.js';

/** The JSON form of a {@link DatasetProfile}. */
export interface DatasetProfileJSON {
  version: 1;
  itemCount: number;
  columns: ColumnProfileJSON[];
}

/**
 * What `DatasetProfile.addDelimitedRow` hands back about a row, for callers that need its values too (the
 * multivariate collector), like `addRow`'s `numbers`: slot i of `numbers` receives column i's number as
 * parsed (NaN when missing or not a number), and for the columns marked 1 in `textColumns`, slot i of
 * `texts` the cell's text (undefined when empty). Slots past the row's cells: NaN, undefined. The arrays
 * are as long as the profile has columns.
 */
export interface DelimitedRowOutput {
  numbers: Float64Array;
  texts: Array<string | undefined>;
  textColumns: Uint8Array;
}

/**
 * The mergeable profile of a table: its row count and one {@link ColumnProfile} per column, in first-seen order.
 */
export class DatasetProfile {
  itemCount = 0;
  readonly columns: ColumnProfile[] = [];
  readonly #index = new Map<string, number>();
  readonly #options: { categoryLimit?: number };

  constructor(columnNames: readonly string[] = [], options: { categoryLimit?: number } = {}) {
    this.#options = options;
    for (const name of columnNames) this.columnIndex(name);
  }

  /** Index of a column, created (empty) when new. */
  columnIndex(name: string): number {
    const existing = this.#index.get(name);
    if (existing !== undefined) return existing;
    const index = this.columns.length;
    this.columns.push(new ColumnProfile(name, this.#options));
    this.#index.set(name, index);
    return index;
  }

  /** Index of an existing column (undefined when there is none). */
  columnIndexOf(name: string): number | undefined {
    return this.#index.get(name);
  }

  /** The profile of a column, or undefined. */
  column(name: string): ColumnProfile | undefined {
    const i = this.#index.get(name);
    return i === undefined ? undefined : this.columns[i];
  }

  get columnNames(): string[] {
    return this.columns.map((c) => c.name);
  }

  /** Rows without a value in the column. */
  numMissing(column: ColumnProfile): number {
    return this.itemCount - column.numPresent;
  }

  /**
   * Adds one row: cell i belongs to column i. Cells past the known columns must be created first.
   * With `numbers`, its slot i receives column i's cell as parsed (NaN when missing or not a number; slots
   * past the row's cells too), for callers that need the row's numbers as well (e.g. the multivariate
   * collector): each cell is parsed once.
   */
  addRow(cells: ArrayLike<unknown>, numbers?: Float64Array): void {
    this.itemCount++;
    const n = Math.min(cells.length, this.columns.length);
    if (numbers === undefined) {
      for (let i = 0; i < n; i++) {
        const cell = cells[i];
        if (cell !== null && cell !== undefined && cell !== '') this.columns[i]!.add(cell);
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      const cell = cells[i];
      numbers[i] =
        cell !== null && cell !== undefined && cell !== '' ? this.columns[i]!.add(cell) : Number.NaN;
    }
    numbers.fill(Number.NaN, n);
  }

  /** The cells of the row counted last (`countDelimitedCells`), which `addDelimitedRow` adds. */
  readonly #cells = new DelimitedCells();

  /**
   * Finds the comma-separated cells of a row held as ASCII bytes, those of `bytes[start…end)` then those of
   * `bytes[secondStart…secondEnd)` when that is not empty, and returns how many there are: a caller checks
   * the row's width with it, then adds the row (`addDelimitedRow`) or not. The cells must be plain (no
   * quotes, no line breaks).
   */
  countDelimitedCells(bytes: Buffer, start: number, end: number, secondStart = 0, secondEnd = 0): number {
    return this.#cells.scan(bytes, start, end, secondStart, secondEnd);
  }

  /**
   * Adds the row counted last by `countDelimitedCells`: the same as `addRow` of its split cells, an empty
   * cell missing, cells past the known columns left out. With `out`, the row's numbers (and texts of some
   * columns) are handed back as well (`DelimitedRowOutput`).
   */
  addDelimitedRow(out?: DelimitedRowOutput): void {
    const cells = this.#cells;
    const { bytes, starts, ends, kinds, values, count } = cells;
    const columns = this.columns;
    const n = Math.min(count, columns.length);
    this.itemCount++;
    if (out === undefined) {
      for (let i = 0; i < n; i++) if (ends[i]! > starts[i]!) columns[i]!.addCell(cells, i);
      return;
    }
    const { numbers, texts, textColumns } = out;
    for (let i = 0; i < n; i++) {
      const start = starts[i]!;
      const end = ends[i]!;
      const present = end > start;
      if (!present) {
        numbers[i] = Number.NaN;
        if (textColumns[i] === 1) texts[i] = undefined;
        continue;
      }
      if (kinds[i]! !== OTHER) {
        columns[i]!.addCell(cells, i);
        numbers[i] = values[i]!;
        if (textColumns[i] === 1) texts[i] = bytes!.toString('latin1', start, end);
        continue;
      }
      // A cell the scan left to its text: decoded once, added as `addRow` adds it, whose number (±Infinity
      // for `1e309`, NaN for text) `add` returns.
      const text = bytes!.toString('latin1', start, end);
      numbers[i] = columns[i]!.add(text);
      if (textColumns[i] === 1) texts[i] = text;
    }
    for (let i = n; i < numbers.length; i++) {
      numbers[i] = Number.NaN;
      if (textColumns[i] === 1) texts[i] = undefined;
    }
  }

  /** Merges another profile; columns are matched by name, new ones appended in the other's order. */
  merge(other: DatasetProfile): this {
    this.itemCount += other.itemCount;
    for (const column of other.columns) {
      const i = this.#index.get(column.name);
      if (i === undefined) {
        this.#index.set(column.name, this.columns.length);
        this.columns.push(ColumnProfile.fromJSON(column.toJSON(), this.#options));
      } else {
        this.columns[i]!.merge(column);
      }
    }
    return this;
  }

  /** The JSON form (for storing partial profiles). */
  toJSON(): DatasetProfileJSON {
    return { version: 1, itemCount: this.itemCount, columns: this.columns.map((c) => c.toJSON()) };
  }

  /** A profile from its JSON form. */
  static fromJSON(json: DatasetProfileJSON, options: { categoryLimit?: number } = {}): DatasetProfile {
    const profile = new DatasetProfile([], options);
    profile.itemCount = json.itemCount;
    for (const column of json.columns) {
      profile.#index.set(column.name, profile.columns.length);
      profile.columns.push(ColumnProfile.fromJSON(column, options));
    }
    return profile;
  }
}
