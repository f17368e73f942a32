/**
 * Model-quality constraints (spec §6.3) and violations (§6.4): suggesting thresholds from a baseline and
 * checking a window's metrics against them.
 *
 * - A violation exists when `value <op> threshold` holds, e.g. value < threshold for `LessThanThreshold`.
 * - A NaN value (e.g. AUC of a single-class window) is never a violation; it is listed as not evaluated.
 * - Suggested threshold = the baseline value (as in SageMaker's real regression output; with a
 *   `ConstraintMargin`, a margin derived from the data, see there); error metrics
 *   (mae, mse, rmse, false_positive_rate, false_negative_rate) get `GreaterThanThreshold`, quality
 *   metrics `LessThanThreshold`. The best-constant-classifier variants describe the label prevalence,
 *   not the model, so no constraint is suggested for them. The description template follows AWS's
 *   custom-metrics container: `Metric f1 with 0.71 was LessThanThreshold 0.75`.
 */

import { breaches, type ComparisonOperator } from '../comparison.js';
import { normalQuantile } from '../special.js';
import type { ProblemType } from './problem-types.js';
import { problemTypeKey } from './statistics.js';

/** A model-quality metric's threshold and comparison operator (constraints.json). */
export interface MetricConstraint {
  threshold: number;
  comparison_operator: ComparisonOperator;
}

export interface ModelQualityViolation {
  constraint_check_type: ComparisonOperator;
  description: string;
  metric_name: string;
}

const ERROR_METRICS = new Set(['mae', 'mse', 'rmse', 'false_positive_rate', 'false_negative_rate']);

export function constraintsKeyOf(problemType: ProblemType): string {
  return `${problemTypeKey(problemType)}_constraints`;
}

/**
 * A margin derived from the data instead of SageMaker's rule (threshold = baseline value), so that a healthy
 * window of the expected size breaches a metric's threshold with probability `alarmRate` (one-sided).
 *
 * Convention: the model-quality statistics carry each metric's `standard_deviation` over 5 subsamples of
 * s = ⌊0.8 n⌋ of the baseline's n records, drawn without replacement. For a metric that behaves like a mean
 * (shares, rates, errors; an approximation for AUC, F-scores and r2), Var(s-subsample) ≈ σ₁²·(n − s)/(s·n),
 * so a window of m independent records has standard error se(m) = sd·√(s·n / ((n − s)·m)) (= 2·sd·√(n/m)
 * at s = 0.8 n). Threshold = value − z₁₋α·se(m) for `LessThanThreshold`, value + z₁₋α·se(m) for
 * `GreaterThanThreshold`, clamped to [0, 1] for metrics in that range. A metric without a finite standard
 * deviation (baselines under 200 records) keeps the baseline value. Limits: 5 subsamples make sd itself
 * uncertain (its 95% interval is about 0.6–2.9 × the true value), and records of a window are assumed
 * independent and distributed as the baseline's.
 */
export interface ConstraintMargin {
  /** Expected records per monitoring window (m). */
  windowSize: number;
  /** Probability that a healthy window of that size breaches one metric's threshold. @defaultValue 0.01 */
  alarmRate?: number;
  /** Records the baseline metrics were computed on (n). */
  baselineSize: number;
  /** Each metric's `standard_deviation` from the baseline statistics. */
  standardDeviations: ReadonlyMap<string, number>;
}

/** Metrics bounded to [0, 1] (rates, shares, areas, F-scores): a margin never leaves that range. */
const UNIT_METRICS =
  /^(accuracy|recall|precision|true_positive_rate|true_negative_rate|false_positive_rate|false_negative_rate|auc|au_prc|f0_5|f1|f2|weighted_.*)$/;

/** se(m) of a metric from its subsample standard deviation (see {@link ConstraintMargin}). */
export function windowStandardError(sd: number, baselineSize: number, windowSize: number): number {
  const n = baselineSize;
  const s = Math.floor(0.8 * n);
  if (!(n > s && s > 0 && windowSize > 0)) return Number.NaN;
  return sd * Math.sqrt((s * n) / ((n - s) * windowSize));
}

/**
 * Suggested constraints from the baseline's scalar metrics (finite values only), in metric order: the
 * baseline value (SageMaker's rule), or with `margin` a threshold a healthy window breaches with probability
 * `margin.alarmRate` (see {@link ConstraintMargin}).
 */
export function suggestModelQualityConstraints(
  scalars: ReadonlyMap<string, number>,
  margin?: ConstraintMargin,
): Map<string, MetricConstraint> {
  const out = new Map<string, MetricConstraint>();
  const z = margin ? normalQuantile(1 - (margin.alarmRate ?? 0.01), 0, 1) : 0;
  for (const [name, value] of scalars) {
    if (name.endsWith('_best_constant_classifier') || !Number.isFinite(value)) continue;
    const error = ERROR_METRICS.has(name);
    let threshold = value;
    if (margin) {
      const se = windowStandardError(
        margin.standardDeviations.get(name) ?? Number.NaN,
        margin.baselineSize,
        margin.windowSize,
      );
      if (Number.isFinite(se)) {
        threshold = error ? value + z * se : value - z * se;
        if (UNIT_METRICS.test(name)) threshold = Math.min(1, Math.max(0, threshold));
      }
    }
    out.set(name, {
      threshold,
      comparison_operator: error ? 'GreaterThanThreshold' : 'LessThanThreshold',
    });
  }
  return out;
}

export interface ConstraintCheckResult {
  violations: ModelQualityViolation[];
  /** Constrained metrics without a finite value in this window (not a violation). */
  notEvaluated: string[];
}

export function checkModelQualityConstraints(
  scalars: ReadonlyMap<string, number>,
  constraints: ReadonlyMap<string, MetricConstraint>,
): ConstraintCheckResult {
  const violations: ModelQualityViolation[] = [];
  const notEvaluated: string[] = [];
  for (const [name, constraint] of constraints) {
    const value = scalars.get(name);
    if (value === undefined || !Number.isFinite(value)) {
      notEvaluated.push(name);
      continue;
    }
    if (breaches(value, constraint.comparison_operator, constraint.threshold)) {
      violations.push({
        constraint_check_type: constraint.comparison_operator,
        description: `Metric ${name} with ${value} was ${constraint.comparison_operator} ${constraint.threshold}`,
        metric_name: name,
      });
    }
  }
  return { violations, notEvaluated };
}
