/**
 * WeightedSample: the one numeric input of every drift test.
 *
 * A sample is a list of distinct values in strictly ascending order, each with a positive weight
 * (a multiplicity for exact data, a KLL item weight `2^level` for a sketch). Rank-based statistics
 * (KS, L-infinity, Mann-Whitney, Anderson-Darling, Cramér-von Mises) and CDF-based distances
 * (Wasserstein, energy) lose nothing when equal values are collapsed into one weighted item, so exact
 * data and sketches share one code path; `rankErrorBound` tells them apart.
 *
 * - `total`: the sum of `weights` (the number of values for exact data, the sketch's `count`).
 * - `rankErrorBound`: the normalised rank error ε of the source: every CDF value computed from this
 *   sample is within ±ε of the true CDF of the data it summarises. 0 for exact data.
 */
export interface WeightedSample {
  /** Distinct values, strictly ascending (no NaN; ±Infinity only where the caller accepts infinite distances). */
  values: Float64Array;
  /** Positive weights, one per value. */
  weights: Float64Array;
  total: number;
  rankErrorBound: number;
}

/** The sample with no values (total 0): tests report it as "too small to judge". */
export const EMPTY_SAMPLE: WeightedSample = Object.freeze({
  values: new Float64Array(0),
  weights: new Float64Array(0),
  total: 0,
  rankErrorBound: 0,
});

/**
 * Exact sample from raw values (any order; the input is not modified). Equal values collapse into one
 * item whose weight is their multiplicity. NaN values cannot be ordered and are not accepted: callers
 * filter them out first and count them (the CLI records them in its IssueLog); passing one throws a
 * RangeError, a programming error rather than a data problem.
 */
export function weightedSampleFromValues(values: ArrayLike<number>): WeightedSample {
  const sorted = Float64Array.from(values);
  for (let i = 0; i < sorted.length; i++) {
    if (Number.isNaN(sorted[i] as number)) throw new RangeError('weightedSampleFromValues: NaN value');
  }
  sorted.sort();
  return collapseSorted(sorted, undefined, 0);
}

/**
 * Sample from values and weights that are already in ascending (not necessarily strictly) order,
 * e.g. a KLL sketch's sorted view. Equal values are merged; items with zero, negative or non-finite
 * weight and NaN values are skipped (they carry no mass).
 */
export function weightedSampleFromSorted(
  values: ArrayLike<number>,
  weights: ArrayLike<number>,
  rankErrorBound: number,
): WeightedSample {
  if (values.length !== weights.length) {
    throw new RangeError('weightedSampleFromSorted: values and weights differ in length');
  }
  for (let i = 1; i < values.length; i++) {
    if ((values[i] as number) < (values[i - 1] as number)) {
      throw new RangeError('weightedSampleFromSorted: values are not ascending');
    }
  }
  return collapseSorted(values, weights, Number.isFinite(rankErrorBound) ? Math.max(0, rankErrorBound) : 0);
}

/** The subset of the project's KLL sketch (`src/metrics/sketches/kll.ts`) a drift test needs. */
export interface KllSortedSource {
  /** Items in ascending order with their weights. */
  sortedView(): { values: Float64Array; weights: Float64Array };
  /** The normalised rank error ε of the sketch. */
  rankErrorBound(): number;
}

/** Sample from a KLL sketch: its sorted view, with the sketch's normalised rank error as the bound. */
export function weightedSampleFromKll(kll: KllSortedSource): WeightedSample {
  const view = kll.sortedView();
  return weightedSampleFromSorted(view.values, view.weights, kll.rankErrorBound());
}

function collapseSorted(
  values: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  rankErrorBound: number,
): WeightedSample {
  const n = values.length;
  const outValues = new Float64Array(n);
  const outWeights = new Float64Array(n);
  let k = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    const w = weights === undefined ? 1 : (weights[i] as number);
    if (Number.isNaN(v) || !(w > 0) || !Number.isFinite(w)) continue;
    total += w;
    if (k > 0 && outValues[k - 1] === v) {
      outWeights[k - 1] = (outWeights[k - 1] as number) + w;
    } else {
      outValues[k] = v;
      outWeights[k] = w;
      k++;
    }
  }
  return {
    values: k === n ? outValues : outValues.slice(0, k),
    weights: k === n ? outWeights : outWeights.slice(0, k),
    total,
    rankErrorBound,
  };
}

/** True when the sample summarises data approximately (a sketch) rather than holding it exactly. */
export function isSketch(sample: WeightedSample): boolean {
  return sample.rankErrorBound > 0;
}
