/**
 * SageMaker Model Monitor's drift distances (Deequ `Distance.scala`, spec §5.3): L-infinity between
 * CDFs (numeric) or between category frequencies (categorical), plain ("Simple") or less the two-sample
 * KS critical value ("Robust"), and Deequ's chi-square goodness-of-fit with small-category merging.
 */
import { gammainc } from '../special.js';
import { walkCdfStretches } from './cdf-walk.js';
import type { WeightedSample } from './sample.js';

/** Deequ's default cα (α ≈ 0.003). */
export const DEFAULT_C_ALPHA = 1.8;

/** SageMaker/Deequ L-infinity variant: `Simple`, or `Robust` (minus 1.8·sqrt((n+m)/(n·m))). */
export type LinfMethod = 'Simple' | 'Robust';

/** An L-infinity distance and what it was computed from. */
export interface LinfResult {
  /** The distance selected by `method`. NaN when either side is empty (no decision). */
  distance: number;
  /** The plain L-infinity distance, whatever the method. */
  simple: number;
  /** Total weight of the baseline. */
  n: number;
  /** Total weight of the current data. */
  m: number;
}

/** Deequ's cα for a significance level α: sqrt(−ln(α/2) / 2). */
export function cAlphaFor(alpha: number): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2);
}

/** The Robust penalty cα·sqrt((n + m) / (n·m)). */
export function linfRobustPenalty(n: number, m: number, cAlpha = DEFAULT_C_ALPHA): number {
  return cAlpha * Math.sqrt((n + m) / (n * m));
}

function select(simple: number, n: number, m: number, method: LinfMethod, cAlpha: number): LinfResult {
  if (!(n > 0) || !(m > 0)) return { distance: Number.NaN, simple: Number.NaN, n, m };
  const distance = method === 'Simple' ? simple : Math.max(0, simple - linfRobustPenalty(n, m, cAlpha));
  return { distance, simple, n, m };
}

/**
 * Largest absolute difference between the two weighted CDFs, evaluated at every value held by either
 * sample, with inclusive ranks: F(x) = (total weight of items ≤ x) / total. (Deequ evaluates
 * `getRank(key)` over the union of both sketches' items; the KS statistic is the same number.)
 * One merge pass, O(len(a) + len(b)).
 */
export function maxCdfDifference(a: WeightedSample, b: WeightedSample): number {
  const na = a.values.length;
  const nb = b.values.length;
  // A small window against a large baseline: binary searches beat a full merge.
  if (na > 64 * nb) return maxCdfDifferenceBySearch(a, b, false);
  if (nb > 64 * na) return maxCdfDifferenceBySearch(b, a, true);
  return maxCdfDifferenceByMerge(a, b);
}

/** One merge pass: the CDFs on every stretch between pooled values (both are 1 after the last one). */
function maxCdfDifferenceByMerge(a: WeightedSample, b: WeightedSample): number {
  let best = 0;
  walkCdfStretches(a, b, (fa, fb) => {
    const d = Math.abs(fa - fb);
    if (d > best) best = d;
  });
  return best;
}

/** Cumulative weights of a sample (inclusive), memoised per sample object. */
const cumulativeCache = new WeakMap<WeightedSample, Float64Array>();

export function cumulativeWeights(s: WeightedSample): Float64Array {
  let cum = cumulativeCache.get(s);
  if (!cum) {
    cum = new Float64Array(s.weights.length);
    let acc = 0;
    for (let i = 0; i < cum.length; i++) {
      acc += s.weights[i] as number;
      cum[i] = acc;
    }
    cumulativeCache.set(s, cum);
  }
  return cum;
}

/**
 * The same maximum when `small` has few values: between two consecutive values of `small` its CDF is
 * constant while the other's rises, so |F_big − F_small| peaks at a value of `small` (inclusive CDFs) or
 * just before the next one (the big sample's exclusive CDF there). O(len(small) · log len(big)).
 */
function maxCdfDifferenceBySearch(big: WeightedSample, small: WeightedSample, swapped: boolean): number {
  const cum = cumulativeWeights(big);
  const bv = big.values;
  const sv = small.values;
  const sw = small.weights;
  const n = big.total;
  const m = small.total;
  let cs = 0;
  let best = 0;
  let below = 0; // items of big < x, found by galloping forward from the previous position
  for (let k = 0; k < sv.length; k++) {
    const x = sv[k] as number;
    below = gallop(bv, below, x);
    // The big CDF just before x, with the small CDF still at cs.
    const fBelow = below > 0 ? (cum[below - 1] as number) / n : 0;
    let d = swapped ? Math.abs(cs / m - fBelow) : Math.abs(fBelow - cs / m);
    if (d > best) best = d;
    cs += sw[k] as number;
    const atOrBelow = below < bv.length && bv[below] === x ? below + 1 : below;
    const fAt = atOrBelow > 0 ? (cum[atOrBelow - 1] as number) / n : 0;
    d = swapped ? Math.abs(cs / m - fAt) : Math.abs(fAt - cs / m);
    if (d > best) best = d;
  }
  // Beyond the last small value the small CDF is 1 and the big CDF only grows towards 1.
  return best;
}

/**
 * Number of values < x in an ascending array, knowing that at least `from` are: exponential then
 * binary search forward, so a sweep over ascending x stays cache-friendly.
 */
