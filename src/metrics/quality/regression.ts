/**
 * Regression metrics (spec §6.2 `regression_metrics`): mean absolute error, mean squared error, its root,
 * and the coefficient of determination.
 *
 *   e_i = predicted_i − actual_i
 *   mae  = Σ|e_i| / n        mse = Σ e_i² / n        rmse = √mse
 *   r2   = 1 − SS_res / SS_tot,  SS_res = Σ e_i²,  SS_tot = Σ (predicted_i − mean(predicted))²
 *
 * Note SS_tot: SageMaker's analyzer takes the total sum of squares of the **predictions**, not of the
 * actuals as sklearn's `r2_score` does (as Spark's `RegressionMetrics` gives when handed (label,
 * prediction) pairs in swapped order). This reproduces the real SageMaker output of the SDK's
 * model-quality sample exactly (r2 = −3.2088 there; the textbook formula gives −0.3351); mae, mse and
 * rmse agree with both. `r2` is NaN when SS_tot = 0 (constant predictions); every metric is NaN for n = 0.
 * An optional 0/1 mask restricts the records (used by the subsample standard deviation).
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
  // Welford's running mean and sum of squared deviations of the predictions (stable for large offsets).
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    if (mask && mask[i] !== 1) continue;
    const p = predicted[i] as number;
    const e = p - (actual[i] as number);
    count++;
    sumAbs += Math.abs(e);
    sumSq += e * e;
    const delta = p - mean;
    mean += delta / count;
    m2 += delta * (p - mean);
  }
  if (count === 0) return { mae: Number.NaN, mse: Number.NaN, rmse: Number.NaN, r2: Number.NaN };
  const mse = sumSq / count;
  return { mae: sumAbs / count, mse, rmse: Math.sqrt(mse), r2: m2 > 0 ? 1 - sumSq / m2 : Number.NaN };
}
