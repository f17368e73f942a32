/**
 * Classification metrics from confusion counts (spec §6.2 `binary_classification_metrics` and
 * `multiclass_classification_metrics`).
 *
 * Conventions [derived by recomputing AWS's examples; see the spec]:
 * - confusion matrix: rows (outer key) = actual label, columns (inner key) = predicted label;
 * - any ratio with a zero denominator is 0 (as sklearn's `zero_division=0`, and as the spec's
 *   "undefined per-class precision counts as 0");
 * - F-beta = (1 + β²)·P·R / (β²·P + R), 0 when P = R = 0;
 * - multiclass weighted metrics: per-class metric averaged with weights = actual-class support
 *   (so weighted recall = accuracy);
 * - binary best constant classifier: always predicts the positive class (recall 1, precision =
 *   accuracy = prevalence);
 * - multiclass best constant classifier: always predicts the most frequent actual class (ties: the
 *   lowest class index). AWS's example picked another class; the container's rule is unconfirmed.
 */

export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export function fBeta(precision: number, recall: number, beta: number): number {
  const b2 = beta * beta;
  const denominator = b2 * precision + recall;
  return denominator === 0 ? 0 : ((1 + b2) * precision * recall) / denominator;
}

/** Counts of a binary confusion matrix; `actual`/`predicted` hold 1 (positive) or 0. */
export function binaryCounts(actual: Uint8Array, predicted: Uint8Array, mask?: Uint8Array): BinaryCounts {
  const n = Math.min(actual.length, predicted.length);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < n; i++) {
    if (mask && mask[i] !== 1) continue;
    if (actual[i] === 1) {
      if (predicted[i] === 1) tp++;
      else fn++;
    } else if (predicted[i] === 1) fp++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

export const BINARY_SCALAR_NAMES = [
  'recall',
  'precision',
  'accuracy',
  'recall_best_constant_classifier',
  'precision_best_constant_classifier',
  'accuracy_best_constant_classifier',
  'true_positive_rate',
  'true_negative_rate',
  'false_positive_rate',
  'false_negative_rate',
  'f0_5',
  'f1',
  'f2',
  'f0_5_best_constant_classifier',
  'f1_best_constant_classifier',
  'f2_best_constant_classifier',
] as const;

export type BinaryScalarName = (typeof BINARY_SCALAR_NAMES)[number];

/** Every scalar binary metric that the confusion counts determine. */
export function binaryScalarMetrics(c: BinaryCounts): Record<BinaryScalarName, number> {
  const n = c.tp + c.fp + c.tn + c.fn;
  const positives = c.tp + c.fn;
  const negatives = c.tn + c.fp;
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, positives);
  const prevalence = ratio(positives, n);
  // The constant "positive" classifier: every record predicted 1.
  const bccRecall = positives > 0 ? 1 : 0;
  const bccPrecision = prevalence;
  return {
    recall,
    precision,
    accuracy: ratio(c.tp + c.tn, n),
    recall_best_constant_classifier: bccRecall,
    precision_best_constant_classifier: bccPrecision,
    accuracy_best_constant_classifier: prevalence,
    true_positive_rate: recall,
    true_negative_rate: ratio(c.tn, negatives),
    false_positive_rate: ratio(c.fp, negatives),
    false_negative_rate: ratio(c.fn, positives),
    f0_5: fBeta(precision, recall, 0.5),
    f1: fBeta(precision, recall, 1),
    f2: fBeta(precision, recall, 2),
    f0_5_best_constant_classifier: fBeta(bccPrecision, bccRecall, 0.5),
    f1_best_constant_classifier: fBeta(bccPrecision, bccRecall, 1),
    f2_best_constant_classifier: fBeta(bccPrecision, bccRecall, 2),
  };
}

