/**
 * Mann–Whitney U test, two-sided, as `scipy.stats.mannwhitneyu(baseline, current, method='auto')`
 * (use_continuity = True). Statistic: U1 = R1 − n1(n1+1)/2, R1 the sum of the baseline's mid-ranks in the
 * pooled sample. p-value:
 * - `exact` when min(n1, n2) ≤ 8 and there are no ties (scipy's rule), from the exact null distribution
 *   of U (Gaussian binomial coefficients, computed with BigInt), as 2·P(U ≤ min(U1, U2)) capped at 1;
 *   when that would need more than 4·10⁶ coefficient updates we use `asymp` instead (scipy would still be
 *   exact there; the difference is the normal approximation's).
 * - `asymp` otherwise: z = (max(U1, U2) − n1n2/2 − ½) / σ with the tie-corrected σ, p = 2·Φ(−z).
 * From sketches: U1 is within (ε1 + ε2)·n1·n2 of the exact value (`pValueRange` at U ± that bound); item
 * weights are not treated as ties.
 *
 * Example (scipy): mannwhitneyu([1, 2, 3], [4, 5, 6]) → U = 0, p = 0.1.
 */
import { normalCdf } from '../special.js';
import { isSketch, type WeightedSample } from './sample.js';
import type { DriftTestOutcome } from './types.js';

const MAX_EXACT_WORK = 4e6;

/**
 * Mann–Whitney U test, two-sided, continuity-corrected (`scipy.stats.mannwhitneyu`); exact for small
 * tie-free samples.
 */
export function mannWhitneyU(a: WeightedSample, b: WeightedSample): DriftTestOutcome {
  const n1 = a.total;
  const n2 = b.total;
  if (!(n1 > 0) || !(n2 > 0)) return { notApplicable: 'empty sample' };
  const sketch = isSketch(a) || isSketch(b);
  let i = 0;
  let j = 0;
  let cum = 0;
  let r1 = 0;
  let tieTerm = 0;
  const av = a.values;
  const bv = b.values;
  while (i < av.length || j < bv.length) {
    const x = i < av.length ? (av[i] as number) : Number.POSITIVE_INFINITY;
    const y = j < bv.length ? (bv[j] as number) : Number.POSITIVE_INFINITY;
    const key = Math.min(x, y);
    const ta = x === key ? (a.weights[i++] as number) : 0;
    const tb = y === key ? (b.weights[j++] as number) : 0;
    const t = ta + tb;
    r1 += ta * (cum + (t + 1) / 2);
    if (!sketch) tieTerm += t * t * t - t;
    cum += t;
  }
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = Math.max(u1, u2);
  if (sketch) {
    const err = (a.rankErrorBound + b.rankErrorBound) * n1 * n2;
    return {
      statistic: u1,
      pValue: asymptoticP(u, n1, n2, 0),
      input: 'sketch',
      method: 'asymp',
      statisticErrorBound: err,
      // U = max(U1, U2) ≥ n1·n2/2: the p-values at U ± err (not below the centre).
      pValueRange: [
        asymptoticP(u + err, n1, n2, 0),
        asymptoticP(Math.max((n1 * n2) / 2, u - err), n1, n2, 0),
      ],
    };
  }
  const small = Math.min(n1, n2);
  const kc = n1 * n2 - u;
  if (small <= 8 && tieTerm === 0 && small * kc <= MAX_EXACT_WORK) {
    return { statistic: u1, pValue: Math.min(1, 2 * exactCdf(n1, n2, kc)), input: 'raw', method: 'exact' };
  }
  return { statistic: u1, pValue: asymptoticP(u, n1, n2, tieTerm), input: 'raw', method: 'asymp' };
}

function asymptoticP(u: number, n1: number, n2: number, tieTerm: number): number {
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = (u - mu - 0.5) / s;
  const p = 2 * normalCdf(-z, 0, 1);
  return Number.isNaN(p) ? 1 : Math.min(1, Math.max(0, p));
}

/**
 * P(U ≤ k) under H0 without ties: the coefficients of the Gaussian binomial [n1+n2 choose n1]_q up to
 * degree k, divided by C(n1+n2, n1).
 */
export function exactCdf(n1: number, n2: number, k: number): number {
  const r = Math.min(n1, n2);
  const big = Math.max(n1, n2);
  const deg = Math.max(0, Math.floor(k));
  const c: bigint[] = new Array(deg + 1).fill(0n);
  c[0] = 1n;
  for (let i = 1; i <= r; i++) {
    // × (1 − q^(big+i)), then ÷ (1 − q^i), as power series truncated at `deg`.
    const up = big + i;
    for (let d = deg; d >= up; d--) c[d] = (c[d] as bigint) - (c[d - up] as bigint);
    for (let d = i; d <= deg; d++) c[d] = (c[d] as bigint) + (c[d - i] as bigint);
  }
  let sum = 0n;
  for (const v of c) sum += v;
  let total = 1n;
  for (let i = 1; i <= r; i++) total = (total * BigInt(big + i)) / BigInt(i);
  return ratio(sum, total);
}

function ratio(num: bigint, den: bigint): number {
  // Scale both to below 2^1000 before converting, so huge counts do not overflow to Infinity.
  const shift = BigInt(Math.max(0, den.toString(2).length - 1000));
  return Number(num >> shift) / Number(den >> shift);
}
