/**
 * The mergeable profile of a table: the number of rows and one ColumnProfile per column, in first-seen
 * order. Columns can appear after the first row (JSON keys, extra CSV columns): a column's missing count is
 * always `itemCount - numPresent`, so rows seen before it existed count as missing.
 * Column names are untrusted text: they are kept in a Map, never used as object keys.
 */
import { ColumnProfile, type ColumnProfileJSON } from './column-profile.js';

/** The JSON form of a {@link DatasetProfile}. */
export interface DatasetProfileJSON {
  version: 1;
  itemCount: number;
  columns: ColumnProfileJSON[];
}

/**
 * What `DatasetProfile.addDelimitedRow` hands back about a row, for callers that need its values too (the
 * multivariate collector), like `addRow`'s `numbers`: slot i of `numbers` receives column i's number as
 * parsed (NaN when missing or not a number), and for the columns marked 1 in `textColumns` the cell's
 * place, no string made for it: it is `lines[i].slice(starts[i], ends[i])`, where `lines[i]` is the text
 * given (`first` or `second`) that holds it, or undefined when the cell is empty. Slots past the row's
 * cells: NaN, undefined. The arrays are as long as the profile has columns.
 */
export interface DelimitedRowOutput {
  numbers: Float64Array;
  lines: Array<string | undefined>;
  starts: Int32Array;
  ends: Int32Array;
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

  // Where the cells of the last row counted end, for `first` and for `second`: `addDelimitedRow` of the
  // same texts reads them from here.
  readonly #first = new CellEnds();
  readonly #second = new CellEnds();

  /**
   * The number of comma-separated cells of `first` and `second` together (an absent text has none), as
   * `addDelimitedRow` of the same texts will take them: a caller checks a row's width with it first, and the
   * cells are found once for both.
   */
  countDelimitedCells(first: string | undefined, second: string | undefined): number {
    return this.#first.of(first) + this.#second.of(second);
  }

  /**
   * Adds one row given as the text of its cells separated by commas, the cells of `first` then those of
   * `second` (either may be absent): the same as `addRow` of the split cells, an empty cell missing. The
   * caller guarantees plain cells (no quotes, no line breaks) and no more cells than columns. Numbers are
   * read where they lie (`ColumnProfile.addText`). With `out`, the row's numbers (and texts of some
   * columns) are handed back as well (`DelimitedRowOutput`).
   */
  addDelimitedRow(first: string | undefined, second: string | undefined, out?: DelimitedRowOutput): void {
    const a = this.#first;
    const b = this.#second;
    a.of(first);
    b.of(second);
    this.itemCount++;
    let column = 0;
    if (out === undefined) {
      if (first !== undefined) column = this.#addDelimitedCells(first, a.ends, a.cells, column);
      if (second !== undefined) this.#addDelimitedCells(second, b.ends, b.cells, column);
      return;
    }
    if (first !== undefined) column = this.#addDelimitedCellsOut(first, a.ends, a.cells, column, out);
    if (second !== undefined) column = this.#addDelimitedCellsOut(second, b.ends, b.cells, column, out);
    const { numbers, lines, textColumns } = out;
    for (let c = column; c < numbers.length; c++) {
      numbers[c] = Number.NaN;
      if (textColumns[c] === 1) lines[c] = undefined;
    }
  }

  /** `#addDelimitedCells`, also handing back each cell's number and where the `textColumns`' cells lie. */
  #addDelimitedCellsOut(
    text: string,
    ends: Int32Array,
    cells: number,
    column: number,
    out: DelimitedRowOutput,
  ): number {
    const columns = this.columns;
    const { numbers, lines, starts, ends: cellEnds, textColumns } = out;
    const next = column + cells;
    const last = Math.min(next, columns.length);
    let start = 0;
    for (let i = 0; column < last; i++, column++) {
      const end = ends[i]!;
      const present = end > start;
      numbers[column] = present ? columns[column]!.addText(text, start, end) : Number.NaN;
      if (textColumns[column] === 1) {
        lines[column] = present ? text : undefined;
        starts[column] = start;
        cellEnds[column] = end;
      }
      start = end + 1;
    }
    return next;
  }

  /** The `cells` cells of `text` (ending at `ends`) into the columns from `column` on; the next column. */
  #addDelimitedCells(text: string, ends: Int32Array, cells: number, column: number): number {
    const columns = this.columns;
    const next = column + cells;
    const last = Math.min(next, columns.length);
    let start = 0;
    for (let i = 0; column < last; i++, column++) {
      const end = ends[i]!;
      if (end > start) columns[column]!.addText(text, start, end);
      start = end + 1;
    }
    return next;
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

/** Where the comma-separated cells of the last text asked for end (their commas, then the text's length). */
class CellEnds {
  text: string | undefined;
  ends = new Int32Array(64);
  /** The number of cells of `text` (0 when absent). */
  cells = 0;

  /** The number of cells of `text`, their ends found unless `text` is the one asked for last. */
  of(text: string | undefined): number {
    if (text === this.text) return this.cells;
    this.text = text;
    this.cells = text === undefined ? 0 : this.#find(text);
    return this.cells;
  }

  /** Finds the ends of `text`'s cells (into `ends`, grown as needed): their number. */
  #find(text: string): number {
    let n = 0;
    for (let comma = text.indexOf(','); ; comma = text.indexOf(',', comma + 1)) {
      if (n === this.ends.length) {
        const grown = new Int32Array(n * 2);
        grown.set(this.ends);
        this.ends = grown;
      }
      if (comma === -1) {
        this.ends[n++] = text.length;
        return n;
      }
      this.ends[n++] = comma;
    }
  }
}
