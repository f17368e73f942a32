/**
 * The one place that turns a test's score into "drift":
 * - p-value tests: drift when p ≤ α (after any multiple-testing adjustment);
 * - distances: drift when distance ≥ t, where t is in the test's unit (see `thresholdUnit`).
 * A missing or NaN score is never drift: it is "not judged".
 */
import type { DriftTestSpec } from './registry.js';

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

/** Drift by one score against one threshold (already in the statistic's unit for distances). */
export function isDrift(score: 'p_value' | 'distance', value: number | null, threshold: number): boolean {
  if (value === null || Number.isNaN(value) || Number.isNaN(threshold)) return false;
  return score === 'p_value' ? value <= threshold : value >= threshold;
}
