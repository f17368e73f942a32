/**
 * The one place that turns a test's score into "drift":
 * - p-value tests: drift when p ≤ α (after any multiple-testing adjustment);
 * - distances: drift when distance ≥ t, where t is in the test's unit (see `thresholdUnit`).
 * A score exactly at the threshold is drift. A missing or NaN score is never drift: it is "not judged".
 * `driftComparisonOperator` gives the CloudWatch comparison operator of the same rule, so a drift alarm
 * fires on exactly the scores the report calls drift.
 */
import { breaches, type ComparisonOperator } from '../comparison.js';
import type { DriftTestSpec, ScoreKind } from './registry.js';

/** The threshold in the statistic's own unit: distances with a unit scale with the baseline's spread. */
export function effectiveThreshold(spec: DriftTestSpec, threshold: number, baselineStd?: number): number {
  switch (spec.thresholdUnit) {
    case undefined:
      return threshold;
    case 'baseline_std':
      return threshold * (baselineStd ?? Number.NaN);
    case 'sqrt_baseline_std':
      return threshold * Math.sqrt(baselineStd ?? Number.NaN);
    default: {
      const never: never = spec.thresholdUnit;
      throw new Error(`unknown threshold unit ${String(never)}`);
    }
  }
}

/** The comparison `score <op> threshold` that means drift (≤ for p-values, ≥ for distances). */
export function driftComparisonOperator(
  score: ScoreKind,
): Extract<ComparisonOperator, 'LessThanOrEqualToThreshold' | 'GreaterThanOrEqualToThreshold'> {
  return score === 'p_value' ? 'LessThanOrEqualToThreshold' : 'GreaterThanOrEqualToThreshold';
}

/** Drift by one score against one threshold (already in the statistic's unit for distances). */
export function isDrift(score: ScoreKind, value: number | null, threshold: number): boolean {
  if (value === null || Number.isNaN(value) || Number.isNaN(threshold)) return false;
  return breaches(value, driftComparisonOperator(score), threshold);
}
