/**
 * KLL quantile sketch with Deequ's compaction rules, the sketch SageMaker Model Monitor writes into
 * `statistics.json` (`distribution.kll.sketch`, spec §3.3).
 *
 * Conventions (Deequ `QuantileNonSample` / `NonSampleCompactor`, awslabs/deequ):
 * - Parameters k (sketch size, 2048) and c (shrinking factor, 0.64). Level h holds items of weight 2^h.
 * - Capacity of level h: 2 * (ceil(k * c^h / 2) + 1). The sketch compacts when the number of items held
 *   exceeds the summed capacity of all levels: the lowest level at or over its capacity sorts the
 *   even-length prefix of its buffer, passes every second item (starting at `offset`) up one level, and keeps
 *   its last (unsorted) item when the buffer length is odd. `offset` flips on every odd-numbered compaction
 *   of a level (sequence 0, 1, 1, 0, 0, 1, ...).
 * - With at most 2050 values the sketch is exact: a single level holding every value in arrival order.
 * - Merge concatenates same-level buffers, then condenses while items >= total capacity.
 * - Ranks: inclusive = total weight of items <= x; exclusive = of items < x.
 *
 * Error: each compaction of level h can move the rank of any query by at most 2^h. The sketch tracks the
 * sum of squared compaction weights; `rankErrorBound()` is 3 standard deviations of the accumulated rank
 * error under the usual random-offset model, normalised by n (Deequ alternates offsets deterministically,
 * which in practice cancels errors at least as well). `maxRankError()` is the deterministic worst case.
 */

import { orderByValue, sortRuns } from './float-sort.js';

/** A KLL sketch's serialisable state (its levels, compaction counters and error accounting): `toJSON` / `fromJSON`. */
export interface KllState {
  k: number;
  c: number;
  levels: number[][];
  /** Per-level compaction counters (number of compactions so far), for exact continuation after a merge. */
  compactions: number[];
  offsets: number[];
  /** Sum over compactions of weight (2^h), and of weight squared: the error accounting. */
  errorSum: number;
  errorSumSquares: number;
}

/** The KLL sketch size k SageMaker uses (2048). */
export const KLL_DEFAULT_K = 2048;

/** The KLL shrinking factor c SageMaker uses (0.64). */
export const KLL_DEFAULT_C = 0.64;

/**
 * KLL quantile sketch with Deequ's compaction rules: the sketch SageMaker writes into `statistics.json`.
 * Exact up to 2050 values; mergeable; `rankErrorBound()` gives its normalised rank error.
 */
export class KllSketch {
  readonly k: number;
  readonly c: number;
  #buffers: Float64Array[] = [];
  #lengths: number[] = [];
  #compactions: number[] = [];
  #offsets: number[] = [];
  #capacities: number[] = [];
  #itemCount = 0;
  #totalCapacity = 0;
  #errorSum = 0;
  #errorSumSquares = 0;

  constructor(k = KLL_DEFAULT_K, c = KLL_DEFAULT_C) {
    if (!(k >= 2) || !(c > 0 && c <= 1)) throw new RangeError(`invalid KLL parameters k=${k} c=${c}`);
    this.k = k;
    this.c = c;
    this.#expand();
  }

