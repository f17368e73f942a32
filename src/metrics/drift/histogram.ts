/**
 * Histogram pairs: the common input of the binned distances (PSI, KL, Jensen–Shannon, Hellinger, TVD).
 *
 * - Numeric features: `bins` (default 10) bins cut at the baseline's quantiles i/bins, i = 1…bins−1,
 *   with the inverted-CDF rule (the edge is the smallest baseline value whose inclusive CDF reaches the
 *   level), duplicate edges merged; bins are (−∞, e1], (e1, e2], …, (e_k, +∞), so values beyond the
 *   baseline's range land in the outer bins.
 * - Categorical features: one bin per category of the union, in code-unit order of the names, so unseen
 *   (current only) and vanished (baseline only) categories are bins with a zero on one side.
 * Proportions are not smoothed here; the tests that take logarithms smooth them (see `smoothProportions`).
 */
import { totalCount, validCount } from './linf.js';
import { isSketch, type WeightedSample } from './sample.js';
import type { InputKind } from './types.js';

export const DEFAULT_BINS = 10;

/** Two aligned histograms (proportions) of a baseline and a current sample. */
export interface HistogramPair {
  baseline: Float64Array;
  current: Float64Array;
  input: InputKind;
  /** e.g. `baseline-quantile-bins:10` or `categories`. */
  method: string;
  /** Per-bin bound on |proportion − exact proportion|, baseline and current (0 for exact data). */
  proportionError: [number, number];
}

/** Bin edges at the baseline's quantiles (see the module doc). */
export function baselineQuantileEdges(baseline: WeightedSample, bins = DEFAULT_BINS): Float64Array {
  const edges: number[] = [];
  const total = baseline.total;
  let cum = 0;
  let level = 1;
  for (let i = 0; i < baseline.values.length && level < bins; i++) {
    cum += baseline.weights[i] as number;
    // cum / total ≥ level / bins, compared without division (exact for integer weights).
    while (level < bins && cum * bins >= level * total) {
      const v = baseline.values[i] as number;
      if (edges.length === 0 || edges[edges.length - 1] !== v) edges.push(v);
      level++;
    }
  }
  return Float64Array.from(edges);
}

/** Proportion of the sample's weight in each bin (−∞, e1], (e1, e2], …, (e_k, +∞). */
export function binProportions(sample: WeightedSample, edges: Float64Array): Float64Array {
  const out = new Float64Array(edges.length + 1);
  let bin = 0;
  for (let i = 0; i < sample.values.length; i++) {
    const v = sample.values[i] as number;
    while (bin < edges.length && v > (edges[bin] as number)) bin++;
    out[bin] = (out[bin] as number) + (sample.weights[i] as number);
  }
  for (let k = 0; k < out.length; k++) out[k] = (out[k] as number) / sample.total;
  return out;
}

/**
 * Edges and proportions of a baseline, memoised per sample object (and bin count): a baseline is compared
 * with many windows (calibration replicates, the features of many executions).
 */
const baselineBins = new WeakMap<
  WeightedSample,
  Map<number, { edges: Float64Array; proportions: Float64Array }>
>();

function binnedBaseline(
  baseline: WeightedSample,
  bins: number,
): { edges: Float64Array; proportions: Float64Array } {
  let byCount = baselineBins.get(baseline);
  if (!byCount) {
    byCount = new Map();
    baselineBins.set(baseline, byCount);
  }
  let entry = byCount.get(bins);
  if (!entry) {
    const edges = baselineQuantileEdges(baseline, bins);
    entry = { edges, proportions: binProportions(baseline, edges) };
    byCount.set(bins, entry);
  }
  return entry;
}

/** Histograms of two numeric samples over 10 bins cut at the baseline's deciles (outer bins open to ±∞). */
export function numericHistograms(
  baseline: WeightedSample,
  current: WeightedSample,
  bins = DEFAULT_BINS,
): HistogramPair | { notApplicable: string } {
  if (!(baseline.total > 0) || !(current.total > 0)) return { notApplicable: 'empty sample' };
  const { edges, proportions } = binnedBaseline(baseline, bins);
  const sketch = isSketch(baseline) || isSketch(current);
  return {
    baseline: proportions,
    current: binProportions(current, edges),
    input: sketch ? 'sketch' : 'raw',
    method: `baseline-quantile-bins:${bins}`,
    // A bin's proportion is a difference of two CDF values, each within ±ε.
    proportionError: [2 * baseline.rankErrorBound, 2 * current.rankErrorBound],
  };
}

/** Histograms of two category → count maps over the union of their categories. */
export function categoricalHistograms(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
): HistogramPair | { notApplicable: string } {
  const n = totalCount(baseline);
  const m = totalCount(current);
  if (!(n > 0) || !(m > 0)) return { notApplicable: 'empty sample' };
  const keys = unionKeys(baseline, current);
  const b = new Float64Array(keys.length);
  const c = new Float64Array(keys.length);
  keys.forEach((k, i) => {
    b[i] = validCount(baseline.get(k)) / n;
    c[i] = validCount(current.get(k)) / m;
  });
  return { baseline: b, current: c, input: 'counts', method: 'categories', proportionError: [0, 0] };
}

/** Category names present (with a valid count) in either map, in code-unit order. */
export function unionKeys(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): string[] {
  const keys = new Set<string>();
  for (const [k, v] of a) if (validCount(v) > 0) keys.add(k);
  for (const [k, v] of b) if (validCount(v) > 0) keys.add(k);
  return [...keys].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** Smoothing for the log-based tests: empty bins get this proportion before renormalising. */
export const EMPTY_BIN_PROPORTION = 1e-4;

/** Zero proportions replaced by `EMPTY_BIN_PROPORTION`, then all divided by their sum (sum 1). */
export function smoothProportions(p: Float64Array, epsilon = EMPTY_BIN_PROPORTION): Float64Array {
  const out = new Float64Array(p.length);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const v = (p[i] as number) > 0 ? (p[i] as number) : epsilon;
    out[i] = v;
    sum += v;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

/** Bound on the total-variation distance between a histogram and its exact counterpart. */
export function totalVariationBound(bins: number, proportionError: number): number {
  return Math.min(1, (bins * proportionError) / 2);
}
