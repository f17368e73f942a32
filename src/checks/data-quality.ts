/**
 * The data-quality checks of spec §5: baseline statistics + constraints vs the current window's profile
 * → violations (constraint_violations.json) and per-feature results (metrics, on-call details). Pure.
 *
 * Choices where the spec is unconfirmed (documented in the README):
 * - missing_column_check: a baseline feature that the window does not have, or has with no value at all in
 *   a non-empty window; its other checks are skipped. extra_column_check: a column the baseline does not
 *   have that holds at least one value. `feature_name` is the column concerned.
 * - data_type_check: share of the non-null values matching the expected type; Integral values count as
 *   Fractional. Expected String or Unknown: not checked (every value is a string).
 * - completeness_check: current non-null share < the constraint's completeness (1e-12 tolerance).
 * - baseline_drift_check: distance ≥ threshold (decide.ts; a distance exactly at the threshold is drift,
 *   and the drift alarm uses the matching GreaterThanOrEqualToThreshold). Categorical LInfinity honours
 *   comparison_method like numeric; ChiSquared fires when its p-value ≤ categorical_comparison_threshold
 *   and reports the p-value.
 *   No decision (reported, no violation) when either side has no values.
 * - categorical_values_check: share of the non-null values inside `domains` < domain_content_threshold.
 * - is_non_negative produces no violation (no check type is documented for it).
 */

import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import type { Constraints, FeatureConstraint, FeatureOverrides } from '../baseline/constraints.js';
import type { DriftCalibration, FeatureCalibration } from '../baseline/drift-calibration.js';
import { categoriesOf, type FeatureStatistics, type Statistics, sketchOf } from '../baseline/statistics.js';
import { thresholdAt } from '../metrics/drift/calibrated-thresholds.js';
import { isDrift } from '../metrics/drift/decide.js';
import { compareCategoricalFeature, compareNumericFeature } from '../metrics/drift/feature.js';
import { chiSquaredDeequ, linfinityCategorical, linfinityNumeric } from '../metrics/drift/linf.js';
import { DRIFT_TESTS, type DriftTestId, isDriftTestId } from '../metrics/drift/registry.js';
import { weightedSampleFromKll } from '../metrics/drift/sample.js';
import type { ColumnProfile } from '../metrics/profile/column-profile.js';
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';

/** The `constraint_check_type` of a data-quality violation (spec §5). */
export type CheckType =
  | 'data_type_check'
  | 'completeness_check'
  | 'baseline_drift_check'
  | 'missing_column_check'
  | 'extra_column_check'
  | 'categorical_values_check'
  /** driftwatch's: sensitive values in a feature whose baseline had none (security/pii.ts). */
  | 'sensitive_data_check'
  /** driftwatch extension: calibrated baselines with a PCA model (checks/multivariate.ts). */
  | 'multivariate_drift_check';

/** One violation of `constraint_violations.json`. */
export interface Violation {
  feature_name: string;
  constraint_check_type: CheckType;
  description: string;
}

/**
 * A violation as the checks find it, with the numbers behind it (baseline value, current value, threshold);
 * `alerts/violation-details.ts` turns it into the summary's `ViolationDetail` for on-call.
 */
export interface CheckedViolation extends Violation {
  baselineValue?: number;
  currentValue?: number;
  threshold?: number;
  method?: string;
}

export interface FeatureResult {
  name: string;
  /** The baseline's type (or the current one for extra columns). */
  inferredType: string;
  inBaseline: boolean;
  numPresent: number;
  numMissing: number;
  completeness: number;
  evaluated: boolean;
  emitMetrics: boolean;
  drift?: {
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
  };
  dataTypeMatch?: number;
  domainShare?: number;
}

/** The multivariate check's numbers (checks/multivariate.ts). */
export interface MultivariateResult {
  /** The model's features. */
  columns: string[];
  /** Mean reconstruction error of the window's complete rows. */
  value: number;
  rows: number;
  lower: number;
  upper: number;
  baselineMean: number;
  alarmRate: number;
  drift: boolean;
}

export interface DataQualityResult {
  violations: CheckedViolation[];
  features: FeatureResult[];
  /** The multivariate check's numbers, when the baseline has a PCA model (checks/multivariate.ts). */
  multivariate?: MultivariateResult;
}

