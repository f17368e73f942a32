/**
 * The mergeable profile of one column: what statistics.json needs and what the checks compare.
 *
 * - Counts: present/missing, and per value class (Deequ's Integral / Fractional / Boolean / String).
 * - Numeric values (Integral and Fractional cells with a finite value): Moments + KLL sketch.
 *   Finite-overflow literals (`1e309`) keep their class but are counted in `nonFinite` and left out of the
 *   numeric statistics.
 * - Categorical counts of the values' text, up to `categoryLimit` distinct values; past the limit new values
 *   are counted in `categoriesOverflow`. While a column has only numeric values, category counting stops at
 *   the limit to keep numeric columns cheap.
 * - Approximate distinct count (HyperLogLog; exact below 2048).
 */
import { detachString } from '../../core/strings.js';
import { NOT_SENSITIVE } from '../sensitive/detectors.js';
import { SensitiveFindings, type SensitiveFindingsJSON } from '../sensitive/findings.js';
import { type HllState, HyperLogLog, hashNumber } from '../sketches/hll.js';
import { KllSketch, type KllState } from '../sketches/kll.js';
import { type DelimitedCells, OTHER } from './delimited-cells.js';
import { classifyValue, type InferredType, inferColumnType, parsed, ValueClass } from './infer-type.js';
import { Moments, type MomentsState } from './moments.js';

/** Distinct values counted per column before the rest go uncounted (`categoriesOverflow`). */
export const DEFAULT_CATEGORY_LIMIT = 10_000;
/** Numeric values counted as categories before the first text value (see `add`). */
const NUMERIC_CATEGORY_SAMPLE = 10_000;
const BATCH = 1024;
/** Text values per column matched in place by `addCell` (a categorical column's few values). */
const KNOWN_TEXTS = 8;

/** The JSON form of a {@link ColumnProfile}. */
export interface ColumnProfileJSON {
  name: string;
  numPresent: number;
  classCounts: { integral: number; fractional: number; boolean: number; string: number };
  nonFinite: number;
  moments: MomentsState | null;
  kll: KllState;
  categories: Array<[string, number]>;
  categoriesOverflow: number;
  categoriesComplete: boolean;
  distinct: HllState;
  /** Sensitive-data findings (absent in profiles written before they existed). */
  sensitive?: SensitiveFindingsJSON;
}

/**
 * The mergeable profile of one column: counts per value class, moments and a KLL sketch of its numbers,
 * category counts (up to `categoryLimit`, default 10,000) and an approximate distinct count.
 */
export class ColumnProfile {
  readonly name: string;
  numPresent = 0;
  integral = 0;
  fractional = 0;
  boolean = 0;
  string = 0;
  nonFinite = 0;
  readonly #moments = new Moments();
  #kll: KllSketch;
  /** Numeric values not yet folded into moments, sketch and distinct count (hot loops on a typed array). */
  /**
   * Starts at 16 values and doubles at each flush up to BATCH: a column of few values (10k columns of 20
   * rows) does not pay 8 KB for it.
   */
  #batch = new Float64Array(16);
  #batchLength = 0;
  readonly #categories = new Map<string, number>();
  categoriesOverflow = 0;
  /** False once values went uncounted in `categories` (numeric column past the limit). */
  categoriesComplete = true;
  #distinct = new HyperLogLog();
  readonly categoryLimit: number;
  /** Values of sensitive types (e-mail, card numbers, ...): text values and long or `+` digit strings. */
  sensitive = new SensitiveFindings();
  /** The sensitive values among `categories`, with their type index. */
  readonly #sensitiveValues = new Map<string, number>();
  /**
   * The first few text values (String or Boolean class) counted in `categories`, with their class, their
   * sensitive type (or NOT_SENSITIVE) and the times counted since `categories` was last read: `addCell`
   * recognises them where they lie and counts them here, without a substring, a classification, a Map
   * update or the distinct count (adding a value again changes no sketch of distinct values). Reading
   * `categories` adds the pending counts to it and forgets these values (the reader may change the Map);
   * `#addClassified` makes them known again as they recur.
   */
  readonly #knownTexts: string[] = [];
  readonly #knownClasses: ValueClass[] = [];
  readonly #knownSensitive = new Int32Array(KNOWN_TEXTS);
  readonly #knownCounts = new Float64Array(KNOWN_TEXTS);
  /** Whether `categories` was read, so that values counted before may be made known again. */
  #forgotten = false;