/** A k×k confusion matrix, row-major: `counts[actual * k + predicted]`. */
export function multiclassConfusion(
  actual: Int32Array,
  predicted: Int32Array,
  k: number,
  mask?: Uint8Array,
): Float64Array {
  const counts = new Float64Array(k * k);
  const n = Math.min(actual.length, predicted.length);
  for (let i = 0; i < n; i++) {
    if (mask && mask[i] !== 1) continue;
    const cell = (actual[i] as number) * k + (predicted[i] as number);
    counts[cell] = (counts[cell] as number) + 1;
  }
  return counts;
}

export const MULTICLASS_SCALAR_NAMES = [
  'accuracy',
  'weighted_recall',
  'weighted_precision',
  'weighted_f0_5',
  'weighted_f1',
  'weighted_f2',
  'accuracy_best_constant_classifier',
  'weighted_recall_best_constant_classifier',
  'weighted_precision_best_constant_classifier',
  'weighted_f0_5_best_constant_classifier',
  'weighted_f1_best_constant_classifier',
  'weighted_f2_best_constant_classifier',
] as const;

export type MulticlassScalarName = (typeof MULTICLASS_SCALAR_NAMES)[number];

interface WeightedMetrics {
  accuracy: number;
  recall: number;
  precision: number;
  f0_5: number;
  f1: number;
  f2: number;
}

function weightedFromConfusion(counts: Float64Array, k: number): WeightedMetrics {
  let n = 0;
  let correct = 0;
  const support = new Float64Array(k);
  const predictedTotals = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    for (let p = 0; p < k; p++) {
      const c = counts[a * k + p] as number;
      n += c;
      support[a] = (support[a] as number) + c;
      predictedTotals[p] = (predictedTotals[p] as number) + c;
      if (a === p) correct += c;
    }
  }
  const out: WeightedMetrics = {
    accuracy: ratio(correct, n),
    recall: 0,
    precision: 0,
    f0_5: 0,
    f1: 0,
    f2: 0,
  };
  if (n === 0) return out;
  for (let c = 0; c < k; c++) {
    const weight = (support[c] as number) / n;
    if (weight === 0) continue;
    const tp = counts[c * k + c] as number;
    const precision = ratio(tp, predictedTotals[c] as number);
    const recall = ratio(tp, support[c] as number);
    out.recall += weight * recall;
    out.precision += weight * precision;
    out.f0_5 += weight * fBeta(precision, recall, 0.5);
    out.f1 += weight * fBeta(precision, recall, 1);
    out.f2 += weight * fBeta(precision, recall, 2);
  }
  return out;
}

/** Index of the most frequent actual class (ties: lowest index), or -1 for an empty matrix. */
export function majorityClass(counts: Float64Array, k: number): number {
  let best = -1;
  let bestCount = 0;
  for (let a = 0; a < k; a++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += counts[a * k + p] as number;
    if (s > bestCount) {
      best = a;
      bestCount = s;
    }
  }
  return best;
}

/** Every scalar multiclass metric of a k×k confusion matrix, including the best-constant variants. */
export function multiclassScalarMetrics(
  counts: Float64Array,
  k: number,
): Record<MulticlassScalarName, number> {
  const model = weightedFromConfusion(counts, k);
  // The constant classifier's matrix: every record of row a lands in column `constant`.
  const constant = majorityClass(counts, k);
  const bccCounts = new Float64Array(k * k);
  if (constant >= 0) {
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += counts[a * k + p] as number;
      bccCounts[a * k + constant] = s;
    }
  }
  const bcc = weightedFromConfusion(bccCounts, k);
  return {
    accuracy: model.accuracy,
    weighted_recall: model.recall,
    weighted_precision: model.precision,
    weighted_f0_5: model.f0_5,
    weighted_f1: model.f1,
    weighted_f2: model.f2,
    accuracy_best_constant_classifier: bcc.accuracy,
    weighted_recall_best_constant_classifier: bcc.recall,
    weighted_precision_best_constant_classifier: bcc.precision,
    weighted_f0_5_best_constant_classifier: bcc.f0_5,
    weighted_f1_best_constant_classifier: bcc.f1,
    weighted_f2_best_constant_classifier: bcc.f2,
  };
}
