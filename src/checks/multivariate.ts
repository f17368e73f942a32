/**
 * `multivariate_drift_check` (issue 14, item 3; a driftwatch extension): the window's mean PCA
 * reconstruction error of the baseline's numeric features against the band the baseline learned
 * (`driftwatch_calibration.json` → `multivariate`). A change in how features move together, with every
 * marginal unchanged, moves the error while no univariate check sees it.
 *
 * The collector runs on every profiled row (only when the baseline has a model) and reads the numbers the
 * profile parsed (`DatasetProfile.addRow`'s `numbers`: each cell is parsed once); a row with a missing or
 * non-numeric value in any of the model's numeric columns is left out of the mean. One-hot encoded
 * categorical features read the cell's text (a category the model does not list, or a missing value, sets
 * no indicator). Sums and counts merge across window parts.
 */

import type { DriftCalibration } from '../baseline/drift-calibration.js';
import {
  type ReconstructionBaseline,
  reconstructionBand,
  reconstructionErrorOf,
} from '../metrics/multivariate/pca.js';
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';
import { normalQuantile } from '../metrics/special.js';
import type { CheckedViolation, MultivariateResult } from './data-quality.js';

/** The `feature_name` of the check's violation (it concerns the numeric features together). */
export const MULTIVARIATE_FEATURE = 'multivariate';

export type { MultivariateResult };

export interface ReconstructionCollector {
  /**
   * One row: `numbers` as `DatasetProfile.addRow` parsed them (slot i = column i; NaN = missing), and the
   * row's cells for the one-hot encoded categorical features.
   */
  add(numbers: ArrayLike<number>, cells: ArrayLike<unknown>): void;
  toJSON(): { sum: number; count: number };
}

/** A cell's category as the profile keys it (missing and nested values: none). */
function categoryOf(cell: unknown): string | undefined {
  if (cell === null || cell === undefined || cell === '' || typeof cell === 'object') return undefined;
  return typeof cell === 'string' ? cell : String(cell);
}

/** A per-row collector for the baseline's model, or undefined when it has none (or lacks a column). */
export function reconstructionCollector(
  model: ReconstructionBaseline | undefined,
  profile: DatasetProfile,
): ReconstructionCollector | undefined {
  if (!model) return undefined;
  const oneHot = model.one_hot ?? [];
  const indexes = [...model.columns, ...oneHot.map((f) => f.name)].map((c) => profile.columnIndexOf(c));
  if (indexes.some((i) => i === undefined)) return undefined;
  const at = indexes.slice(0, model.columns.length) as number[];
  // Each encoded feature: its column, the first indicator's dimension, and category → indicator.
  let next = at.length;
  const encoded = oneHot.map((f, k) => {
    const first = next;
    next += f.categories.length;
    return {
      column: indexes[at.length + k] as number,
      first,
      width: f.categories.length,
      indicator: new Map(f.categories.map((c, j) => [c, j])),
    };
  });
  const d = model.model.d;
  const row = new Float64Array(d);
  const errorOf = reconstructionErrorOf(model.model);
  let sum = 0;
  let count = 0;
  return {
    add(numbers, cells) {
      for (let k = 0; k < at.length; k++) {
        const x = numbers[at[k] as number] as number;
        if (!Number.isFinite(x)) return;
        row[k] = x;
      }
      for (const e of encoded) {
        row.fill(0, e.first, e.first + e.width);
        const category = categoryOf(cells[e.column]);
        const j = category === undefined ? undefined : e.indicator.get(category);
        if (j !== undefined) row[e.first + j] = 1;
      }
      sum += errorOf(row);
      count++;
    },
    toJSON: () => ({ sum, count }),
  };
}

/** The check on the merged sums; undefined when the baseline has no model or the window no complete row. */
export function checkMultivariate(
  calibration: DriftCalibration | undefined,
  reconstruction: { sum: number; count: number } | undefined,
): { result: MultivariateResult; violation?: CheckedViolation } | undefined {
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
  const columns = [...model.columns, ...(model.one_hot ?? []).map((f) => f.name)];
  const result: MultivariateResult = {
    columns,
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
      description: `Multivariate drift: mean PCA reconstruction error ${value} of ${reconstruction.count} rows is outside [${lower}, ${upper}] (baseline ${model.error_mean}; features ${columns.join(', ')}).`,
      baselineValue: model.error_mean,
      currentValue: value,
      threshold: value > upper ? upper : lower,
      method: 'pca_reconstruction',
    },
  };
}
