/**
 * ROC and precision–recall curves and the areas under them, for binary scores.
 *
 * Conventions [Spark MLlib `BinaryClassificationMetrics`, which SageMaker's Spark-based analyzer is
 * presumed to use; the container's exact layout is unconfirmed]:
 * - one curve point per distinct score t, in decreasing t; a record is predicted positive when score ≥ t;
 *   at each point TP(t), FP(t) are the cumulative counts, TPR = TP/P, FPR = FP/N,
 *   precision = TP/(TP + FP), recall = TP/P;
 * - the ROC curve starts at (FPR 0, TPR 0) and ends at (1, 1) (appended only when the last point is not
 *   already (1, 1)); the PR curve starts at (recall 0, precision of the first point);
 * - `auc` and `au_prc` are trapezoidal areas under those full-resolution curves (so `auc` equals the
 *   Mann–Whitney U / (P·N), ties counting one half);
 * - both are NaN when the records hold a single class (P = 0 or N = 0); the curves are then empty;
 * - curves written to statistics.json are thinned to at most `maxPoints` points (every ⌈m/maxPoints⌉-th
 *   point and the last one), each kept point being an exact point of the full curve.
 *
 * Memory: two sorted Float64Array copies of the scores (8 bytes per record).
 */

export interface BinaryCurves {
  auc: number;
  au_prc: number;
  receiver_operating_characteristic_curve: { false_positive_rates: number[]; true_positive_rates: number[] };
  precision_recall_curve: { precisions: number[]; recalls: number[] };
}

/** The scores of the positive and of the negative records (optionally masked), each sorted descending. */
export function splitSortedScores(
  scores: Float64Array,
  actual: Uint8Array,
  mask?: Uint8Array,
): { positives: Float64Array; negatives: Float64Array } {
  const n = Math.min(scores.length, actual.length);
  let p = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    if (mask && mask[i] !== 1) continue;
    if (actual[i] === 1) p++;
    else q++;
  }
  const positives = new Float64Array(p);
  const negatives = new Float64Array(q);
  p = 0;
  q = 0;
  for (let i = 0; i < n; i++) {
    if (mask && mask[i] !== 1) continue;
    if (actual[i] === 1) positives[p++] = scores[i] as number;
    else negatives[q++] = scores[i] as number;
  }
  positives.sort().reverse();
  negatives.sort().reverse();
  return { positives, negatives };
}

/**
 * Walks the distinct thresholds of two descending score arrays, calling `visit(tp, fp)` with the
 * cumulative counts after each threshold.
 */
export function walkThresholds(
  positives: Float64Array,
  negatives: Float64Array,
  visit: (tp: number, fp: number) => void,
): void {
  let i = 0;
  let j = 0;
  while (i < positives.length || j < negatives.length) {
    const pi = i < positives.length ? (positives[i] as number) : Number.NEGATIVE_INFINITY;
    const nj = j < negatives.length ? (negatives[j] as number) : Number.NEGATIVE_INFINITY;
    const t = Math.max(pi, nj);
    while (i < positives.length && positives[i] === t) i++;
    while (j < negatives.length && negatives[j] === t) j++;
    visit(i, j);
  }
}

/** Trapezoidal ROC AUC and PR AUC (no curves): the cheap form used for the subsample deviations. */
export function binaryAreas(
  positives: Float64Array,
  negatives: Float64Array,
): { auc: number; au_prc: number } {
  const P = positives.length;
  const N = negatives.length;
  if (P === 0 || N === 0) return { auc: Number.NaN, au_prc: Number.NaN };
  let auc = 0;
  let prc = 0;
  let prevTpr = 0;
  let prevFpr = 0;
  let prevRecall = 0;
  let prevPrecision = Number.NaN;
  walkThresholds(positives, negatives, (tp, fp) => {
    const tpr = tp / P;
    const fpr = fp / N;
    auc += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevTpr = tpr;
    prevFpr = fpr;
    const precision = tp / (tp + fp);
    if (Number.isNaN(prevPrecision)) prevPrecision = precision; // Spark's first point (0, precision₁)
    prc += ((tpr - prevRecall) * (precision + prevPrecision)) / 2;
    prevRecall = tpr;
    prevPrecision = precision;
  });
  // The closing (1, 1) point of the ROC curve (zero area when the walk already reached it).
  auc += ((1 - prevFpr) * (1 + prevTpr)) / 2;
  return { auc, au_prc: prc };
}

function thin(values: number[], maxPoints: number): number[] {
  if (values.length <= maxPoints) return values;
  const step = Math.ceil(values.length / maxPoints);
  const out: number[] = [];
  for (let i = 0; i < values.length; i += step) out.push(values[i] as number);
  if ((values.length - 1) % step !== 0) out.push(values[values.length - 1] as number);
  return out;
}

/** Areas and (thinned) curves. */
export function binaryCurves(
  positives: Float64Array,
  negatives: Float64Array,
  maxPoints = 1000,
): BinaryCurves {
  const { auc, au_prc } = binaryAreas(positives, negatives);
  const P = positives.length;
  const N = negatives.length;
  const empty: BinaryCurves = {
    auc,
    au_prc,
    receiver_operating_characteristic_curve: { false_positive_rates: [], true_positive_rates: [] },
    precision_recall_curve: { precisions: [], recalls: [] },
  };
  if (P === 0 || N === 0) return empty;
  const fprs = [0];
  const tprs = [0];
  const recalls: number[] = [];
  const precisions: number[] = [];
  walkThresholds(positives, negatives, (tp, fp) => {
    fprs.push(fp / N);
    tprs.push(tp / P);
    if (recalls.length === 0) {
      recalls.push(0);
      precisions.push(tp / (tp + fp));
    }
    recalls.push(tp / P);
    precisions.push(tp / (tp + fp));
  });
  if (fprs[fprs.length - 1] !== 1 || tprs[tprs.length - 1] !== 1) {
    fprs.push(1);
    tprs.push(1);
  }
  // Thin both coordinates of a curve with the same step so that kept points stay paired.
  return {
    auc,
    au_prc,
    receiver_operating_characteristic_curve: {
      false_positive_rates: thin(fprs, maxPoints),
      true_positive_rates: thin(tprs, maxPoints),
    },
    precision_recall_curve: { precisions: thin(precisions, maxPoints), recalls: thin(recalls, maxPoints) },
  };
}
