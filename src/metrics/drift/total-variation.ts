/**
 * Total variation distance in [0, 1]: TV(b, c) = ½ Σ_i |b_i − c_i| over the histogram pair of
 * histogram.ts (for categorical features: the largest difference in probability any set of categories
 * can show). Default threshold 0.1. From sketches: |TV − TV_exact| ≤ TV_b + TV_c.
 */
import type { HistogramPair } from './histogram.js';
import { withHistogramBound } from './jensen-shannon.js';
import type { DriftTestOutcome } from './types.js';

/** Total variation distance ½ Σ |b − c| between two histograms, in [0, 1]. */
export function totalVariationDistance(h: HistogramPair): DriftTestOutcome {
  let sum = 0;
  for (let i = 0; i < h.baseline.length; i++)
    sum += Math.abs((h.baseline[i] as number) - (h.current[i] as number));
  return withHistogramBound(sum / 2, h, (tvb, tvc) => tvb + tvc);
}
