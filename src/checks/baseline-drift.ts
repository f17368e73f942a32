/**
 * The baseline_drift_check of one feature (spec §5): which measure and threshold decide its drift (the
 * plan: SageMaker's L-infinity, Deequ's chi-squared, a test of the drift library, or a calibrated curve;
 * the alarm sync reads the same plan), and the window's score judged against it. Pure.
 */
import type { Constraints, FeatureOverrides } from '../baseline/constraints.js';
import type { FeatureCalibration } from '../baseline/drift-calibration.js';
import { categoriesOf, type FeatureStatistics, sketchOf } from '../baseline/statistics.js';
import { thresholdAt } from '../metrics/drift/calibrated-thresholds.js';
import { isDrift } from '../metrics/drift/decide.js';
import { compareCategoricalFeature, compareNumericFeature } from '../metrics/drift/feature.js';
import { chiSquaredDeequ, linfinityCategorical, linfinityNumeric } from '../metrics/drift/linf.js';
import { DRIFT_TESTS, type DriftTestId, isDriftTestId } from '../metrics/drift/registry.js';
import { weightedSampleFromKll } from '../metrics/drift/sample.js';
import type { ColumnProfile } from '../metrics/profile/column-profile.js';

/** A feature's baseline_drift_check: its score, threshold and decision. */
export interface FeatureDrift {
  method: string;
  /** `distance`: high is drift; `p_value`: low is drift (the value is then the p-value). */
  score: 'distance' | 'p_value';
  /** The published `feature_baseline_drift_<f>` value: the distance, or the p-value. */
  distance: number;
  simple?: number;
  threshold: number;
  pValue?: number;
  /** False when the value could not be computed (e.g. too few values): no judgement. */
  decided: boolean;
  drift: boolean;
  /**
   * Set when the threshold was calibrated on the training data (drift_mode calibrated): the window
   * size it was read at, and the score relative to it (distance / threshold, or threshold / p-value),
   * which is at least 1 exactly when the score is drift (published as `feature_baseline_drift_ratio_<f>`).
   */
  calibrated?: { windowSize: number; ratio: number };
  /** Why a sketch-based score is not judged drift although it crosses the threshold (its error range straddles it). */
  undecided?: string;
}

/**
 * How a feature's drift is measured, from its constraint and the monitoring config: SageMaker's L-infinity
 * (numeric or categorical), Deequ's chi-squared p-value, or a test of the drift library named by the
 * `drift_test` override. `score` says whether a high value (distance) or a low one (p-value) is drift.
 * The alarm sync uses the same plan, so alarms and violations agree.
 */
export interface DriftPlan {
  method: string;
  score: 'distance' | 'p_value';
  threshold: number;
  test?: DriftTestId;
  minSampleSize?: number;
  /** The calibration curve the threshold is read from at the window's size (drift_mode calibrated). */
  calibration?: FeatureCalibration;
}

/** Whether a feature's drift is decided with calibrated thresholds (its override, else the global mode). */
export function isCalibratedFeature(
  overrides: FeatureOverrides,
  dc: Constraints['monitoring_config']['distribution_constraints'],
): boolean {
  return overrides.drift_test === undefined && (overrides.drift_mode ?? dc.drift_mode) === 'calibrated';
}

/**
 * The plan of one feature. With drift_mode calibrated and a curve for the feature, the calibrated test
 * (its threshold is the curve's at `windowSize`, or at the curve's smallest size when the size is not
 * known yet, e.g. for the report's legend); an explicit `drift_test` override wins over the mode.
 */
export function driftPlan(
  inferredType: string,
  overrides: FeatureOverrides,
  dc: Constraints['monitoring_config']['distribution_constraints'],
  calibration?: FeatureCalibration,
  windowSize?: number,
): DriftPlan | undefined {
  const numeric = inferredType === 'Integral' || inferredType === 'Fractional';
  if (!numeric && inferredType !== 'String') return undefined;
  if (
    calibration &&
    isCalibratedFeature(overrides, dc) &&
    (calibration.kind === 'numeric') === numeric &&
    isDriftTestId(calibration.curve.test)
  ) {
    const curve = calibration.curve;
    return {
      method: `calibrated/${curve.test}`,
      score: curve.score,
      threshold: thresholdAt(curve, windowSize ?? (curve.points[0]?.n as number)),
      test: curve.test,
      minSampleSize: overrides.drift_min_sample_size,
      calibration,
    };
  }
  if (overrides.drift_test !== undefined && isDriftTestId(overrides.drift_test)) {
    const spec = DRIFT_TESTS[overrides.drift_test];
    return {
      method: overrides.drift_test,
      score: spec.score,
      threshold: overrides.drift_threshold ?? spec.defaultThreshold,
      test: overrides.drift_test,
      minSampleSize: overrides.drift_min_sample_size,
    };
  }
  if (numeric) {
    const method = overrides.comparison_method ?? dc.comparison_method;
    return {
      method: `LInfinity/${method}`,
      score: 'distance',
      threshold: overrides.comparison_threshold ?? dc.comparison_threshold,
    };
  }
  const threshold =
    overrides.categorical_comparison_threshold ??
    overrides.comparison_threshold ??
    dc.categorical_comparison_threshold;
  if ((overrides.categorical_drift_method ?? dc.categorical_drift_method) === 'ChiSquared') {
    return { method: 'ChiSquared', score: 'p_value', threshold };
  }
  return {
    method: `LInfinity/${overrides.comparison_method ?? dc.comparison_method}`,
    score: 'distance',
    threshold,
  };
}