  constructor(name: string, options: { categoryLimit?: number; kllK?: number; kllC?: number } = {}) {
    this.name = name;
    this.categoryLimit = options.categoryLimit ?? DEFAULT_CATEGORY_LIMIT;
    this.#kll = new KllSketch(options.kllK, options.kllC);
  }

  #flush(): void {
    const n = this.#batchLength;
    if (n === 0) return;
    this.#batchLength = 0;
    const batch = this.#batch;
    this.#moments.addBatch(batch, n);
    this.#kll.updateBatch(batch, n);
    this.#distinct.addNumbers(batch, n);
  }

  get moments(): Moments {
    this.#flush();
    return this.#moments;
  }

  get kll(): KllSketch {
    this.#flush();
    return this.#kll;
  }

  get distinct(): HyperLogLog {
    this.#flush();
    return this.#distinct;
  }

  /**
   * Adds one cell; null, undefined, NaN and '' are missing (the caller counts rows). Returns the cell's
   * number as parsed (NaN when it is missing or not a number), so that callers needing it do not parse again.
   */
  add(cell: unknown): number {
    const cls = classifyValue(cell);
    if (cls === ValueClass.Unknown) return Number.NaN;
    return this.#addClassified(cls, cell);
  }

  /**
   * Adds cell `i` of a row scanned by `DelimitedCells` (ASCII, not empty) exactly as `add` of its text would.
   * A number that no category count and no sensitive-data check needs (a numeric column past its first
   * 10,000 values, fewer than 13 characters, no `+`) is counted from the scan, and a text value counted
   * before is matched in place: no string is made for either. No double crosses the call either way (the
   * cell's number is `cells.values[i]`, or for an `OTHER` cell what its text reads as): one passed to or
   * returned from a call that is not inlined is boxed, 159 MB of garbage per 1M-record execution.
   * @internal `DatasetProfile.addDelimitedRow`'s, not part of the library's API.
   */
  addCell(cells: DelimitedCells, i: number): void {
    const bytes = cells.bytes!;
    const start = cells.starts[i]!;
    const end = cells.ends[i]!;
    const kind = cells.kinds[i]!;
    if (kind !== OTHER) {
      if (
        this.string + this.boolean === 0 &&
        this.integral + this.fractional >= NUMERIC_CATEGORY_SAMPLE &&
        end - start < 13 &&
        bytes[start] !== 43
      ) {
        this.numPresent++;
        if (kind === ValueClass.Integral) this.integral++;
        else this.fractional++;
        this.#addNumberAt(cells.values, i);
        this.categoriesComplete = false;
        return;
      }
    } else {
      const known = this.#knownTexts;
      for (let k = 0; k < known.length; k++) {
        if (cells.cellIs(i, known[k]!)) {
          this.#addKnown(k);
          return;
        }
      }
    }
    this.add(bytes.toString('latin1', start, end));
  }

  /**
   * Category counts of the values' text (up to `categoryLimit` values; see the class comment). Its counts
   * are complete when read: counts kept aside (`#knownCounts`) are added first.
   */
  get categories(): Map<string, number> {
    const known = this.#knownTexts;
    for (let k = 0; k < known.length; k++) {
      const pending = this.#knownCounts[k]!;
      if (pending > 0) this.#categories.set(known[k]!, this.#categories.get(known[k]!)! + pending);
    }
    this.#knownCounts.fill(0);
    known.length = 0;
    this.#knownClasses.length = 0;
    this.#forgotten = true;
    return this.#categories;
  }

  /**
   * Makes a String or Boolean value counted in `categories` known (see `#knownTexts`) while there is room,
   * unless it is already.
   */
  #know(cls: ValueClass, text: string, type: number): void {
    const known = this.#knownTexts;
    if ((cls !== ValueClass.String && cls !== ValueClass.Boolean) || known.length === KNOWN_TEXTS) return;
    if (this.#forgotten && known.includes(text)) return;
    this.#knownSensitive[known.length] = type;
    known.push(detachString(text));
    this.#knownClasses.push(cls);
  }

  /** `add` of known text value `k` again, as `#addClassified` counts a value already in `categories`. */
  #addKnown(k: number): void {
    this.numPresent++;
    if (this.#knownClasses[k] === ValueClass.Boolean) this.boolean++;
    else this.string++;
    this.#knownCounts[k]!++;
    const type = this.#knownSensitive[k]!;
    if (type !== NOT_SENSITIVE) this.sensitive.addIndex(type);
  }

  /**
   * A text value already in `categories` (`seen` times) counted once more; a String's sensitive type was
   * found when it was first counted (detection runs once per value).
   */
  #countAgain(cls: ValueClass, text: string, seen: number): void {
    this.#categories.set(text, seen + 1);
    if (cls === ValueClass.String && this.#sensitiveValues.size > 0) {
      const type = this.#sensitiveValues.get(text);
      if (type !== undefined) this.sensitive.addIndex(type);
    }
  }

  /** A number of a numeric cell: batched for moments, sketch and distinct count; non-finite ones counted. */
  #addNumber(x: number): void {
    this.#batch[this.#batchLength] = x;
    this.#takeNumber();
  }

  /**
   * `#addNumber(values[i])`, the double read from one typed array into the other, so that none crosses the
   * call from `addCell` (which V8 does not always inline; see `addCell`).
   */
  #addNumberAt(values: Float64Array, i: number): void {
    this.#batch[this.#batchLength] = values[i]!;
    this.#takeNumber();
  }

  /** Keeps the number just written past the batch's end, or counts it as non-finite. */
  #takeNumber(): void {
    const batch = this.#batch;
    const x = batch[this.#batchLength]!;
    if (x - x === 0) {
      this.#batchLength++;
      if (this.#batchLength === batch.length) {
        this.#flush();
        if (batch.length < BATCH) this.#batch = new Float64Array(batch.length * 2);
      }
    } else {
      this.nonFinite++;
      this.#distinct.addHash(hashNumber(x));
    }
  }

  /** `add` of a present cell of class `cls` (its number, if any, in `parsed.value`). */
  #addClassified(cls: ValueClass, cell: unknown): number {
    this.numPresent++;
    let text: string | undefined;
    let value = Number.NaN;
    switch (cls) {
      case ValueClass.Integral:
      case ValueClass.Fractional: {
        if (cls === ValueClass.Integral) this.integral++;
        else this.fractional++;
        const x = parsed.value;
        // Card numbers and `+` phone numbers are digit strings; other numbers are never sensitive.
        if (typeof cell === 'string' && (cell.length >= 13 || cell.charCodeAt(0) === 43))
          this.sensitive.add(cell);
        this.#addNumber(x);
        // Numeric values are counted as categories only while the column might still turn out String:
        // for its first values, or once text has appeared.
        if (this.integral + this.fractional <= NUMERIC_CATEGORY_SAMPLE || this.string + this.boolean > 0) {
          text = typeof cell === 'string' ? cell : String(cell);
        } else {
          this.categoriesComplete = false;
          return x;
        }
        if (this.#categories.size >= this.categoryLimit && this.string + this.boolean === 0) {
          this.categoriesComplete = false;
          return x;
        }
        value = x;
        break;
      }
      case ValueClass.Boolean:
        this.boolean++;
        text = typeof cell === 'string' ? cell : String(cell);
        this.#distinct.addString(text);
        break;
      default:
        this.string++;
        text = typeof cell === 'string' ? cell : (JSON.stringify(cell) ?? String(cell));
        this.#distinct.addString(text);
        break;
    }
    const categories = this.#categories;
    const seen = categories.get(text);
    if (seen !== undefined) {
      this.#countAgain(cls, text, seen);
      if (this.#forgotten) this.#know(cls, text, this.#sensitiveValues.get(text) ?? NOT_SENSITIVE);
      return value;
    }
    const type = cls === ValueClass.String ? this.sensitive.add(text) : NOT_SENSITIVE;
    if (categories.size < this.categoryLimit) {
      const kept = detachString(text);
      categories.set(kept, 1);
      if (type !== NOT_SENSITIVE) this.#sensitiveValues.set(kept, type);
      this.#know(cls, kept, type);
    } else this.categoriesOverflow++;
    return value;
  }

  get inferredType(): InferredType {
    return inferColumnType(this);
  }

  /** Count of values per class, in the names of the CloudWatch `feature_*_counts_<f>` metrics. */
  get classCounts(): { integral: number; fractional: number; boolean: number; string: number } {
    return {
      integral: this.integral,
      fractional: this.fractional,
      boolean: this.boolean,
      string: this.string,
    };
  }

  /** Adds another profile of the same column (another part of the data) to this one. */
  merge(other: ColumnProfile): this {
    this.numPresent += other.numPresent;
    this.integral += other.integral;
    this.fractional += other.fractional;
    this.boolean += other.boolean;
    this.string += other.string;
    this.nonFinite += other.nonFinite;
    this.moments.merge(other.moments);
    this.kll.merge(other.kll);
    this.distinct.merge(other.distinct);
    for (const [value, count] of other.categories) {
      const seen = this.categories.get(value);
      if (seen !== undefined) this.categories.set(value, seen + count);
      else if (this.categories.size < this.categoryLimit) this.categories.set(value, count);
      else this.categoriesOverflow += count;
    }
    this.categoriesOverflow += other.categoriesOverflow;
    this.categoriesComplete &&= other.categoriesComplete;
    this.sensitive.merge(other.sensitive);
    return this;
  }

  /** The JSON form (for storing partial profiles). */
  toJSON(): ColumnProfileJSON {
    return {
      name: this.name,
      numPresent: this.numPresent,
      classCounts: this.classCounts,
      nonFinite: this.nonFinite,
      moments: this.moments.count > 0 ? this.moments.toJSON() : null,
      kll: this.kll.toJSON(),
      categories: [...this.categories],
      categoriesOverflow: this.categoriesOverflow,
      categoriesComplete: this.categoriesComplete,
      distinct: this.distinct.toJSON(),
      ...(this.sensitive.any ? { sensitive: this.sensitive.toJSON() } : {}),
    };
  }

  /** A profile from its JSON form. */
  static fromJSON(json: ColumnProfileJSON, options: { categoryLimit?: number } = {}): ColumnProfile {
    const p = new ColumnProfile(json.name, { ...options, kllK: json.kll.k, kllC: json.kll.c });
    p.numPresent = json.numPresent;
    p.integral = json.classCounts.integral;
    p.fractional = json.classCounts.fractional;
    p.boolean = json.classCounts.boolean;
    p.string = json.classCounts.string;
    p.nonFinite = json.nonFinite;
    if (json.moments) p.#moments.merge(json.moments);
    p.#kll = KllSketch.fromJSON(json.kll);
    for (const [value, count] of json.categories) p.categories.set(value, count);
    p.categoriesOverflow = json.categoriesOverflow;
    p.categoriesComplete = json.categoriesComplete;
    p.#distinct = HyperLogLog.fromJSON(json.distinct);
    p.sensitive = SensitiveFindings.fromJSON(json.sensitive);
    return p;
  }
}
