/**
 * Kullback–Leibler divergence of the current distribution from the baseline,
 * KL(current ‖ baseline) = Σ_i c_i · ln(c_i / b_i) (natural log, nats), over the histogram pair of
 * histogram.ts with the same smoothing as PSI (zero proportions → 1e-4, renormalised), i.e.
 * `scipy.stats.entropy(c_smoothed, b_smoothed)`. Default threshold 0.1.
 * From sketches: each term is bounded over the box of proportions allowed by the rank errors.
 */
import type { HistogramPair } from './histogram.js';
import { smoothedDivergence } from './psi.js';
import type { DriftTestOutcome } from './types.js';

function klTerm(b: number, c: number): number {
  return c * Math.log(c / b);
}

/**
 * Kullback–Leibler divergence KL(current ‖ baseline) in nats between two histograms, empty bins
 * smoothed to 1e-4 (`scipy.stats.entropy(c, b)`).
 */
export function klDivergence(h: HistogramPair): DriftTestOutcome {
  return smoothedDivergence(h, klTerm, (_b, _c, box) => {
    // c·ln(c/b) decreases in b; in c it is smallest at c = b/e.
    const cStar = Math.min(box.cHi, Math.max(box.cLo, box.bHi / Math.E));
    return klTerm(box.bHi, cStar);
  });
}