const pct = (x: number) => `${(x * 100).toFixed(1).replace(/\.0$/, '.0')}%`;

function overridesOf(constraint: FeatureConstraint | undefined): FeatureOverrides {
  return constraint?.overrides ?? {};
}

export function evaluateDataQuality(input: {
  baseline: Statistics;
  constraints: Constraints;
  current: DatasetProfile;
  /** The baseline's drift calibration (`driftwatch_calibration.json`), when it has one. */
  calibration?: DriftCalibration;
}): DataQualityResult {
  const { baseline, constraints, current } = input;
  const calibrationByName = new Map((input.calibration?.features ?? []).map((f) => [f.name, f]));
  const mc = constraints.monitoring_config;
  const constraintByName = new Map(constraints.features.map((f) => [f.name, f]));
  const baselineByName = new Map(baseline.features.map((f) => [f.name, f]));
  const violations: CheckedViolation[] = [];
  const features: FeatureResult[] = [];
  const n = current.itemCount;

  // Features of the baseline (statistics order), with or without constraints.
  for (const stats of baseline.features) {
    const constraint = constraintByName.get(stats.name);
    const overrides = overridesOf(constraint);
    const evaluated = (overrides.evaluate_constraints ?? mc.evaluate_constraints) === 'Enabled';
    const emitMetrics = (overrides.emit_metrics ?? mc.emit_metrics) === 'Enabled';
    const column = current.column(stats.name);
    const numPresent = column?.numPresent ?? 0;
    const result: FeatureResult = {
      name: stats.name,
      inferredType: constraint?.inferred_type ?? stats.inferred_type,
      inBaseline: true,
      numPresent,
      numMissing: n - numPresent,
      completeness: n === 0 ? 0 : numPresent / n,
      evaluated,
      emitMetrics,
    };
    features.push(result);
    if (!evaluated || n === 0) continue;

    if (!column || numPresent === 0) {
      const baselinePresent =
        (stats.numerical_statistics ?? stats.string_statistics)?.common.num_present ?? 0;
      if (baselinePresent > 0) {
        violations.push({
          feature_name: stats.name,
          constraint_check_type: 'missing_column_check',
          description: `Column ${JSON.stringify(stats.name)} of the baseline has no values in the current dataset (${n} rows).`,
          baselineValue: baselinePresent,
          currentValue: 0,
        });
        continue;
      }
    }
    if (column)
      checkFeature(stats, constraint, column, result, {
        mc,
        overrides,
        n,
        violations,
        calibration: calibrationByName.get(stats.name),
        alarmRate: input.calibration?.alarm_rate,
      });
  }

  // Columns the baseline does not have.
  for (const column of current.columns) {
    if (baselineByName.has(column.name)) continue;
    const numPresent = column.numPresent;
    features.push({
      name: column.name,
      inferredType: column.inferredType,
      inBaseline: false,
      numPresent,
      numMissing: n - numPresent,
      completeness: n === 0 ? 0 : numPresent / n,
      evaluated: mc.evaluate_constraints === 'Enabled',
      emitMetrics: mc.emit_metrics === 'Enabled',
    });
    if (numPresent > 0 && mc.evaluate_constraints === 'Enabled') {
      violations.push({
        feature_name: column.name,
        constraint_check_type: 'extra_column_check',
        description: `Column ${JSON.stringify(column.name)} is not in the baseline (${numPresent} values in the current dataset).`,
        currentValue: numPresent,
      });
    }
  }
  return { violations, features };
}