  #capacity(height: number): number {
    return 2 * (Math.ceil((this.k * this.c ** height) / 2) + 1);
  }

  #expand(): void {
    const h = this.#buffers.length;
    const cap = this.#capacity(h);
    this.#capacities.push(cap);
    // Buffers start small and grow up to their full size (cap + 1 or + 2) as items arrive: a sketch of a
    // few values costs ~0.1 KB, not ~16 KB (10k columns of 20 rows each).
    this.#buffers.push(new Float64Array(Math.min(16, h === 0 ? cap + 1 : cap + 2)));
    this.#lengths.push(0);
    this.#compactions.push(0);
    this.#offsets.push(0);
    this.#totalCapacity += cap;
  }

  /**
   * Level `level`'s buffer with room for `extra` more items: grown (doubling up to the level's full size,
   * capacity + 1 at level 0 and + 2 above, and doubling past it) when they do not fit.
   */
  #room(level: number, extra: number): Float64Array {
    const buffer = this.#buffers[level]!;
    const len = this.#lengths[level]!;
    if (len + extra <= buffer.length) return buffer;
    const full = this.#capacities[level]! + (level === 0 ? 1 : 2);
    let size = buffer.length;
    while (size < len + extra) size = size < full ? Math.min(full, size * 2) : size * 2;
    const grown = new Float64Array(Math.max(16, size));
    grown.set(buffer.subarray(0, len));
    this.#buffers[level] = grown;
    return grown;
  }

  #push(level: number, value: number): void {
    const len = this.#lengths[level]!;
    this.#room(level, 1)[len] = value;
    this.#lengths[level] = len + 1;
  }

  /** Adds one value. NaN is ignored (callers count it as missing). */
  update(value: number): void {
    if (Number.isNaN(value)) return;
    this.#push(0, value);
    if (++this.#itemCount > this.#totalCapacity) this.#condense();
  }

  /**
   * Adds `values[0..n)` in order, exactly as calling `update` for each would: the values that fit before
   * the next compaction are copied into level 0 at once, then the sketch condenses (once, as `update` does
   * when a value takes it over its capacity). A batch holding NaN goes value by value.
   */
  updateBatch(values: Float64Array, n: number): void {
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(values[i]!)) {
        for (let j = 0; j < n; j++) this.update(values[j]!);
        return;
      }
    }
    let i = 0;
    while (i < n) {
      // `update` condenses after the value that takes the item count past the total capacity.
      const take = Math.min(n - i, Math.max(1, this.#totalCapacity - this.#itemCount + 1));
      const len = this.#lengths[0]!;
      this.#room(0, take).set(values.subarray(i, i + take), len);
      this.#lengths[0] = len + take;
      this.#itemCount += take;
      i += take;
      if (this.#itemCount > this.#totalCapacity) this.#condense();
    }
  }

  #condense(): void {
    for (let h = 0; h < this.#buffers.length; h++) {
      if (this.#lengths[h]! >= this.#capacities[h]!) {
        if (h + 1 >= this.#buffers.length) this.#expand();
        this.#compact(h);
        return;
      }
    }
  }

  #compact(h: number): void {
    const buffer = this.#buffers[h]!;
    const items = this.#lengths[h]!;
    const len = items - (items % 2);
    if (this.#compactions[h]! % 2 === 1) this.#offsets[h] = 1 - this.#offsets[h]!;
    const offset = this.#offsets[h]!;
    const tail = items % 2 === 1 ? buffer[items - 1]! : undefined;
    const sorted = sortRuns(buffer.subarray(0, len));
    // Every second item up one level, written straight into its buffer (room made once).
    const up = h + 1;
    let at = this.#lengths[up]!;
    const next = this.#room(up, len / 2);
    for (let i = offset; i < len; i += 2) next[at++] = sorted[i]!;
    this.#lengths[up] = at;
    this.#lengths[h] = 0;
    if (tail !== undefined) {
      buffer[0] = tail;
      this.#lengths[h] = 1;
    }
    this.#compactions[h] = this.#compactions[h]! + 1;
    const weight = 2 ** h;
    this.#errorSum += weight;
    this.#errorSumSquares += weight * weight;
    this.#itemCount -= len / 2;
  }

  /** Merges another sketch into this one (Deequ's merge). The other sketch is not changed. */
  merge(other: KllSketch): this {
    if (other.k !== this.k || other.c !== this.c) {
      throw new RangeError(
        `cannot merge KLL sketches with different parameters (${this.k},${this.c}) vs (${other.k},${other.c})`,
      );
    }
    while (this.#buffers.length < other.#buffers.length) this.#expand();
    for (let h = 0; h < other.#buffers.length; h++) {
      const src = other.#buffers[h]!;
      const n = other.#lengths[h]!;
      for (let i = 0; i < n; i++) this.#push(h, src[i]!);
      this.#itemCount += n;
    }
    this.#errorSum += other.#errorSum;
    this.#errorSumSquares += other.#errorSumSquares;
    while (this.#itemCount >= this.#totalCapacity) {
      const before = this.#itemCount;
      this.#condense();
      if (this.#itemCount === before) break;
    }
    return this;
  }

  /** Total weight: the number of values the sketch summarises. */
  get count(): number {
    let total = 0;
    for (let h = 0; h < this.#buffers.length; h++) total += this.#lengths[h]! * 2 ** h;
    return total;
  }

  /** Number of items held (not weighted). */
  get size(): number {
    return this.#itemCount;
  }

  get isEmpty(): boolean {
    return this.#itemCount === 0;
  }

  /** Weighted rank of x: items <= x (inclusive) or < x (exclusive). */
  rank(x: number, inclusive: boolean): number {
    let r = 0;
    for (let h = 0; h < this.#buffers.length; h++) {
      const buffer = this.#buffers[h]!;
      const n = this.#lengths[h]!;
      const w = 2 ** h;
      let c = 0;
      if (inclusive) {
        for (let i = 0; i < n; i++) if (buffer[i]! <= x) c++;
      } else {
        for (let i = 0; i < n; i++) if (buffer[i]! < x) c++;
      }
      r += c * w;
    }
    return r;
  }

  /** Items in ascending order with their weights (ties kept as separate entries). */
  sortedView(): { values: Float64Array; weights: Float64Array } {
    const n = this.#itemCount;
    const pairs = new Float64Array(n);
    const levelOf = new Uint8Array(n);
    let j = 0;
    for (let h = 0; h < this.#buffers.length; h++) {
      const buffer = this.#buffers[h]!;
      const len = this.#lengths[h]!;
      for (let i = 0; i < len; i++) {
        pairs[j] = buffer[i]!;
        levelOf[j] = h;
        j++;
      }
    }
    const order = orderByValue(pairs);
    const values = new Float64Array(n);
    const weights = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const idx = order[i]!;
      values[i] = pairs[idx]!;
      weights[i] = 2 ** levelOf[idx]!;
    }
    return { values, weights };
  }

  /**
   * The value at normalised rank q in [0, 1]: the smallest item whose inclusive weighted rank is >= q * n
   * (q = 0 gives the smallest item). NaN when empty.
   */
  quantile(q: number): number {
    const { values, weights } = this.sortedView();
    if (values.length === 0) return Number.NaN;
    const target = Math.min(1, Math.max(0, q)) * this.count;
    let acc = 0;
    for (let i = 0; i < values.length; i++) {
      acc += weights[i]!;
      if (acc >= target) return values[i]!;
    }
    return values[values.length - 1]!;
  }

  /** Normalised rank error at ~99.7% confidence (3 sigma of the accumulated compaction error), 0 while exact. */
  rankErrorBound(): number {
    const n = this.count;
    return n === 0 ? 0 : (3 * Math.sqrt(this.#errorSumSquares)) / n;
  }

  /** Deterministic worst-case normalised rank error. */
  maxRankError(): number {
    const n = this.count;
    return n === 0 ? 0 : this.#errorSum / n;
  }

  /** The compactor buffers, level 0 first (statistics.json `sketch.data`). */
  levels(): number[][] {
    return this.#buffers.map((b, h) => Array.from(b.subarray(0, this.#lengths[h]!)));
  }

  /** The full state (levels, compaction counters, error accounting). */
  toJSON(): KllState {
    return {
      k: this.k,
      c: this.c,
      levels: this.levels(),
      compactions: [...this.#compactions],
      offsets: [...this.#offsets],
      errorSum: this.#errorSum,
      errorSumSquares: this.#errorSumSquares,
    };
  }

  /** Rebuilds a sketch from its levels (as in statistics.json) or from a full state. */
  static fromJSON(state: Pick<KllState, 'levels'> & Partial<KllState>): KllSketch {
    const sketch = new KllSketch(state.k ?? KLL_DEFAULT_K, state.c ?? KLL_DEFAULT_C);
    const levels = state.levels;
    while (sketch.#buffers.length < Math.max(1, levels.length)) sketch.#expand();
    for (let h = 0; h < levels.length; h++) {
      for (const v of levels[h]!) {
        if (typeof v !== 'number' || Number.isNaN(v)) continue;
        sketch.#push(h, v);
        sketch.#itemCount++;
      }
      sketch.#compactions[h] = state.compactions?.[h] ?? 0;
      sketch.#offsets[h] = state.offsets?.[h] ?? 0;
    }
    sketch.#errorSum = state.errorSum ?? 0;
    sketch.#errorSumSquares = state.errorSumSquares ?? 0;
    if (state.errorSum === undefined) {
      // Unknown history (a file SageMaker wrote): assume every level above 0 came from full compactions.
      for (let h = 1; h < levels.length; h++) {
        const w = 2 ** (h - 1);
        const compactionsEstimate = (levels[h]!.length * 2 ** h) / (w * sketch.#capacity(h - 1));
        sketch.#errorSum += w * Math.max(1, compactionsEstimate);
        sketch.#errorSumSquares += w * w * Math.max(1, compactionsEstimate);
      }
    }
    return sketch;
  }
}
