/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp(x, y, method='auto')`.
 *
 * Statistic D = max_x |F1(x) − F2(x)| with right-continuous (inclusive) ECDFs over the pooled values;
 * ties are handled exactly. p-value:
 * - `exact` when both samples are exact and max(n1, n2) ≤ 10 000: the statistic is snapped to the
 *   lattice h / lcm(n1, n2) and P(D ≥ d) is the share of lattice paths that leave the band; equal sizes
 *   by the closed-form alternating sum (Horner form), unequal sizes by the Hodges "inside" recursion
 *   rewritten to produce 1 − p directly (Viehmann 2021, arXiv:2102.08037), so small p-values keep their
 *   relative precision.
 * - `asymp` otherwise: P(D_{n'} ≥ d) of the one-sample KS distribution with n' = round-half-even(n1·n2 /
 *   (n1 + n2)) (see kolmogorov.ts).
 * From sketches (rankErrorBound > 0): the statistic is within ε1 + ε2 of the exact one and the
 * p-value is asymptotic, with `pValueRange` at D ± (ε1 + ε2).
 *
 * Example (scipy): ks_2samp([1.5, 2.0, 0.3], [0.1, 2.5, 3.0, 4.4]) → D = 0.75, p = 0.228571428571…
 */
import { kolmogorovSf } from './kolmogorov.js';
import { maxCdfDifference } from './linf.js';
import { isSketch, type WeightedSample } from './sample.js';
import type { DriftTestOutcome } from './types.js';

/** Largest sample size for which `auto` computes the exact p-value (scipy's MAX_AUTO_N). */
export const KS_MAX_EXACT_N = 10_000;

/**
 * How {@link ksTwoSample} computes its p-value: `auto` (exact up to 10,000 values per side), `exact` or `asymp`.
 */
export type KsMode = 'auto' | 'exact' | 'asymp';

/**
 * Two-sample Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp` (two-sided). From sketches, the result
 * carries the statistic's error bound and the p-value range. @param mode p-value method, default `auto`.
 */
export function ksTwoSample(a: WeightedSample, b: WeightedSample, mode: KsMode = 'auto'): DriftTestOutcome {
  const n1 = a.total;
  const n2 = b.total;
  if (!(n1 > 0) || !(n2 > 0)) return { notApplicable: 'empty sample' };
  let d = maxCdfDifference(a, b);
  if (isSketch(a) || isSketch(b)) {
    const n1r = Math.max(1, Math.round(n1));
    const n2r = Math.max(1, Math.round(n2));
    const err = a.rankErrorBound + b.rankErrorBound;
    return {
      statistic: d,
      pValue: ksAsymptoticSf(n1r, n2r, d),
      input: 'sketch',
      method: 'asymp',
      statisticErrorBound: err,
      pValueRange: [
        ksAsymptoticSf(n1r, n2r, Math.min(1, d + err)),
        ksAsymptoticSf(n1r, n2r, Math.max(0, d - err)),
      ],
    };
  }
  const useExact = mode === 'exact' || (mode === 'auto' && Math.max(n1, n2) <= KS_MAX_EXACT_N);
  if (useExact) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    if (Number.isSafeInteger(lcm) && lcm < 2 ** 31) {
      const h = Math.round(d * lcm);
      d = h / lcm;
      const p = h === 0 ? 1 : ksExactSf(n1, n2, g, h);
      if (p >= 0 && p <= 1) return { statistic: d, pValue: p, input: 'raw', method: 'exact' };
    }
  }
  return { statistic: d, pValue: ksAsymptoticSf(n1, n2, d), input: 'raw', method: 'asymp' };
}

/** Smirnov's asymptotic two-sided p-value as scipy computes it: kstwo.sf(d, round(n1·n2/(n1+n2))). */
export function ksAsymptoticSf(n1: number, n2: number, d: number): number {
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return kolmogorovSf(Math.max(1, roundHalfEven(en)), d);
}

/** Exact P(D_{n1,n2} ≥ h / lcm(n1, n2)), two-sided. */
export function ksExactSf(n1: number, n2: number, g: number, h: number): number {
  return n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
}

/** P(D_{n,n} ≥ h/n) = 2·Σ_k (−1)^(k+1) C(2n, n − kh) / C(2n, n), in Horner form. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * Share of lattice paths (0,0)→(m,n) that touch |x/m − y/n| ≥ h/lcm: Hodges' inside method, with each
 * column holding 1 − (share of paths to that point staying inside), normalised as it goes.
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  // The window can grow beyond its first size when n·i/m moves; size for the worst case.
  const A = new Float64Array(Math.max(lenA, n + 1)).fill(1);
  for (let j = minj; j < maxj; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((A[jj + minj - lastminj] as number) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1] as number;
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y) [x, y] = [y, x % y];
  return x;
}

/** numpy's round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
