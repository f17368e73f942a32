/**
 * Regression metrics (spec §6.2 `regression_metrics`): mean absolute error, mean squared error, its root,
 * and the coefficient of determination.
 *
 *   e_i = predicted_i − actual_i
 *   mae  = Σ|e_i| / n        mse = Σ e_i² / n        rmse = √mse
 *   r2   = 1 − SS_res / SS_tot,  SS_res = Σ e_i²,  SS_tot = Σ (actual_i − mean(actual))²
 *
 * The textbook coefficient of determination, as scikit-learn's `r2_score(actual, predicted)`. The SDK's
 * model-quality sample (`tests/data/pipeline/quality_check_step/model_quality`) was produced with the
 * columns swapped (its test passes `inference_attribute="Label", ground_truth_attribute="Prediction"`);
 * with that configuration this formula reproduces its r2 −3.2088. `r2` is NaN when SS_tot = 0 (constant
 * actuals); every metric is NaN for n = 0. An optional 0/1 mask restricts the records (used by the
 * subsample standard deviation).
 */
export interface RegressionMetrics {
  mae: number;
  mse: number;
  rmse: number;
  r2: number;
}

export const REGRESSION_METRIC_NAMES = ['mae', 'mse', 'rmse', 'r2'] as const;

export function regressionMetrics(
  predicted: Float64Array,
  actual: Float64Array,
  mask?: Uint8Array,
): RegressionMetrics {
  const n = Math.min(predicted.length, actual.length);
  let count = 0;
  let sumAbs = 0;
  let sumSq = 0;
  // Welford's running mean and sum of squared deviations of the actuals (stable for large offsets).
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    if (mask && mask[i] !== 1) continue;
    const a = actual[i] as number;
    const e = (predicted[i] as number) - a;
    count++;
    sumAbs += Math.abs(e);
    sumSq += e * e;
    const delta = a - mean;
    mean += delta / count;
    m2 += delta * (a - mean);
  }
  if (count === 0) return { mae: Number.NaN, mse: Number.NaN, rmse: Number.NaN, r2: Number.NaN };
  const mse = sumSq / count;
  return { mae: sumAbs / count, mse, rmse: Math.sqrt(mse), r2: m2 > 0 ? 1 - sumSq / m2 : Number.NaN };
}
