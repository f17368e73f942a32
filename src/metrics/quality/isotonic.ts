/**
 * Isotonic (monotone non-decreasing) regression by the pool-adjacent-violators algorithm, used to
 * calibrate a binary classifier's scores into probabilities of the positive class (for CBPE).
 *
 * Convention (as scikit-learn's `IsotonicRegression(out_of_bounds="clip")`, and checked against
 * `scipy.optimize.isotonic_regression` in the reference script):
 * - records with equal x are first pooled (mean of y, weight = their count);
 * - PAV over the distinct x ascending minimises Σ wᵢ (yᵢ − fᵢ)² subject to f non-decreasing;
 * - prediction interpolates linearly between the fitted points and clips outside [min x, max x].
 * The fitted function is stored compactly: the first and last x of every pooled block with its value.
 */
import { splitSortedScores } from './curves.js';

export interface IsotonicFit {
  /** Increasing knots. */
  xs: number[];
  /** Fitted values at the knots (non-decreasing). */
  ys: number[];
}

/** Fits P(actual = 1 | score) by isotonic regression on (score, actual ∈ {0,1}) pairs. */
export function fitIsotonicBinary(scores: Float64Array, actual: Uint8Array, mask?: Uint8Array): IsotonicFit {
  const { positives, negatives } = splitSortedScores(scores, actual, mask);
  // Distinct scores ascending with their weight (count) and positive count.
  const xs: number[] = [];
  const weights: number[] = [];
  const sums: number[] = [];
  let i = positives.length - 1;
  let j = negatives.length - 1;
  while (i >= 0 || j >= 0) {
    const pi = i >= 0 ? (positives[i] as number) : Number.POSITIVE_INFINITY;
    const nj = j >= 0 ? (negatives[j] as number) : Number.POSITIVE_INFINITY;
    const x = Math.min(pi, nj);
    let pos = 0;
    let neg = 0;
    while (i >= 0 && positives[i] === x) {
      pos++;
      i--;
    }
    while (j >= 0 && negatives[j] === x) {
      neg++;
      j--;
    }
    xs.push(x);
    weights.push(pos + neg);
    sums.push(pos);
  }
  return poolAdjacentViolators(xs, sums, weights);
}

/**
 * PAV over distinct increasing `xs` with weighted sums of y (`sums[i] = Σ w·y` at xs[i]) and weights.
 */
export function poolAdjacentViolators(
  xs: readonly number[],
  sums: readonly number[],
  weights: readonly number[],
): IsotonicFit {
  const blockSum: number[] = [];
  const blockWeight: number[] = [];
  const blockFirst: number[] = [];
  const blockLast: number[] = [];
  for (let k = 0; k < xs.length; k++) {
    blockSum.push(sums[k] as number);
    blockWeight.push(weights[k] as number);
    blockFirst.push(xs[k] as number);
    blockLast.push(xs[k] as number);
    // Merge backwards while the previous block's mean exceeds the last block's mean.
    while (blockSum.length > 1) {
      const b = blockSum.length - 1;
      const meanPrev = (blockSum[b - 1] as number) / (blockWeight[b - 1] as number);
      const meanLast = (blockSum[b] as number) / (blockWeight[b] as number);
      if (meanPrev <= meanLast) break;
      blockSum[b - 1] = (blockSum[b - 1] as number) + (blockSum[b] as number);
      blockWeight[b - 1] = (blockWeight[b - 1] as number) + (blockWeight[b] as number);
      blockLast[b - 1] = blockLast[b] as number;
      blockSum.pop();
      blockWeight.pop();
      blockFirst.pop();
      blockLast.pop();
    }
  }
  const fit: IsotonicFit = { xs: [], ys: [] };
  for (let b = 0; b < blockSum.length; b++) {
    const value = (blockSum[b] as number) / (blockWeight[b] as number);
    fit.xs.push(blockFirst[b] as number);
    fit.ys.push(value);
    if (blockLast[b] !== blockFirst[b]) {
      fit.xs.push(blockLast[b] as number);
      fit.ys.push(value);
    }
  }
  return fit;
}

/** The calibrated value at x: linear interpolation between knots, clipped at both ends. NaN for an empty fit. */
export function predictIsotonic(fit: IsotonicFit, x: number): number {
  const { xs, ys } = fit;
  const m = xs.length;
  if (m === 0) return Number.NaN;
  if (x <= (xs[0] as number)) return ys[0] as number;
  if (x >= (xs[m - 1] as number)) return ys[m - 1] as number;
  let lo = 0;
  let hi = m - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo] as number;
  const x1 = xs[hi] as number;
  const y0 = ys[lo] as number;
  const y1 = ys[hi] as number;
  return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}
