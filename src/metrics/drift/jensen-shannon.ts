/**
 * Jensen–Shannon distance with base-2 logarithms, in [0, 1]:
 * JS(b, c) = sqrt(½ KL(b ‖ m) + ½ KL(c ‖ m)), m = (b + c)/2, over the histogram pair of histogram.ts
 * (no smoothing needed), as `scipy.spatial.distance.jensenshannon(b, c, base=2)`. Default threshold 0.1.
 * From sketches: JS is a metric and JS² ≤ TV, so |JS − JS_exact| ≤ sqrt(TV_b) + sqrt(TV_c), with
 * TV_x ≤ bins·δ_x / 2 the total-variation error of each histogram.
 *
 * Example (scipy): jensenshannon([1, 0], [0, 1], base=2) = 1.
 */
import { type HistogramPair, totalVariationBound } from './histogram.js';
import type { DriftTestOutcome } from './types.js';

/**
 * Jensen–Shannon distance with base-2 logarithms between two histograms, in [0, 1]
 * (`scipy.spatial.distance.jensenshannon(b, c, base=2)`).
 */
export function jensenShannonDistance(h: HistogramPair): DriftTestOutcome {
  let sum = 0;
  for (let i = 0; i < h.baseline.length; i++) {
    const b = h.baseline[i] as number;
    const c = h.current[i] as number;
    const m = (b + c) / 2;
    if (b > 0) sum += b * Math.log2(b / m);
    if (c > 0) sum += c * Math.log2(c / m);
  }
  const statistic = Math.sqrt(Math.max(0, sum / 2));
  return withHistogramBound(statistic, h, (tvb, tvc) => Math.sqrt(tvb) + Math.sqrt(tvc));
}

export function withHistogramBound(
  statistic: number,
  h: HistogramPair,
  bound: (tvBaseline: number, tvCurrent: number) => number,
): DriftTestOutcome {
  const result = { statistic, pValue: null, input: h.input, method: h.method };
  if (h.proportionError[0] === 0 && h.proportionError[1] === 0) return result;
  const bins = h.baseline.length;
  return {
    ...result,
    statisticErrorBound: bound(
      totalVariationBound(bins, h.proportionError[0]),
      totalVariationBound(bins, h.proportionError[1]),
    ),
  };
}
