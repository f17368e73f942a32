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

import type { Constraints, FeatureConstraint, FeatureOverrides } from '../baseline/constraints.js';
import type { DriftCalibration, FeatureCalibration } from '../baseline/drift-calibration.js';
import type { FeatureStatistics, Statistics } from '../baseline/statistics.js';
import type { ColumnProfile } from '../metrics/profile/column-profile.js';
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';
import { normalQuantile } from '../metrics/special.js';
import { type FeatureDrift, featureDrift, isCalibratedFeature } from './baseline-drift.js';

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
  drift?: FeatureDrift;
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

/** A share check (data type, domain): a violation when the share of present values is below `threshold`. */
function checkShare(
  violations: CheckedViolation[],
  feature: string,
  type: 'data_type_check' | 'categorical_values_check',
  share: number,
  threshold: number,
  description: string,
): void {
  if (share < threshold)
    violations.push({
      feature_name: feature,
      constraint_check_type: type,
      description,
      baselineValue: threshold,
      currentValue: share,
      threshold,
    });
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
    checkShare(
      violations,
      stats.name,
      'data_type_check',
      share,
      mc.datatype_check_threshold,
      `Data type match requirement is not met. Expected data type: ${expected}, Expected match: ${pct(mc.datatype_check_threshold)}. Observed: Only ${share * 100}% of data is ${expected}.`,
    );
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
    checkShare(
      violations,
      stats.name,
      'categorical_values_check',
      share,
      mc.domain_content_threshold,
      `Categorical values requirement is not met. Expected: ${pct(mc.domain_content_threshold)} of values in the baseline domain. Observed: Only ${share * 100}% of values are in the domain.`,
    );
  }

  // baseline_drift_check
  if (dc.perform_comparison !== 'Enabled' || present === 0 || n === 0) return;
  const drift = featureDrift(stats, expected, column, overrides, dc, ctx.calibration);
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
