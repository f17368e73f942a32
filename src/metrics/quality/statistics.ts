/**
 * Assembles the model-quality section of statistics.json (spec §6.2) from per-record typed arrays.
 *
 * Memory: the caller holds per matched record 16 bytes (regression: two Float64), 10 bytes (binary:
 * Float64 score + two Uint8 labels) or 8 bytes (multiclass: two Int32); the subsample deviations add one
 * Uint8 mask and one Int32 work array (5 bytes per record) and sorted score copies (8 bytes per record).
 */
import {
  BINARY_SCALAR_NAMES,
  binaryCounts,
  binaryScalarMetrics,
  MULTICLASS_SCALAR_NAMES,
  multiclassConfusion,
  multiclassScalarMetrics,
} from './classification.js';
import { binaryAreas, binaryCurves, splitSortedScores } from './curves.js';
import type { ProblemType } from './problem-types.js';
import { REGRESSION_METRIC_NAMES, regressionMetrics } from './regression.js';
import { type SubsampleOptions, subsampleStandardDeviations } from './subsample-std.js';

/** `{value, standard_deviation}`; NaN is written as the string "NaN". */
export interface MetricValue {
  value: number;
  standard_deviation: number;
}

export interface RegressionData {
  problemType: 'Regression';
  predicted: Float64Array;
  actual: Float64Array;
}

export interface BinaryData {
  problemType: 'BinaryClassification';
  /** 1 = positive label. */
  actual: Uint8Array;
  predicted: Uint8Array;
  /** Scores for the curves and AUC (probability of the positive label); the predicted labels when absent. */
  scores?: Float64Array;
  /** Label texts for the confusion-matrix keys. */
  negativeLabel: string;
  positiveLabel: string;
}

export interface MulticlassData {
  problemType: 'MulticlassClassification';
  actual: Int32Array;
  predicted: Int32Array;
  /** Label text of each class index. */
  classes: readonly string[];
}

export type ModelQualityData = RegressionData | BinaryData | MulticlassData;

/** A confusion matrix keyed actual label → predicted label → count (null-prototype objects). */
export type ConfusionMatrixJSON = Record<string, Record<string, number>>;

/** A problem type's model-quality metrics (the model-quality statistics.json). */
export interface ModelQualityMetrics {
  problemType: ProblemType;
  itemCount: number;
  /** `regression_metrics` | `binary_classification_metrics` | `multiclass_classification_metrics`. */
  sectionKey: string;
  /** The section, in SageMaker's shape and key order. */
  section: Record<string, unknown>;
  /** Every scalar metric's value (published to CloudWatch and checked against constraints). */
  scalars: Map<string, number>;
}

export interface ModelQualityOptions {
  subsample?: SubsampleOptions;
  /** Maximum points per curve in statistics.json. @defaultValue 1000 */
  maxCurvePoints?: number;
}

/** The problem type as SageMaker's model-quality files name their sections (`<key>_metrics`, `<key>_constraints`). */
export function problemTypeKey(problemType: ProblemType): string {
  switch (problemType) {
    case 'Regression':
      return 'regression';
    case 'BinaryClassification':
      return 'binary_classification';
    case 'MulticlassClassification':
      return 'multiclass_classification';
    default: {
      const never: never = problemType;
      throw new Error(`unknown problem type ${String(never)}`);
    }
  }
}

export function sectionKeyOf(problemType: ProblemType): string {
  return `${problemTypeKey(problemType)}_metrics`;
}

function withStd<K extends string>(values: Record<K, number>, stds: Record<K, number>, name: K): MetricValue {
  return { value: values[name], standard_deviation: stds[name] };
}

export function computeModelQualityMetrics(
  data: ModelQualityData,
  options: ModelQualityOptions = {},
): ModelQualityMetrics {
  switch (data.problemType) {
    case 'Regression':
      return regressionSection(data, options);
    case 'BinaryClassification':
      return binarySection(data, options);
    case 'MulticlassClassification':
      return multiclassSection(data, options);
    default: {
      const never: never = data;
      throw new Error(`unknown problem type ${String((never as ModelQualityData).problemType)}`);
    }
  }
}

function regressionSection(data: RegressionData, options: ModelQualityOptions): ModelQualityMetrics {
  const n = Math.min(data.predicted.length, data.actual.length);
  const values = regressionMetrics(data.predicted, data.actual);
  const stds = subsampleStandardDeviations(
    n,
    REGRESSION_METRIC_NAMES,
    (mask) => ({ ...regressionMetrics(data.predicted, data.actual, mask) }),
    options.subsample,
  );
  const section: Record<string, unknown> = {};
  const scalars = new Map<string, number>();
  for (const name of REGRESSION_METRIC_NAMES) {
    section[name] = withStd(values, stds, name);
    scalars.set(name, values[name]);
  }
  return { problemType: 'Regression', itemCount: n, sectionKey: 'regression_metrics', section, scalars };
}

