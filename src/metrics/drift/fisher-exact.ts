/**
 * Fisher's exact test on the 2 × 2 table (baseline, current) × (first, second category in code-unit
 * order), two-sided, as `scipy.stats.fisher_exact`: statistic = the sample odds ratio
 * (a·d)/(b·c) (+∞ when b·c = 0); p = the total hypergeometric probability of the tables (same margins)
 * no more likely than the observed one (relative tolerance 1e-14, as scipy), 1 when the observed table is
 * the mode. Probabilities are built by the ratio recurrence from the mode and normalised by their sum,
 * so no factorials are formed. With a single category: odds ratio NaN and p = 1 (scipy's convention).
 * Not applicable with more than two categories.
 *
 * Example (scipy): fisher_exact([[8, 2], [1, 5]]) → odds ratio 20, p = 0.034965034965…
 */
import { binaryTable } from './chi-square.js';
import type { DriftTestOutcome } from './types.js';

/**
 * Fisher's exact test on the 2 × 2 table of a binary feature (`scipy.stats.fisher_exact`, two-sided);
 * the statistic is the odds ratio (may be ±Infinity).
 */
export function fisherExact(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
): DriftTestOutcome {
  const t = binaryTable(baseline, current);
  if ('notApplicable' in t) return t;
  if (t.keys.length < 2)
    return { statistic: Number.NaN, pValue: 1, input: 'counts', method: 'hypergeometric' };
  const a = t.baseline[0] as number;
  const b = t.baseline[1] as number;
  const c = t.current[0] as number;
  const d = t.current[1] as number;
  const statistic = c > 0 && b > 0 ? (a * d) / (c * b) : Number.POSITIVE_INFINITY;
  return { statistic, pValue: fisherTwoSidedP(a, b, c, d), input: 'counts', method: 'hypergeometric' };
}

/** Two-sided p-value of the 2 × 2 table [[a, b], [c, d]]. */
export function fisherTwoSidedP(a: number, b: number, c: number, d: number): number {
  const r1 = a + b; // first row total
  const N = a + b + c + d;
  const c1 = a + c; // first column total
  const lo = Math.max(0, c1 - (N - r1));
  const hi = Math.min(r1, c1);
  if (hi === lo) return 1;
  // Unnormalised pmf over x = lo..hi by the ratio recurrence, scaled at the mode to 1.
  const mode = Math.min(hi, Math.max(lo, Math.floor(((c1 + 1) * (r1 + 1)) / (N + 2))));
  const size = hi - lo + 1;
  const w = new Float64Array(size);
  w[mode - lo] = 1;
  for (let x = mode; x < hi; x++) {
    // pmf(x+1)/pmf(x) = (r1 − x)(c1 − x) / ((x + 1)(N − r1 − c1 + x + 1))
    w[x + 1 - lo] = ((w[x - lo] as number) * (r1 - x) * (c1 - x)) / ((x + 1) * (N - r1 - c1 + x + 1));
  }
  for (let x = mode; x > lo; x--) {
    w[x - 1 - lo] = ((w[x - lo] as number) * x * (N - r1 - c1 + x)) / ((r1 - x + 1) * (c1 - x + 1));
  }
  let total = 0;
  for (const v of w) total += v;
  const observed = w[a - lo] as number;
  if (Math.abs(observed - 1) <= 1e-14) return 1;
  const limit = observed * (1 + 1e-14);
  let p = 0;
  for (const v of w) if (v <= limit) p += v;
  return Math.min(1, p / total);
}