function gallop(values: Float64Array, from: number, x: number): number {
  let lo = from;
  let step = 1;
  let hi = lo;
  while (hi < values.length && (values[hi] as number) < x) {
    lo = hi + 1;
    hi = lo + step;
    step *= 2;
  }
  if (hi > values.length) hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * SageMaker numeric drift distance (spec §5.3). `n`, `m` are the total weights.
 *
 * Example (spec §5.3): n = 10 000, m = 400, simple = 0.14 → robust = 0.14 − 1.8·sqrt(10 400 / 4e6) = 0.0482.
 */
export function linfinityNumeric(
  baseline: WeightedSample,
  current: WeightedSample,
  method: LinfMethod,
  cAlpha = DEFAULT_C_ALPHA,
): LinfResult {
  const n = baseline.total;
  const m = current.total;
  if (!(n > 0) || !(m > 0)) return select(Number.NaN, n, m, method, cAlpha);
  return select(maxCdfDifference(baseline, current), n, m, method, cAlpha);
}

/** Sum of the valid (finite, positive) counts of a category map; other entries count as 0. */
export function totalCount(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const c of counts.values()) if (c > 0 && Number.isFinite(c)) total += c;
  return total;
}

/** A count as used by the tests: finite and positive, else 0. */
export function validCount(c: number | undefined): number {
  return c !== undefined && c > 0 && Number.isFinite(c) ? c : 0;
}

/**
 * SageMaker categorical drift distance (spec §5.3): max over the union of categories of
 * |count_baseline(v)/n − count_current(v)/m| (frequencies, not cumulative). Invalid counts (negative,
 * NaN, infinite) count as 0.
 */
export function linfinityCategorical(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
  method: LinfMethod,
  cAlpha = DEFAULT_C_ALPHA,
): LinfResult {
  const n = totalCount(baseline);
  const m = totalCount(current);
  if (!(n > 0) || !(m > 0)) return select(Number.NaN, n, m, method, cAlpha);
  let best = 0;
  for (const [key, c] of baseline) {
    const d = Math.abs(validCount(c) / n - validCount(current.get(key)) / m);
    if (d > best) best = d;
  }
  for (const [key, c] of current) {
    if (baseline.has(key)) continue;
    const d = validCount(c) / m;
    if (d > best) best = d;
  }
  return select(best, n, m, method, cAlpha);
}

export interface ChiSquaredResult {
  statistic: number;
  pValue: number;
  degreesOfFreedom: number;
}

/**
 * Deequ's categorical `ChisquareMethod` (spec §5.3): Pearson goodness-of-fit of the current counts against
 * the baseline proportions.
 *
 * - observed: current counts of the categories present in the baseline (current-only categories are
 *   left out, as in Deequ); expected: baseline counts rescaled to the observed total.
 * - Merging: while more expected counts are below the threshold than allowed (more than 2 categories:
 *   threshold 5, at most floor(0.2·k) below; exactly 2: threshold 10, none below), the category with the
 *   smallest expected count is merged into the next smallest. Ties are broken by category name
 *   (Deequ's order there is a hash-map accident; ours is deterministic).
 * - Baseline categories with a zero (or invalid) count are not categories of the baseline.
 * - Returns undefined (no decision, Deequ's NaN) when fewer than 2 categories remain or nothing was
 *   observed. p-value: upper tail of χ² with k − 1 degrees of freedom (regularised upper incomplete gamma,
 *   so small p-values keep their relative precision).
 */
export function chiSquaredDeequ(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
): ChiSquaredResult | undefined {
  const keys = [...baseline.keys()].filter((k) => validCount(baseline.get(k)) > 0).sort(compareKeys);
  let observedTotal = 0;
  for (const k of keys) observedTotal += validCount(current.get(k));
  const baselineTotal = totalCount(baseline);
  if (keys.length < 2 || !(observedTotal > 0)) return undefined;

  // Parallel arrays, kept in name order; merging removes entries.
  const names = keys;
  const expected = keys.map((k) => (validCount(baseline.get(k)) / baselineTotal) * observedTotal);
  const observed = keys.map((k) => validCount(current.get(k)));
  for (;;) {
    const size = expected.length;
    if (size < 2) return undefined;
    const threshold = size > 2 ? 5 : 10;
    const allowedBelow = size > 2 ? Math.floor(0.2 * size) : 0;
    let below = 0;
    for (const e of expected) if (e < threshold) below++;
    if (below <= allowedBelow) break;
    const first = argMin(expected, names, -1);
    const [e1] = expected.splice(first, 1);
    const [o1] = observed.splice(first, 1);
    names.splice(first, 1);
    const second = argMin(expected, names, -1);
    expected[second] = (expected[second] as number) + (e1 as number);
    observed[second] = (observed[second] as number) + (o1 as number);
  }
  let statistic = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const d = (observed[i] as number) - e;
    statistic += (d * d) / e;
  }
  const degreesOfFreedom = expected.length - 1;
  return { statistic, pValue: chiSquareSf(statistic, degreesOfFreedom), degreesOfFreedom };
}

/** Upper tail P(X ≥ x) of the χ² distribution with `df` degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  if (!(x > 0)) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function argMin(values: number[], names: string[], skip: number): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    if (i === skip) continue;
    if (
      best < 0 ||
      (values[i] as number) < (values[best] as number) ||
      ((values[i] as number) === (values[best] as number) && (names[i] as string) < (names[best] as string))
    ) {
      best = i;
    }
  }
  return best;
}
