/**
 * First Wasserstein (earth mover's) distance between two one-dimensional distributions,
 * W1 = ∫ |F_baseline(x) − F_current(x)| dx, as `scipy.stats.wasserstein_distance(u, v)` (in the units
 * of the feature). `wassersteinNormalised` divides it by the baseline's population standard deviation
 * (numpy `std`, ddof = 0), Evidently's unit-free variant (default threshold 0.1).
 * From sketches: |W − W_exact| ≤ (ε1 + ε2) · (max − min of the pooled values).
 *
 * Example (scipy): wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5.
 */
import { pooledRange, walkCdfStretches, weightedMeanStd } from './cdf-walk.js';
import { isSketch, type WeightedSample } from './sample.js';
import type { DriftTestOutcome } from './types.js';

/**
 * Wasserstein-1 distance ∫|F−G| dx between two samples, in feature units (`scipy.stats.wasserstein_distance`).
 */
export function wassersteinDistance(a: WeightedSample, b: WeightedSample): DriftTestOutcome {
  if (!(a.total > 0) || !(b.total > 0)) return { notApplicable: 'empty sample' };
  let sum = 0;
  walkCdfStretches(a, b, (fa, fb, width) => {
    sum += Math.abs(fa - fb) * width;
  });
  return withBound({ statistic: sum, pValue: null, input: 'raw', method: 'cdf-integral' }, a, b, 1);
}

/** Wasserstein-1 distance divided by the baseline's population standard deviation (unitless). */
export function wassersteinNormalised(a: WeightedSample, b: WeightedSample): DriftTestOutcome {
  const w = wassersteinDistance(a, b);
  if ('notApplicable' in w) return w;
  const { std } = weightedMeanStd(a);
  if (!(std > 0)) return { notApplicable: 'baseline has zero variance' };
  const out = { ...w, statistic: w.statistic / std, method: 'cdf-integral / baseline std' };
  if (out.statisticErrorBound !== undefined) out.statisticErrorBound /= std;
  return out;
}

function withBound(
  result: { statistic: number; pValue: null; input: 'raw'; method: string },
  a: WeightedSample,
  b: WeightedSample,
  scale: number,
): DriftTestOutcome {
  if (!isSketch(a) && !isSketch(b)) return result;
  return {
    ...result,
    input: 'sketch',
    statisticErrorBound: (a.rankErrorBound + b.rankErrorBound) * pooledRange(a, b) * scale,
  };
}
