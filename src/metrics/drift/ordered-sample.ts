/**
 * A bounded sample of one column in arrival order, for calibrating drift thresholds (issue 14): the
 * resampling of `calibrate.ts` needs raw values in the order they came (chunks carry the baseline's slow
 * variation), but a baseline may be far larger than memory allows to keep.
 *
 * Systematic thinning: every `stride`-th row is kept; when the sample is full, every other kept row is
 * dropped and the stride doubles. What remains is every `stride`-th row of the stream (a deterministic,
 * evenly spread sample in arrival order), between cap/2 and cap rows once the stream has passed cap rows.
 * Numbers and category codes are kept side by side, so one sample serves a column whatever type it is
 * inferred to have at the end: a row's numeric slot is NaN when its cell is not a finite number, its code
 * slot is -1 when the cell is missing or past `maxCategories` distinct values.
 */
import { classifyValue, parsed } from '../profile/infer-type.js';

/** Default rows kept per column (8 bytes + 4 bytes each). */
export const DEFAULT_ORDERED_SAMPLE_CAP = 200_000;
/** Distinct category values given a code; later new values are counted as not coded. */
export const DEFAULT_ORDERED_SAMPLE_CATEGORIES = 10_000;

export class OrderedColumnSample {
  readonly cap: number;
  readonly maxCategories: number;
  #numbers: Float64Array;
  #codes: Int32Array;
  #length = 0;
  readonly #names: string[] = [];
  readonly #codeOf = new Map<string, number>();
  /** Values past `maxCategories` that got no code (counted, not silently dropped). */
  uncoded = 0;

  constructor(cap = DEFAULT_ORDERED_SAMPLE_CAP, maxCategories = DEFAULT_ORDERED_SAMPLE_CATEGORIES) {
    if (!(cap >= 2)) throw new RangeError('cap must be at least 2');
    // Even, so that halving keeps exactly the rows at multiples of the doubled stride.
    this.cap = 2 * Math.floor(cap / 2);
    this.maxCategories = maxCategories;
    this.#numbers = new Float64Array(this.cap);
    this.#codes = new Int32Array(this.cap);
  }

  get length(): number {
    return this.#length;
  }

  /** Adds one kept row's cell: its number (NaN when not a finite number) and its text (undefined = missing). */
  push(value: number, text: string | undefined): void {
    if (this.#length === this.cap) this.#halve();
    this.#numbers[this.#length] = value;
    let code = -1;
    if (text !== undefined) {
      const known = this.#codeOf.get(text);
      if (known !== undefined) code = known;
      else if (this.#names.length < this.maxCategories) {
        code = this.#names.length;
        this.#names.push(text);
        this.#codeOf.set(text, code);
      } else this.uncoded++;
    }
    this.#codes[this.#length] = code;
    this.#length++;
  }

  /** The kept finite numbers, in arrival order. */
  numbers(): Float64Array {
    return this.#numbers.slice(0, this.#length).filter((v) => Number.isFinite(v));
  }

  /** The kept cells as numbers, aligned with the other columns' rows (NaN where not a finite number). */
  rawNumbers(): Float64Array {
    return this.#numbers.slice(0, this.#length);
  }

  /** The kept category codes aligned with the other columns' rows (-1 where missing or not coded). */
  rawCodes(): Int32Array {
    return this.#codes.slice(0, this.#length);
  }

  /** The kept category codes (missing and uncoded left out), in arrival order, and their names. */
  categories(): { codes: Int32Array; names: readonly string[] } {
    return { codes: this.#codes.slice(0, this.#length).filter((c) => c >= 0), names: this.#names };
  }

  #halve(): void {
    let k = 0;
    for (let i = 0; i < this.#length; i += 2, k++) {
      this.#numbers[k] = this.#numbers[i] as number;
      this.#codes[k] = this.#codes[i] as number;
    }
    this.#length = k;
  }
}

/**
 * One stride for every column of a dataset: row r is kept when r is a multiple of the stride, which doubles
 * (and every column halves its sample) whenever the samples are full.
 */
export class OrderedDatasetSample {
  readonly cap: number;
  readonly columns: OrderedColumnSample[] = [];
  #stride = 1;
  #row = 0;
  #kept = 0;

  constructor(cap = DEFAULT_ORDERED_SAMPLE_CAP) {
    if (!(cap >= 2)) throw new RangeError('cap must be at least 2');
    this.cap = 2 * Math.floor(cap / 2);
  }

  get stride(): number {
    return this.#stride;
  }

  /** Rows seen. */
  get rows(): number {
    return this.#row;
  }

  /** Whether the next row is kept; call `keep` with its cells when it is. Advances the row count. */
  next(): boolean {
    const keep = this.#row % this.#stride === 0;
    this.#row++;
    return keep;
  }

  /** Adds the cells of a row `next()` said to keep (numbers as parsed, NaN when not a finite number). */
  keep(numbers: ArrayLike<number>, texts: ArrayLike<string | undefined>): void {
    this.#beginRow();
    for (let c = 0; c < numbers.length; c++) this.#column(c).push(numbers[c] as number, texts[c]);
    this.#endRow(numbers.length);
  }

  /**
   * Adds a kept row as read (`Cell`s): each cell's number parsed as the profile parses it (or taken from
   * `numbers`, the row's numbers as `DatasetProfile.addRow` already parsed them), and its text as the
   * profile keys categories (nested values and missing cells get no code).
   */
  keepCells(cells: ArrayLike<unknown>, numbers?: ArrayLike<number>): void {
    this.#beginRow();
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c];
      let value: number;
      if (numbers !== undefined && c < numbers.length) value = numbers[c] as number;
      else {
        classifyValue(cell);
        value = parsed.value;
      }
      const missing = cell === null || cell === undefined || cell === '' || typeof cell === 'object';
      this.#column(c).push(Number.isFinite(value) ? value : Number.NaN, missing ? undefined : String(cell));
    }
    this.#endRow(cells.length);
  }

  #beginRow(): void {
    if (this.#kept === this.cap) {
      this.#stride *= 2;
      this.#kept = Math.ceil(this.#kept / 2);
    }
  }

  #column(c: number): OrderedColumnSample {
    let column = this.columns[c];
    if (!column) {
      column = new OrderedColumnSample(this.cap);
      // A column that appears late has no cells for the rows kept before it: they are missing.
      for (let i = 0; i < this.#kept; i++) column.push(Number.NaN, undefined);
      this.columns[c] = column;
    }
    return column;
  }

  /** Short rows: the columns past the row's cells are missing in it. */
  #endRow(cells: number): void {
    for (let c = cells; c < this.columns.length; c++) this.columns[c]?.push(Number.NaN, undefined);
    this.#kept++;
  }
}
