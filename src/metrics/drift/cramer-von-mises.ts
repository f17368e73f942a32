/**
 * Cramér–von Mises two-sample test, as `scipy.stats.cramervonmises_2samp(baseline, current,
 * method='auto')` (Anderson 1962). With mid-ranks for ties,
 * U = n·Σ_i (r_i − i)² + m·Σ_j (s_j − j)², T = U / (n·m·(n+m)) − (4·n·m − 1) / (6·(n+m)).
 * p-value:
 * - `exact` when max(n, m) ≤ 20: the exact null distribution of U by the recursion of Xiao, Gordon &
 *   Yakovlev (2006), J. Stat. Softw. 17(8).
 * - `asymp` otherwise: T standardised with its exact mean and variance and referred to the limiting
 *   one-sample distribution (Csörgő & Faraway 1996, eq. 1.2), series summed until a term is below 1e-7,
 *   as scipy does; the Bessel function K_{1/4} is computed by trapezoidal quadrature of its integral.
 * Exact data only; each sample needs at least 2 values.
 */
import { gammaln } from '../special.js';
import { isSketch, type WeightedSample } from './sample.js';
import type { DriftTestOutcome } from './types.js';

/**
 * Cramér–von Mises two-sample test (`scipy.stats.cramervonmises_2samp`: exact when both samples have at
 * most 20 values, else asymptotic). Exact values only.
 */
export function cramerVonMises(a: WeightedSample, b: WeightedSample): DriftTestOutcome {
  if (isSketch(a) || isSketch(b)) return { notApplicable: 'needs exact values' };
  const nx = a.total;
  const ny = b.total;
  if (nx < 2 || ny < 2) return { notApplicable: 'each sample needs at least 2 values' };
  let i = 0;
  let j = 0;
  let cum = 0;
  let ownA = 0;
  let ownB = 0;
  let sumA = 0;
  let sumB = 0;
  while (i < a.values.length || j < b.values.length) {
    const x = i < a.values.length ? (a.values[i] as number) : Number.POSITIVE_INFINITY;
    const y = j < b.values.length ? (b.values[j] as number) : Number.POSITIVE_INFINITY;
    const key = Math.min(x, y);
    const wa = x === key ? (a.weights[i++] as number) : 0;
    const wb = y === key ? (b.weights[j++] as number) : 0;
    const rank = cum + (wa + wb + 1) / 2;
    if (wa > 0) sumA += squaredOffsets(rank - ownA, wa);
    if (wb > 0) sumB += squaredOffsets(rank - ownB, wb);
    ownA += wa;
    ownB += wb;
    cum += wa + wb;
  }
  const u = nx * sumA + ny * sumB;
  const k = nx * ny;
  const N = nx + ny;
  const statistic = u / (k * N) - (4 * k - 1) / (6 * N);
  if (Math.max(nx, ny) <= 20) {
    return { statistic, pValue: exactPValue(u, nx, ny), input: 'raw', method: 'exact' };
  }
  const et = (1 + 1 / N) / 6;
  const vt = ((N + 1) * (4 * k * N - 3 * (nx ** 2 + ny ** 2) - 2 * k)) / (45 * N ** 2 * 4 * k);
  const tn = 1 / 6 + (statistic - et) / Math.sqrt(45 * vt);
  const p = tn >= 0.003 ? Math.max(0, 1 - cvmLimitCdf(tn)) : 1;
  return { statistic, pValue: p, input: 'raw', method: 'asymp' };
}

/** Σ_{k=1}^{w} (r − k)² = w·(r − (w+1)/2)² + w·(w² − 1)/12, without cancellation. */
function squaredOffsets(r: number, w: number): number {
  const c = r - (w + 1) / 2;
  return w * c * c + (w * (w * w - 1)) / 12;
}

/** CDF of the limiting Cramér–von Mises distribution (Csörgő & Faraway 1996, eq. 1.2 / 1.3). */
export function cvmLimitCdf(x: number): number {
  let total = 0;
  for (let k = 0; k < 1000; k++) {
    const u = Math.exp(gammaln(k + 0.5) - gammaln(k + 1)) / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = (y * y) / (16 * x);
    const z = u * Math.sqrt(y) * Math.exp(-q) * besselK(0.25, q);
    total += z;
    if (Math.abs(z) < 1e-7) break;
  }
  return total;
}

/**
 * Modified Bessel function of the second kind, K_ν(x) = ∫_0^∞ exp(−x·cosh t)·cosh(ν·t) dt (x > 0), by the
 * trapezoidal rule, which converges geometrically for this analytic, doubly-exponentially decaying
 * integrand (step 0.02: error far below double precision for |ν| < 1).
 */
export function besselK(nu: number, x: number): number {
  if (!(x > 0)) return x === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  const step = 0.02;
  let sum = Math.exp(-x) / 2;
  for (let t = step; ; t += step) {
    const term = Math.exp(-x * Math.cosh(t)) * Math.cosh(nu * t);
    sum += term;
    if (term < sum * 1e-18 || t > 50) break;
  }
  return sum * step;
}

/**
 * Exact p-value P(U ≥ u) for sizes m (rows) and n: frequency tables of g⁺_{u,v} built column by column
 * (Xiao, Gordon & Yakovlev 2006, Algorithm 1), as scipy's `_pval_cvm_2samp_exact`.
 */
function exactPValue(s: number, m: number, n: number): number {
  const lcm = (m * n) / gcd(m, n);
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = Math.floor((lcm ** 2 * (m + n) * (6 * s - mn * (4 * mn - 1))) / (6 * mn ** 2));
  let gs: Map<number, number>[] = [new Map([[0, 1]])];
  for (let v = 1; v <= m; v++) gs.push(new Map());
  for (let u = 0; u <= n; u++) {
    const next: Map<number, number>[] = [];
    let tmp = new Map<number, number>();
    for (let v = 0; v <= m; v++) {
      const merged = new Map(tmp);
      for (const [value, freq] of gs[v] as Map<number, number>)
        merged.set(value, (merged.get(value) ?? 0) + freq);
      const shift = (a * v - b * u) ** 2;
      tmp = new Map();
      for (const [value, freq] of merged) tmp.set(value + shift, freq);
      next.push(tmp);
    }
    gs = next;
  }
  let hit = 0;
  let all = 0;
  for (const [value, freq] of gs[m] as Map<number, number>) {
    all += freq;
    if (value >= zeta) hit += freq;
  }
  return hit / all;
}

function gcd(x: number, y: number): number {
  let p = x;
  let q = y;
  while (q) [p, q] = [q, p % q];
  return p;
}