function checkFeature(
  stats: FeatureStatistics,
  constraint: FeatureConstraint | undefined,
  column: ColumnProfile,
  result: FeatureResult,
  ctx: {
    mc: Constraints['monitoring_config'];
    overrides: FeatureOverrides;
    n: number;
    violations: CheckedViolation[];
    calibration?: FeatureCalibration;
    alarmRate?: number;
  },
): void {
  const { mc, overrides, n, violations } = ctx;
  const dc = mc.distribution_constraints;
  const expected = constraint?.inferred_type ?? stats.inferred_type;
  const present = column.numPresent;

  // data_type_check
  if (present > 0 && (expected === 'Integral' || expected === 'Fractional')) {
    const matching = expected === 'Integral' ? column.integral : column.integral + column.fractional;
    const share = matching / present;
    result.dataTypeMatch = share;
    if (share < mc.datatype_check_threshold) {
      violations.push({
        feature_name: stats.name,
        constraint_check_type: 'data_type_check',
        description: `Data type match requirement is not met. Expected data type: ${expected}, Expected match: ${pct(mc.datatype_check_threshold)}. Observed: Only ${share * 100}% of data is ${expected}.`,
        baselineValue: mc.datatype_check_threshold,
        currentValue: share,
        threshold: mc.datatype_check_threshold,
      });
    }
  }

  // completeness_check
  if (constraint?.completeness !== undefined) {
    const expectedShare = constraint.completeness;
    const limit =
      ctx.alarmRate !== undefined && isCalibratedFeature(overrides, mc.distribution_constraints)
        ? completenessLimit(expectedShare, n, ctx.alarmRate)
        : expectedShare;
    if (result.completeness < limit - 1e-12) {
      violations.push({
        feature_name: stats.name,
        constraint_check_type: 'completeness_check',
        description:
          `Data completeness requirement is not met. Expected: ${pct(expectedShare)} of values non-null. Observed: Only ${result.completeness * 100}% of values are non-null.` +
          (limit < expectedShare
            ? ` (calibrated: below ${pct(limit)}, the share a window of ${n} rows falls under with probability ${ctx.alarmRate})`
            : ''),
        baselineValue: expectedShare,
        currentValue: result.completeness,
        threshold: limit,
      });
    }
  }

  // categorical_values_check
  const domains = constraint?.string_constraints?.domains;
  if (expected === 'String' && domains && domains.length > 0 && present > 0) {
    const allowed = new Set(domains);
    let inside = 0;
    for (const [value, count] of column.categories) if (allowed.has(value)) inside += count;
    const share = inside / present;
    result.domainShare = share;
    if (share < mc.domain_content_threshold) {
      violations.push({
        feature_name: stats.name,
        constraint_check_type: 'categorical_values_check',
        description: `Categorical values requirement is not met. Expected: ${pct(mc.domain_content_threshold)} of values in the baseline domain. Observed: Only ${share * 100}% of values are in the domain.`,
        baselineValue: mc.domain_content_threshold,
        currentValue: share,
        threshold: mc.domain_content_threshold,
      });
    }
  }

  // baseline_drift_check
  if (dc.perform_comparison !== 'Enabled' || present === 0 || n === 0) return;
  const drift = driftOf(stats, expected, column, overrides, dc, ctx.calibration);
  if (!drift) return;
  result.drift = drift;
  if (drift.decided && drift.drift) {
    violations.push({
      feature_name: stats.name,
      constraint_check_type: 'baseline_drift_check',
      description:
        (drift.score === 'p_value'
          ? `Baseline drift ${drift.method} p-value: ${drift.distance} is below threshold: ${drift.threshold}`
          : `Baseline drift distance: ${drift.distance} exceeds threshold: ${drift.threshold}`) +
        (drift.calibrated
          ? ` (${drift.method}, threshold calibrated on the baseline for ${drift.calibrated.windowSize} values)`
          : ''),
      currentValue: drift.distance,
      threshold: drift.threshold,
      method: drift.method,
    });
  }
}

/**
 * Calibrated completeness (drift_mode calibrated): the share of non-null values below which a window of
 * `n` rows drawn from the baseline's share `p` falls with probability `alarmRate` (normal approximation
 * of the binomial, p − z·√(p(1−p)/n)); SageMaker's rule fires on any share below p, which a healthy
 * window does about half of the time when p < 1.
 */
export function completenessLimit(p: number, n: number, alarmRate: number): number {
  if (!(n > 0) || p <= 0 || p >= 1) return p;
  return Math.max(0, p - normalQuantile(1 - alarmRate, 0, 1) * Math.sqrt((p * (1 - p)) / n));
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
function driftOf(
  stats: FeatureStatistics,
  expected: string,
  column: ColumnProfile,
  overrides: FeatureOverrides,
  dc: Constraints['monitoring_config']['distribution_constraints'],
  calibration: FeatureCalibration | undefined,
): FeatureResult['drift'] {
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
  ): NonNullable<FeatureResult['drift']> => {
    const decided = Number.isFinite(value);
    const out: NonNullable<FeatureResult['drift']> = {
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
