/**
 * Confidence-based performance estimation (CBPE) for a binary classifier while labels are missing.
 *
 * Given calibrated probabilities pᵢ = P(yᵢ = 1 | scoreᵢ) (isotonic calibration fitted on the baseline,
 * `isotonic.ts`) and the model's predicted labels ŷᵢ, each record contributes its expectation to the
 * confusion matrix (after NannyML's CBPE, https://nannyml.readthedocs.io/en/stable/how_it_works/performance_estimation.html):
 *
 *   E[TP] = Σ_{ŷ=1} pᵢ   E[FP] = Σ_{ŷ=1} (1 − pᵢ)   E[FN] = Σ_{ŷ=0} pᵢ   E[TN] = Σ_{ŷ=0} (1 − pᵢ)
 *
 * and accuracy, precision, recall and F1 are the usual ratios of those expectations (0 for 0/0).
 * Expected ROC AUC: for each distinct score t (descending), E[TP(t)] = Σ_{s≥t} pᵢ and
 * E[FP(t)] = Σ_{s≥t} (1 − pᵢ); TPR = E[TP(t)]/Σp, FPR = E[FP(t)]/Σ(1 − p); trapezoidal area from (0,0)
 * to (1,1); NaN when Σp = 0 or Σ(1 − p) = 0.
 *
 * Confidence band (label-sampling noise only, assuming the calibration holds): labels are independent
 * Bernoulli(pᵢ), so TP and FN are independent with variances v_TP = Σ_{ŷ=1} pᵢ(1 − pᵢ) and
 * v_FN = Σ_{ŷ=0} pᵢ(1 − pᵢ); with Pp = #{ŷ = 1} fixed, the delta method gives
 *   Var(accuracy)  = (v_TP + v_FN) / n²
 *   Var(precision) = v_TP / Pp²
 *   Var(recall)    = (FN² v_TP + TP² v_FN) / (TP + FN)⁴
 *   Var(F1)        = 4 ((Pp + FN)² v_TP + TP² v_FN) / (Pp + TP + FN)⁴
 * and for AUC the Hanley–McNeil (1982) standard error with n₁ = Σp, n₀ = Σ(1 − p):
 *   SE² = (A(1 − A) + (n₁ − 1)(Q₁ − A²) + (n₀ − 1)(Q₂ − A²)) / (n₁ n₀),  Q₁ = A/(2 − A),  Q₂ = 2A²/(1 + A).
 * The band is value ± z·SE clipped to [0, 1]. It does not include calibration error or drift in P(y|score).
 */
import { type BinaryCounts, fBeta, ratio } from './classification.js';
import { type IsotonicFit, predictIsotonic } from './isotonic.js';

export const ESTIMATED_METRIC_NAMES = ['accuracy', 'precision', 'recall', 'f1', 'auc'] as const;
export type EstimatedMetricName = (typeof ESTIMATED_METRIC_NAMES)[number];

export interface EstimatedMetric {
  value: number;
  standard_error: number;
  lower: number;
  upper: number;
}

export interface BinaryPerformanceEstimate {
  item_count: number;
  /** Expected confusion counts (fractional). */
  expected_confusion: BinaryCounts;
  metrics: Record<EstimatedMetricName, EstimatedMetric>;
  z: number;
}

function clip01(x: number): number {
  return x < 0 ? 0 : Math.min(x, 1);
}

function band(value: number, se: number, z: number): EstimatedMetric {
  if (!Number.isFinite(value) || !Number.isFinite(se))
    return { value, standard_error: se, lower: Number.NaN, upper: Number.NaN };
  return { value, standard_error: se, lower: clip01(value - z * se), upper: clip01(value + z * se) };
}

