/**
 * The distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n, as used by
 * `scipy.stats.kstwo` (and so by `ks_2samp`'s asymptotic mode), following Simard & L'Ecuyer (2011),
 * "Computing the two-sided Kolmogorov-Smirnov distribution", J. Stat. Software 39(11): the same
 * algorithm per region of (n, x) as scipy's `_ksstats.kolmogn`, except that the Pomeranz recursion
 * (n ≤ 140, 0.754693 < n·x² ≤ 4) is replaced by the Durbin matrix (Marsaglia–Tsang–Wang 2003), which is
 * exact there too. The one-sided tail uses the Birnbaum–Tingey sum in log space.
 *
 * Accuracy against scipy: about 1e-12 relative for n ≤ 140, 1e-9 relative where the Birnbaum–Tingey
 * sum is used with n up to 1e6, and the Pelz–Good approximation's own accuracy (about 1e-6 absolute)
 * in the central region for n > 100 000.
 */
import { gammaln } from '../special.js';

const E128 = 2 ** 128;
const EM128 = 2 ** -128;
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT2PI = Math.sqrt(2 * Math.PI);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
/** B_2j / (2j(2j − 1)) for j = 8 … 1 (Bernoulli numbers), highest order first. */
const STIRLING = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
];

function clip01(p: number): number {
  return Math.min(1, Math.max(0, p));
}

/** log(n! / n^n) by Stirling's series with n·log(n) removed up front. */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  const z = rn / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * z + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** P(D_n ≥ x), the survival function of the two-sided one-sample KS statistic with n observations. */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(x)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: 1/(2n) ≤ x ≤ 1/n.
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - prob);
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n);
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x));
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 4) return clip01(1 - durbinMatrixCdf(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clip01(2 * smirnovSf(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinMatrixCdf(n, x) : pelzGoodCdf(n, x);
  return clip01(1 - cdf);
}

/**
 * One-sided tail P(D_n⁺ ≥ x) by the Birnbaum–Tingey (Smirnov) sum
 * x · Σ_{j=0}^{⌊n(1−x)⌋} C(n, j) (x + j/n)^{j−1} (1 − x − j/n)^{n−j}, evaluated in log space.
 */
export function smirnovSf(n: number, x: number): number {
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const last = Math.floor(n * (1 - x));
  const lgN = gammaln(n + 1);
  const logTerm = (j: number): number => {
    const upper = (n - j) / n - x;
    if (n - j > 0 && upper <= 0) return Number.NEGATIVE_INFINITY;
    return (
      lgN -
      gammaln(j + 1) -
      gammaln(n - j + 1) +
      (j - 1) * Math.log(x + j / n) +
      (n - j > 0 ? (n - j) * Math.log(upper) : 0)
    );
  };
  // The terms are unimodal in j: find the peak by golden-section search on the log-term, then sum
  // outwards from it until the terms fall below 1e-20 of the peak (O(sqrt(n)) terms instead of O(n)).
  let lo = 0;
  let hi = last;
  while (hi - lo > 3) {
    const m1 = lo + Math.floor((hi - lo) / 3);
    const m2 = hi - Math.floor((hi - lo) / 3);
    if (logTerm(m1) < logTerm(m2)) lo = m1 + 1;
    else hi = m2 - 1;
  }
  let peak = lo;
  let peakLog = logTerm(lo);
  for (let j = lo + 1; j <= hi; j++) {
    const v = logTerm(j);
    if (v > peakLog) {
      peak = j;
      peakLog = v;
    }
  }
  if (peakLog === Number.NEGATIVE_INFINITY) return 0;
  const cutoff = peakLog + Math.log(1e-20);
  // Away from the peak the binomial coefficient is updated by its ratio (one log per term instead of
  // two log-gammas), re-anchored with log-gammas every 256 terms so rounding cannot accumulate.
  const rest = (j: number): number =>
    (j - 1) * Math.log(x + j / n) + (n - j > 0 ? (n - j) * Math.log((n - j) / n - x) : 0);
  const logBinomial = (j: number): number => lgN - gammaln(j + 1) - gammaln(n - j + 1);
  const logCPeak = logBinomial(peak);
  let sum = 0;
  let logC = logCPeak;
  for (let j = peak; j <= last; j++) {
    if (j > peak) logC = (j - peak) % 256 === 0 ? logBinomial(j) : logC + Math.log((n - j + 1) / j);
    if (n - j > 0 && (n - j) / n - x <= 0) break;
    const v = logC + rest(j);
    if (v < cutoff) break;
    sum += Math.exp(v - peakLog);
  }
  logC = logCPeak;
  for (let j = peak - 1; j >= 0; j--) {
    logC = (peak - j) % 256 === 0 ? logBinomial(j) : logC - Math.log((n - j) / (j + 1));
    const v = logC + rest(j);
    if (v < cutoff) break;
    sum += Math.exp(v - peakLog);
  }
  return clip01(x * sum * Math.exp(peakLog));
}

/**
 * P(D_n ≤ d) by Durbin's matrix method as refined by Marsaglia, Tsang & Wang (2003), with scaling by
 * 2^128 to stay in range. O(m³ log n) with m = 2⌈n·d⌉ − 1.
 */
export function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  let H: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)] as number;
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r] as number;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c] as number;

  let power: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let nn = n;
  let exponent = 0;
  let hExponent = 0;
  while (nn > 0) {
    if (nn % 2 === 1) {
      power = matMul(power, H, m);
      exponent += hExponent;
    }
    H = matMul(H, H, m);
    hExponent *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)] as number) > E128) {
      for (let i = 0; i < H.length; i++) H[i] = (H[i] as number) / E128;
      hExponent += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = power[(k - 1) * m + (k - 1)] as number;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      exponent -= 128;
    }
  }
  if (exponent !== 0) p *= 2 ** exponent;
  return clip01(p);
}

function matMul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l] as number;
      if (ail === 0) continue;
      const rowB = l * m;
      const rowO = i * m;
      for (let j = 0; j < m; j++) out[rowO + j] = (out[rowO + j] as number) + ail * (b[rowB + j] as number);
    }
  }
  return out;
}

/** Pelz–Good (1976) approximation of P(D_n ≤ x): the Li-Chien/Korolyuk expansion in theta-function form. */
export function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const mm = 2 * k - 1;
    const m2 = mm * mm;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qpower = q ** (8 * k);
    K[0] = (K[0] as number) * qpower + 1;
    K[1] = (K[1] as number) * qpower + (k1a + k1b * m2);
    K[2] = (K[2] as number) * qpower + (k2a + k2b * m2 + k2c * m4);
    K[3] = (K[3] as number) * qpower + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  const denominators = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = ((K[i] as number) * q * SQRT2PI) / (denominators[i] as number);
  q = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qp = q ** k2;
    k2extra += k2 * qp;
    const kpi = Math.PI * k;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
  }
  K[2] = (K[2] as number) + (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  K[3] = (K[3] as number) + (k3extra * PI2 * SQRT2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += (K[i] as number) / n ** (i / 2);
  return sum;
}
