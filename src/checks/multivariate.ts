/**
 * `multivariate_drift_check` (issue 14, item 3; a driftwatch extension): the window's mean PCA
 * reconstruction error of the baseline's numeric features against the band the baseline learned
 * (`driftwatch_calibration.json` → `multivariate`). A change in how features move together, with every
 * marginal unchanged, moves the error while no univariate check sees it.
 *
 * The collector runs on every profiled row (only when the baseline has a model) and reads the numbers the
 * profile parsed (`DatasetProfile.addRow`'s `numbers`: each cell is parsed once); a row with a missing or
 * non-numeric value in any of the model's columns is left out of the mean. Sums and counts merge across
 * window parts.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import type { DriftCalibration } from '../baseline/drift-calibration.js';
import {
  type ReconstructionBaseline,
  reconstructionBand,
  reconstructionError,
} from '../metrics/multivariate/pca.js';
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';
import type { MultivariateResult, ViolationDetail } from './data-quality.js';

/** The `feature_name` of the check's violation (it concerns the numeric features together). */
export const MULTIVARIATE_FEATURE = 'multivariate';

export type { MultivariateResult };

export interface ReconstructionCollector {
  /** One row, as the numbers `DatasetProfile.addRow` parsed (slot i = column i; NaN = missing). */
  add(numbers: ArrayLike<number>): void;
  toJSON(): { sum: number; count: number };
}

/** A per-row collector for the baseline's model, or undefined when it has none (or lacks a column). */
export function reconstructionCollector(
  model: ReconstructionBaseline | undefined,
  profile: DatasetProfile,
): ReconstructionCollector | undefined {
  if (!model) return undefined;
  const indexes = model.columns.map((c) => profile.columnIndexOf(c));
  if (indexes.some((i) => i === undefined)) return undefined;
  const at = indexes as number[];
  const row = new Float64Array(at.length);
  const scratch = new Float64Array(at.length);
  let sum = 0;
  let count = 0;
  return {
    add(numbers) {
      for (let k = 0; k < at.length; k++) {
        const x = numbers[at[k] as number] as number;
        if (!Number.isFinite(x)) return;
        row[k] = x;
      }
      sum += reconstructionError(model.model, row, scratch);
      count++;
    },
    toJSON: () => ({ sum, count }),
  };
}

/** The check on the merged sums; undefined when the baseline has no model or the window no complete row. */
export function checkMultivariate(
  calibration: DriftCalibration | undefined,
  reconstruction: { sum: number; count: number } | undefined,
): { result: MultivariateResult; violation?: ViolationDetail } | undefined {
  const model = calibration?.multivariate;
  if (!model || !reconstruction || reconstruction.count === 0) return undefined;
  const alarmRate = calibration.alarm_rate;
  const value = reconstruction.sum / reconstruction.count;
  const { lower, upper } = reconstructionBand(
    model,
    reconstruction.count,
    normalQuantile(1 - alarmRate / 2, 0, 1),
  );
  const drift = value < lower || value > upper;
  const result: MultivariateResult = {
    columns: model.columns,
    value,
    rows: reconstruction.count,
    lower,
    upper,
    baselineMean: model.error_mean,
    alarmRate,
    drift,
  };
  if (!drift) return { result };
  return {
    result,
    violation: {
      feature_name: MULTIVARIATE_FEATURE,
      constraint_check_type: 'multivariate_drift_check',
      description: `Multivariate drift: mean PCA reconstruction error ${value} of ${reconstruction.count} rows is outside [${lower}, ${upper}] (baseline ${model.error_mean}; features ${model.columns.join(', ')}).`,
      baselineValue: model.error_mean,
      currentValue: value,
      threshold: value > upper ? upper : lower,
      method: 'pca_reconstruction',
    },
  };
}
