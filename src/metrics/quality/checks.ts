/**
 * Model-quality constraints (spec §6.3) and violations (§6.4): suggesting thresholds from a baseline and
 * checking a window's metrics against them.
 *
 * - A violation exists when `value <op> threshold` holds, e.g. value < threshold for `LessThanThreshold`.
 * - A NaN value (e.g. AUC of a single-class window) is never a violation; it is listed as not evaluated.
 * - Suggested threshold = the baseline value (as in SageMaker's real regression output); error metrics
 *   (mae, mse, rmse, false_positive_rate, false_negative_rate) get `GreaterThanThreshold`, quality
 *   metrics `LessThanThreshold`. The best-constant-classifier variants describe the label prevalence,
 *   not the model, so no constraint is suggested for them. The description template follows AWS's
 *   custom-metrics container: `Metric f1 with 0.71 was LessThanThreshold 0.75`.
 */
import { breaches, type ComparisonOperator } from '../comparison.js';
import type { ProblemType } from './statistics.js';

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
  switch (problemType) {
    case 'Regression':
      return 'regression_constraints';
    case 'BinaryClassification':
      return 'binary_classification_constraints';
    case 'MulticlassClassification':
      return 'multiclass_classification_constraints';
    default: {
      const never: never = problemType;
      throw new Error(`unknown problem type ${String(never)}`);
    }
  }
}

/** Suggested constraints from the baseline's scalar metrics (finite values only), in metric order. */
export function suggestModelQualityConstraints(
  scalars: ReadonlyMap<string, number>,
): Map<string, MetricConstraint> {
  const out = new Map<string, MetricConstraint>();
  for (const [name, value] of scalars) {
    if (name.endsWith('_best_constant_classifier') || !Number.isFinite(value)) continue;
    out.set(name, {
      threshold: value,
      comparison_operator: ERROR_METRICS.has(name) ? 'GreaterThanThreshold' : 'LessThanThreshold',
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
