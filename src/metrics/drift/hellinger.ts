/**
 * Hellinger distance in [0, 1]: H(b, c) = sqrt(½ Σ_i (√b_i − √c_i)²), over the histogram pair of
 * histogram.ts (no smoothing). Default threshold 0.1.
 * From sketches: H is a metric and H² ≤ TV, so |H − H_exact| ≤ sqrt(TV_b) + sqrt(TV_c).
 *
 * Example: H((1, 0), (0, 1)) = 1; H(p, p) = 0.
 */
import type { HistogramPair } from './histogram.js';
import { withHistogramBound } from './jensen-shannon.js';
import type { DriftTestOutcome } from './types.js';

/** Hellinger distance sqrt(½ Σ (√b − √c)²) between two histograms, in [0, 1]. */
export function hellingerDistance(h: HistogramPair): DriftTestOutcome {
  let sum = 0;
  for (let i = 0; i < h.baseline.length; i++) {
    const d = Math.sqrt(h.baseline[i] as number) - Math.sqrt(h.current[i] as number);
    sum += d * d;
  }
  return withHistogramBound(Math.sqrt(sum / 2), h, (tvb, tvc) => Math.sqrt(tvb) + Math.sqrt(tvc));
}
