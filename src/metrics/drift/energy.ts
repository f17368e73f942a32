/**
 * Energy distance between two one-dimensional distributions, D = sqrt(2 ∫ (F_baseline − F_current)² dx),
 * as `scipy.stats.energy_distance(u, v)` (Székely & Rizzo; the square root of the energy statistic).
 * From sketches: |D − D_exact| ≤ sqrt(2) · (ε1 + ε2) · sqrt(max − min of the pooled values).
 *
 * Example (scipy): energy_distance([0], [2]) = 2.
 */
import { pooledRange, walkCdfStretches } from './cdf-walk.js';
import { isSketch, type WeightedSample } from './sample.js';
import type { DriftTestOutcome } from './types.js';

/**
 * Energy distance sqrt(2∫(F−G)² dx) between two samples, in sqrt(feature units)
 * (`scipy.stats.energy_distance`); from sketches with an error bound.
 */
export function energyDistance(a: WeightedSample, b: WeightedSample): DriftTestOutcome {
  if (!(a.total > 0) || !(b.total > 0)) return { notApplicable: 'empty sample' };
  let sum = 0;
  walkCdfStretches(a, b, (fa, fb, width) => {
    const d = fa - fb;
    sum += d * d * width;
  });
  const statistic = Math.sqrt(2 * sum);
  if (!isSketch(a) && !isSketch(b)) return { statistic, pValue: null, input: 'raw', method: 'cdf-integral' };
  return {
    statistic,
    pValue: null,
    input: 'sketch',
    method: 'cdf-integral',
    statisticErrorBound: Math.SQRT2 * (a.rankErrorBound + b.rankErrorBound) * Math.sqrt(pooledRange(a, b)),
  };
}
