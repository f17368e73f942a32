/**
 * Vocabulary of the drift-test library.
 *
 * - numeric feature: compared through two `WeightedSample`s (exact values, or a KLL sketch's items).
 * - categorical feature: compared through two category → count maps.
 * - input: what a result was computed from: `raw` (exact values), `sketch` (a rank-error-bounded
 *   summary: the result carries `statisticErrorBound`), `counts` (categorical counts, always exact).
 * - score kind: a test returns either a p-value (drift when p ≤ α) or a distance (drift when
 *   distance ≥ threshold); `decide.ts` is the one place that applies the rule.
 */
export type FeatureKind = 'numeric' | 'categorical';

/**
 * How a baseline drift check is decided: SageMaker's rule (`sagemaker`), or the thresholds a baseline
 * built with `--drift-mode calibrated` learnt from its training data (`calibrated`). Used by
 * `constraints.json` (`distribution_constraints.drift_mode`, per feature `drift_mode`) and by a monitor's
 * `driftMode`.
 */
export const DRIFT_MODES = ['sagemaker', 'calibrated'] as const;
/** One of `DRIFT_MODES`: how a baseline drift check decides. */
export type DriftMode = (typeof DRIFT_MODES)[number];
/** What a result was computed from: exact values, a sketch (with an error bound) or category counts. */
export type InputKind = 'raw' | 'sketch' | 'counts';

/** The result of one drift test. */
export interface DriftTestResult {
  /** Test statistic (a distance for distance tests). May be ±Infinity (e.g. Fisher's odds ratio). */
  statistic: number;
  /** p-value for hypothesis tests; null for distances. */
  pValue: number | null;
  input: InputKind;
  /** How the number was obtained, e.g. `exact`, `asymp`, `baseline-deciles`. */
  method: string;
  /**
   * For sketch input: |statistic − statistic on the exact data| ≤ this (from the sketches' rank error).
   * Absent for exact input.
   */
  statisticErrorBound?: number;
  /** For sketch input of p-value tests: the p-values at statistic ± statisticErrorBound. */
  pValueRange?: [number, number];
}

/** A result or the reason there is none (too little data, a test that does not apply). */
export type DriftTestOutcome = DriftTestResult | { notApplicable: string };

/** True when the outcome is a result (not a reason the test could not run). */
export function isResult(outcome: DriftTestOutcome): outcome is DriftTestResult {
  return !('notApplicable' in outcome);
}
