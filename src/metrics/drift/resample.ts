/**
 * Resampling primitives of the calibration (hot loops over typed arrays: every replicate of every feature
 * runs them): random windows drawn from a pool, an exact sample split into a random window and the rest,
 * a sample minus a part, category counts as a Map, and numpy's linear quantile.
 */
import type { Rng } from '../../core/random.js';
import type { WeightedSample } from './sample.js';

/** numpy's default ("linear") quantile of an ascending array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/**
 * A window of `size` values from `pool`: a partial Fisher–Yates shuffle in place (a uniform random subset
 * whatever order the pool is left in by earlier draws, so the pool is filled once), or draws with
 * replacement.
 */
export function drawWindow(pool: Float64Array, size: number, subsample: boolean, rng: Rng): Float64Array {
  if (subsample) {
    for (let i = 0; i < size; i++) {
      const j = i + Math.floor(rng() * (pool.length - i));
      const t = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = t;
    }
    return pool.slice(0, size);
  }
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = pool[Math.floor(rng() * pool.length)] as number;
  return out;
}

/** Reusable buffers for `splitSorted` (sized for one sample). */
export class SplitScratch {
  readonly marks: Uint8Array;
  readonly picked: Int32Array;
  readonly windowValues: Float64Array;
  readonly windowWeights: Float64Array;
  readonly restValues: Float64Array;
  readonly restWeights: Float64Array;
  constructor(sample: WeightedSample) {
    this.marks = new Uint8Array(sample.total);
    this.picked = new Int32Array(Math.ceil(sample.total / 2) + 1);
    this.windowValues = new Float64Array(sample.values.length);
    this.windowWeights = new Float64Array(sample.values.length);
    this.restValues = new Float64Array(sample.values.length);
    this.restWeights = new Float64Array(sample.values.length);
  }
}

/**
 * A uniformly random subset of `size` records of an exact sample (integer weights), and the records left:
 * positions in sorted order are marked, then one walk splits each value's weight, so neither part needs
 * sorting. O(total) per call. The two samples are views on `scratch`: valid until the next call.
 */
export function splitSorted(
  sample: WeightedSample,
  size: number,
  rng: Rng,
  scratch: SplitScratch = new SplitScratch(sample),
): { window: WeightedSample; rest: WeightedSample } {
  const total = sample.total;
  const { marks, picked } = scratch;
  const pickWindow = size <= total / 2;
  const toMark = pickWindow ? size : total - size;
  for (let chosen = 0; chosen < toMark; ) {
    const p = Math.floor(rng() * total);
    if (marks[p] === 0) {
      marks[p] = 1;
      picked[chosen++] = p;
    }
  }
  const len = sample.values.length;
  const { windowValues: wv, windowWeights: ww, restValues: rv, restWeights: rw } = scratch;
  let nw = 0;
  let nr = 0;
  let pos = 0;
  for (let i = 0; i < len; i++) {
    const w = sample.weights[i] as number;
    let marked = 0;
    for (let q = pos; q < pos + w; q++) marked += marks[q] as number;
    pos += w;
    const inWindow = pickWindow ? marked : w - marked;
    const v = sample.values[i] as number;
    if (inWindow > 0) {
      wv[nw] = v;
      ww[nw++] = inWindow;
    }
    if (w - inWindow > 0) {
      rv[nr] = v;
      rw[nr++] = w - inWindow;
    }
  }
  for (let k = 0; k < toMark; k++) marks[picked[k] as number] = 0;
  return {
    window: { values: wv.subarray(0, nw), weights: ww.subarray(0, nw), total: size, rankErrorBound: 0 },
    rest: { values: rv.subarray(0, nr), weights: rw.subarray(0, nr), total: total - size, rankErrorBound: 0 },
  };
}

/** `all` minus `part` (every value of `part` is in `all` with at least its weight). */
export function subtractSample(all: WeightedSample, part: WeightedSample): WeightedSample {
  const values = new Float64Array(all.values.length);
  const weights = new Float64Array(all.values.length);
  let k = 0;
  let j = 0;
  for (let i = 0; i < all.values.length; i++) {
    const v = all.values[i] as number;
    let w = all.weights[i] as number;
    while (j < part.values.length && (part.values[j] as number) < v) j++;
    if (j < part.values.length && part.values[j] === v) w -= part.weights[j] as number;
    if (w > 0) {
      values[k] = v;
      weights[k] = w;
      k++;
    }
  }
  return {
    values: values.slice(0, k),
    weights: weights.slice(0, k),
    total: all.total - part.total,
    rankErrorBound: all.rankErrorBound,
  };
}

/** The non-zero counts of `names`, as the categorical tests take them. */
export function toCountMap(counts: Float64Array, names: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  counts.forEach((c, i) => {
    if (c > 0) map.set(names[i] as string, c);
  });
  return map;
}