/** The drift measure of one feature per its plan; undefined = not comparable. */
export function featureDrift(
  stats: FeatureStatistics,
  expected: string,
  column: ColumnProfile,
  overrides: FeatureOverrides,
  dc: Constraints['monitoring_config']['distribution_constraints'],
  calibration: FeatureCalibration | undefined,
): FeatureDrift | undefined {
  const numericType = expected !== 'String';
  const windowSize = numericType ? column.moments.count : column.numPresent;
  const plan = driftPlan(expected, overrides, dc, calibration, windowSize);
  if (!plan) return undefined;
  const numeric = expected !== 'String';
  const baselineSketch = numeric ? sketchOf(stats) : undefined;
  const baselineCounts = numeric ? new Map<string, number>() : categoriesOf(stats);
  if (numeric ? !baselineSketch || column.moments.count === 0 : baselineCounts.size === 0) return undefined;
  const { method, score, threshold } = plan;
  const judged = (
    value: number,
    extra: { simple?: number; pValue?: number; undecided?: string } = {},
  ): FeatureDrift => {
    const decided = Number.isFinite(value);
    const out: FeatureDrift = {
      method,
      score,
      distance: value,
      threshold,
      ...extra,
      decided,
      // A score whose sketch error straddles the threshold is reported (and published), not judged drift.
      drift: decided && extra.undecided === undefined && isDrift(score, value, threshold),
    };
    if (plan.calibration && decided) {
      const ratio = score === 'p_value' ? threshold / Math.max(value, Number.MIN_VALUE) : value / threshold;
      out.calibrated = { windowSize, ratio: Number.isFinite(ratio) ? ratio : Number.MAX_VALUE };
    }
    return out;
  };
  const base = numeric ? weightedSampleFromKll(baselineSketch!) : undefined;
  const current = numeric ? weightedSampleFromKll(column.kll) : undefined;
  if (plan.test) {
    const options = {
      tests: [plan.test],
      defaultTest: plan.test,
      // A calibrated threshold is already in the statistic's unit (no rescaling by the baseline's spread).
      ...(plan.calibration
        ? { calibrated: { [plan.test]: threshold } }
        : { thresholds: { [plan.test]: threshold } }),
      minSampleSize: plan.minSampleSize,
    };
    const report = base
      ? compareNumericFeature(base, current!, options)
      : compareCategoricalFeature(baselineCounts, column.categories, options);
    const t = report.tests[plan.test];
    if (!t || report.status !== 'ok') return judged(Number.NaN);
    // A curve learned on scores computed as this one is (sketches included) already holds the sketches'
    // error: its threshold is the decision, with no undecided band around it.
    const sketchErrorInThreshold = plan.calibration?.curve.sketch_error === 'in_threshold';
    const undecided = t.undecided === undefined || sketchErrorInThreshold ? {} : { undecided: t.undecided };
    if (score === 'p_value')
      return judged(t.p_value ?? Number.NaN, { pValue: t.p_value ?? undefined, ...undecided });
    if (plan.calibration) return judged(t.statistic, undecided);
    // Distances are reported in the unit of the configured threshold (e.g. Wasserstein in baseline standard
    // deviations), so that the published metric and the alarm threshold compare like with like.
    const scale = t.threshold / threshold;
    return judged(scale > 0 && Number.isFinite(scale) ? t.statistic / scale : t.statistic, undecided);
  }
  if (method === 'ChiSquared') {
    const pValue = chiSquaredDeequ(baselineCounts, column.categories)?.pValue ?? Number.NaN;
    return judged(pValue, { pValue });
  }
  const linfMethod = method.endsWith('Simple') ? 'Simple' : 'Robust';
  const linf = base
    ? linfinityNumeric(base, current!, linfMethod)
    : linfinityCategorical(baselineCounts, column.categories, linfMethod);
  return judged(linf.distance, { simple: linf.simple });
}
