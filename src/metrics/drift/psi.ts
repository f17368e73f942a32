/**
 * Population Stability Index, PSI = Σ_i (c_i − b_i) · ln(c_i / b_i) (natural log), over the histogram
 * pair of histogram.ts (numeric: baseline deciles; categorical: categories), with empty bins smoothed:
 * a zero proportion becomes 1e-4 and each histogram is renormalised to sum 1. Conventional reading:
 * < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 large shift (default threshold 0.1, as Evidently).
 * From sketches: each bin's term is bounded over the box of proportions allowed by the rank errors.
 *
 * Example: b = (0.5, 0.5), c = (0.25, 0.75) → 0.25·ln 2 + 0.25·ln 1.5 = 0.274653…
 */
import { type HistogramPair, smoothProportions } from './histogram.js';
import type { DriftTestOutcome } from './types.js';

export function psiTerm(b: number, c: number): number {
  return (c - b) * Math.log(c / b);
}

/** Population Stability Index Σ (c−b)·ln(c/b) over two histograms, empty bins smoothed to 1e-4. */
export function populationStabilityIndex(h: HistogramPair): DriftTestOutcome {
  // (c − b)·ln(c/b) ≥ 0, zero on the diagonal; off it, the minimum is at the corner closest to it.
  return smoothedDivergence(h, psiTerm, (bh, ch, box) =>
    box.bLo <= box.cHi && box.cLo <= box.bHi
      ? 0
      : ch > bh
        ? psiTerm(box.bHi, box.cLo)
        : psiTerm(box.bLo, box.cHi),
  );
}

/**
 * Σ_i term(b_i, c_i) over the smoothed proportions of a histogram pair; from sketches, with the error
 * bound of each term over its box of allowed proportions (`minimum`: the term's minimum over the box).
 */
export function smoothedDivergence(
  h: HistogramPair,
  term: (b: number, c: number) => number,
  minimum: (b: number, c: number, box: Box) => number,
): DriftTestOutcome {
  const b = smoothProportions(h.baseline);
  const c = smoothProportions(h.current);
  let statistic = 0;
  for (let i = 0; i < b.length; i++) statistic += term(b[i] as number, c[i] as number);
  const result = { statistic, pValue: null, input: h.input, method: h.method };
  if (h.proportionError[0] === 0 && h.proportionError[1] === 0) return result;
  let bound = 0;
  for (let i = 0; i < b.length; i++) {
    bound += boxDeviation(
      b[i] as number,
      c[i] as number,
      h.proportionError[0],
      h.proportionError[1],
      term,
      minimum,
    );
  }
  return { ...result, statisticErrorBound: bound };
}

export interface Box {
  bLo: number;
  bHi: number;
  cLo: number;
  cHi: number;
}

/**
 * max |f(b, c) − f(b̂, ĉ)| over the box b ∈ b̂ ± δb, c ∈ ĉ ± δc (clipped to [1e-4·…, 1]) for a function that
 * is convex in (b, c): its maximum is at a corner; `minimum` gives its minimum over the box.
 */
export function boxDeviation(
  b: number,
  c: number,
  db: number,
  dc: number,
  f: (b: number, c: number) => number,
  minimum: (b: number, c: number, box: Box) => number,
): number {
  const floor = 1e-12;
  const box: Box = {
    bLo: Math.max(floor, b - db),
    bHi: Math.min(1, b + db),
    cLo: Math.max(floor, c - dc),
    cHi: Math.min(1, c + dc),
  };
  const centre = f(b, c);
  const hi = Math.max(f(box.bLo, box.cLo), f(box.bLo, box.cHi), f(box.bHi, box.cLo), f(box.bHi, box.cHi));
  const lo = minimum(b, c, box);
  return Math.max(hi - centre, centre - lo, 0);
}