const BINARY_AREA_NAMES = ['auc', 'au_prc'] as const;

function binarySection(data: BinaryData, options: ModelQualityOptions): ModelQualityMetrics {
  const n = Math.min(data.actual.length, data.predicted.length);
  const scores = data.scores ?? Float64Array.from(data.predicted.subarray(0, n));
  const counts = binaryCounts(data.actual, data.predicted);
  const values = binaryScalarMetrics(counts);
  const full = splitSortedScores(scores, data.actual);
  const curves = binaryCurves(full.positives, full.negatives, options.maxCurvePoints ?? 1000);
  const names = [...BINARY_SCALAR_NAMES, ...BINARY_AREA_NAMES] as const;
  type Name = (typeof names)[number];
  const stds = subsampleStandardDeviations<Name>(
    n,
    names,
    (mask) => {
      const sub = splitSortedScores(scores, data.actual, mask);
      return {
        ...binaryScalarMetrics(binaryCounts(data.actual, data.predicted, mask)),
        ...binaryAreas(sub.positives, sub.negatives),
      };
    },
    options.subsample,
  );
  const all: Record<Name, number> = { ...values, auc: curves.auc, au_prc: curves.au_prc };
  const confusion: ConfusionMatrixJSON = Object.create(null);
  const negativeRow: Record<string, number> = Object.create(null);
  negativeRow[data.negativeLabel] = counts.tn;
  negativeRow[data.positiveLabel] = counts.fp;
  const positiveRow: Record<string, number> = Object.create(null);
  positiveRow[data.negativeLabel] = counts.fn;
  positiveRow[data.positiveLabel] = counts.tp;
  confusion[data.negativeLabel] = negativeRow;
  confusion[data.positiveLabel] = positiveRow;
  const m = (name: Name): MetricValue => withStd(all, stds, name);
  const section: Record<string, unknown> = {
    confusion_matrix: confusion,
    recall: m('recall'),
    precision: m('precision'),
    accuracy: m('accuracy'),
    recall_best_constant_classifier: m('recall_best_constant_classifier'),
    precision_best_constant_classifier: m('precision_best_constant_classifier'),
    accuracy_best_constant_classifier: m('accuracy_best_constant_classifier'),
    true_positive_rate: m('true_positive_rate'),
    true_negative_rate: m('true_negative_rate'),
    false_positive_rate: m('false_positive_rate'),
    false_negative_rate: m('false_negative_rate'),
    receiver_operating_characteristic_curve: curves.receiver_operating_characteristic_curve,
    precision_recall_curve: curves.precision_recall_curve,
    auc: m('auc'),
    au_prc: m('au_prc'),
    f0_5: m('f0_5'),
    f1: m('f1'),
    f2: m('f2'),
    f0_5_best_constant_classifier: m('f0_5_best_constant_classifier'),
    f1_best_constant_classifier: m('f1_best_constant_classifier'),
    f2_best_constant_classifier: m('f2_best_constant_classifier'),
  };
  const scalars = new Map<string, number>();
  for (const name of names) scalars.set(name, all[name]);
  return {
    problemType: 'BinaryClassification',
    itemCount: n,
    sectionKey: 'binary_classification_metrics',
    section,
    scalars,
  };
}

function multiclassSection(data: MulticlassData, options: ModelQualityOptions): ModelQualityMetrics {
  const n = Math.min(data.actual.length, data.predicted.length);
  const k = data.classes.length;
  const matrix = multiclassConfusion(data.actual, data.predicted, k);
  const values = multiclassScalarMetrics(matrix, k);
  const stds = subsampleStandardDeviations(
    n,
    MULTICLASS_SCALAR_NAMES,
    (mask) => multiclassScalarMetrics(multiclassConfusion(data.actual, data.predicted, k, mask), k),
    options.subsample,
  );
  const confusion: ConfusionMatrixJSON = Object.create(null);
  for (let a = 0; a < k; a++) {
    const row: Record<string, number> = Object.create(null);
    for (let p = 0; p < k; p++) row[data.classes[p] as string] = matrix[a * k + p] as number;
    confusion[data.classes[a] as string] = row;
  }
  const section: Record<string, unknown> = { confusion_matrix: confusion };
  const scalars = new Map<string, number>();
  for (const name of MULTICLASS_SCALAR_NAMES) {
    section[name] = withStd(values, stds, name);
    scalars.set(name, values[name]);
  }
  return {
    problemType: 'MulticlassClassification',
    itemCount: n,
    sectionKey: 'multiclass_classification_metrics',
    section,
    scalars,
  };
}