/** Hanley–McNeil standard error of an AUC A with n1 positives and n0 negatives (may be fractional). */
export function hanleyMcNeilStandardError(auc: number, n1: number, n0: number): number {
  if (!Number.isFinite(auc) || n1 <= 0 || n0 <= 0) return Number.NaN;
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const v = (auc * (1 - auc) + (n1 - 1) * (q1 - auc * auc) + (n0 - 1) * (q2 - auc * auc)) / (n1 * n0);
  return Math.sqrt(Math.max(0, v));
}

/**
 * Estimates binary performance from scores and predicted labels (1/0) without labels.
 * `calibrator` maps a score to P(y = 1) (see `isotonic.ts`); values are clipped to [0, 1].
 */
export function estimateBinaryPerformance(
  scores: Float64Array,
  predicted: Uint8Array,
  calibrator: IsotonicFit,
  options: { z?: number } = {},
): BinaryPerformanceEstimate {
  const z = options.z ?? 1.959963984540054;
  const n = Math.min(scores.length, predicted.length);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let vTp = 0;
  let vFn = 0;
  let predictedPositive = 0;
  for (let i = 0; i < n; i++) {
    const p = clip01(predictIsotonic(calibrator, scores[i] as number));
    if (predicted[i] === 1) {
      predictedPositive++;
      tp += p;
      fp += 1 - p;
      vTp += p * (1 - p);
    } else {
      fn += p;
      tn += 1 - p;
      vFn += p * (1 - p);
    }
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const accuracy = ratio(tp + tn, n);
  const f1 = fBeta(precision, recall, 1);
  const sePrecision = predictedPositive > 0 ? Math.sqrt(vTp) / predictedPositive : Number.NaN;
  const actualPositive = tp + fn;
  const seRecall =
    actualPositive > 0
      ? Math.sqrt(fn * fn * vTp + tp * tp * vFn) / (actualPositive * actualPositive)
      : Number.NaN;
  const seAccuracy = n > 0 ? Math.sqrt(vTp + vFn) / n : Number.NaN;
  const d = predictedPositive + tp + fn;
  const seF1 =
    d > 0 ? (2 * Math.sqrt((predictedPositive + fn) ** 2 * vTp + tp * tp * vFn)) / (d * d) : Number.NaN;
  const auc = expectedAuc(scores.subarray(0, n), calibrator);
  return {
    item_count: n,
    expected_confusion: { tp, fp, tn, fn },
    z,
    metrics: {
      accuracy: band(n > 0 ? accuracy : Number.NaN, seAccuracy, z),
      precision: band(predictedPositive > 0 ? precision : Number.NaN, sePrecision, z),
      recall: band(actualPositive > 0 ? recall : Number.NaN, seRecall, z),
      f1: band(n > 0 ? f1 : Number.NaN, seF1, z),
      auc: band(auc, hanleyMcNeilStandardError(auc, actualPositive, n - actualPositive), z),
    },
  };
}

/**
 * Expected ROC AUC of scores whose labels are Bernoulli(calibrate(score)). The probability is a function
 * of the score, so a native sort of a copy of the scores (8 bytes per record) replaces an index sort.
 */
export function expectedAuc(scores: Float64Array, calibrator: IsotonicFit): number {
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;
  let totalPos = 0;
  for (let i = 0; i < n; i++) totalPos += clip01(predictIsotonic(calibrator, sorted[i] as number));
  const totalNeg = n - totalPos;
  if (!(totalPos > 0) || !(totalNeg > 0)) return Number.NaN;
  let area = 0;
  let tp = 0;
  let fp = 0;
  let prevTpr = 0;
  let prevFpr = 0;
  // Distinct scores in decreasing order; records with one score share one probability.
  let k = n - 1;
  while (k >= 0) {
    const t = sorted[k] as number;
    const p = clip01(predictIsotonic(calibrator, t));
    while (k >= 0 && sorted[k] === t) {
      tp += p;
      fp += 1 - p;
      k--;
    }
    const tpr = tp / totalPos;
    const fpr = fp / totalNeg;
    area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevTpr = tpr;
    prevFpr = fpr;
  }
  return area;
}
