/**
 * `multivariate_drift_check` (issue 14, item 3; a driftwatch extension): the window's mean PCA
 * reconstruction error of the baseline's numeric features against the band the baseline learned
 * (`driftwatch_calibration.json` → `multivariate`). A change in how features move together, with every
 * marginal unchanged, moves the error while no univariate check sees it.
 *
 * The collector runs on the profiled rows (only when the baseline has a model): on every row until it has
 * scored twice `scoredRowsCap` rows, then on a uniform random subsample of the window (its rate halving as
 * needed, so between one and two caps are kept; the cap is twice the baseline's held-out rows, where the
 * band's own uncertainty dominates). Told how many rows to expect (`expectRows`: the execution estimates
 * it from the objects' sizes), it samples at the final rate from the start. It reads the numbers the profile parsed
 * (`DatasetProfile.addRow`'s `numbers`, `addDelimitedRow`'s output: each cell is parsed once); a row with a
 * missing or non-numeric value in any of the model's numeric columns is left out of the mean. One-hot
 * encoded categorical features read the cell's text (a category the model does not list, or a missing
 * value, sets no indicator), scored by table lookup (`reconstructionScorer`). Sums and counts merge across
 * window parts.
 */

import type { DriftCalibration } from '../baseline/drift-calibration.js';
import {
  type ReconstructionBaseline,
  reconstructionBand,
  reconstructionScorer,
} from '../metrics/multivariate/pca.js';
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';
import { normalQuantile } from '../metrics/special.js';
import type { CheckedViolation, MultivariateResult } from './data-quality.js';

/** The `feature_name` of the check's violation (it concerns the numeric features together). */
export const MULTIVARIATE_FEATURE = 'multivariate';

export type { MultivariateResult };

export interface ReconstructionCollector {
  /**
   * Whether the next row is scored (call once per row, before `add`): every row of a window until
   * `2 × scoredRowsCap(model)` rows were scored, then a uniform random subsample (see `reconstructionCollector`).
   */
  sample(): boolean;
  /**
   * The number of rows the window (or this part of it) is expected to hold, once known or estimated (e.g.
   * from the bytes read so far): the sampling rate drops at once to the one that keeps 1–2 caps of rows,
   * rather than scoring every row until twice the cap and halving from there. Only ever lowers the rate.
   */
  expectRows(rows: number): void;
  /**
   * One row that `sample` chose: `numbers` as `DatasetProfile.addRow` parsed them (slot i = column i;
   * NaN = missing), and the row's cells for the one-hot encoded categorical features (only the slots of
   * `textColumns` are read).
   */
  add(numbers: ArrayLike<number>, cells: ArrayLike<unknown>): void;
  /** The profile's column indexes whose cells `add` reads (the one-hot encoded features). */
  readonly textColumns: readonly number[];
  /** Sum and count of the errors of the scored rows (those kept by the final sampling level). */
  toJSON(): { sum: number; count: number };
}

/**
 * Rows a window scores at least before it subsamples, per held-out baseline row: the band's half-width
 * is z·sd·√(1/n + 1/holdout), so past ~2 × holdout scored rows more rows narrow it little (≤ 1.23 × the
 * width of an infinite window with n ≥ 2 × holdout), while each costs as much as profiling a fifth of a
 * record of 20 features. At least `MIN_SCORED_ROWS`.
 */
export const SCORED_ROWS_PER_HOLDOUT_ROW = 2;
export const MIN_SCORED_ROWS = 20_000;

/** Rows a window's collector scores before it starts subsampling: between this and twice as many after. */
export function scoredRowsCap(model: Pick<ReconstructionBaseline, 'holdout_rows'>): number {
  return Math.max(MIN_SCORED_ROWS, SCORED_ROWS_PER_HOLDOUT_ROW * model.holdout_rows);
}

/** The fixed seed of the collector's row sampling (deterministic executions: the same rows every time). */
const SAMPLING_SEED = 0x5eed14;

/** A cell's category as the profile keys it (missing and nested values: none). */
function categoryOf(cell: unknown): string | undefined {
  if (cell === null || cell === undefined || cell === '' || typeof cell === 'object') return undefined;
  return typeof cell === 'string' ? cell : String(cell);
}

/** The model's numeric columns of a row (`numbers[at[k]]`) into `numeric`; false when one is NaN or infinite. */
function readNumeric(numbers: ArrayLike<number>, at: Int32Array, numeric: Float64Array): boolean {
  for (let k = 0; k < at.length; k++) {
    const x = numbers[at[k] as number] as number;
    if (x - x !== 0) return false;
    numeric[k] = x;
  }
  return true;
}

/**
 * The index in `categories` of `text` (undefined: −1; a category listed twice: its last index; not listed:
 * −1). A model lists at most ONE_HOT_MAX_CATEGORIES per feature, so a scan costs no more than a Map lookup.
 */
function indicatorOf(categories: readonly string[], text: string | undefined): number {
  if (text === undefined) return -1;
  for (let j = categories.length - 1; j >= 0; j--) if (categories[j] === text) return j;
  return -1;
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
  const p = model.columns.length;
  const at = Int32Array.from(indexes.slice(0, p) as number[]);
  const textColumns = indexes.slice(p) as number[];
  const encodedAt = Int32Array.from(textColumns);
  // Each encoded feature's categories: a cell's indicator is its index there (`indicatorOf`).
  const listed = oneHot.map((f) => f.categories);
  const numeric = new Float64Array(p);
  const codes = new Int32Array(oneHot.length);
  const errorOf = reconstructionScorer(
    model.model,
    oneHot.map((f) => f.categories.length),
  );
  // Sampling by levels: each row draws a level ℓ (the trailing zero bits of a seeded 32-bit draw, so
  // P(ℓ ≥ L) = 2^−L) and is scored when ℓ ≥ the current level L; sums are kept per level. When the rows
  // scored at levels ≥ L reach twice the cap, level L's rows are dropped and L rises: the rows kept are
  // then exactly those with ℓ ≥ L, a uniform random sample of the whole window at rate 2^−L (not its first
  // rows, and no stride that a periodic pattern in the traffic could line up with). The band is computed at
  // the number of rows kept, so a window without drift still alarms at the stated rate: the kept rows'
  // errors are draws of the same per-row distribution the baseline's held-out rows measured.
  const cap = scoredRowsCap(model);
  const sums = new Float64Array(33);
  const counts = new Float64Array(33);
  let level = 0;
  let rowLevel = 0;
  /** Rows kept (levels ≥ the current one). */
  let count = 0;
  // The generator's state in a typed array: a 32-bit integer kept in a closure variable would be boxed on
  // every row (it does not fit a small integer).
  const state = Int32Array.of(SAMPLING_SEED);
  /** Drops the current level's rows: the rows kept are those of level ≥ L + 1. */
  const raise = () => {
    count -= counts[level] as number;
    level++;
  };
  /** The error of the row in `numeric` and `codes`, counted at its level. */
  const score = (): void => {
    const e = errorOf(numeric, codes);
    sums[rowLevel] = (sums[rowLevel] as number) + e;
    counts[rowLevel] = (counts[rowLevel] as number) + 1;
    count++;
    while (count >= 2 * cap && level < 32) raise();
  };
  return {
    sample() {
      // mulberry32 (src/core/random.ts), inlined: one draw per row.
      const a = ((state[0] as number) + 0x6d2b79f5) | 0;
      state[0] = a;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      const draw = (t ^ (t >>> 14)) >>> 0;
      rowLevel = draw === 0 ? 32 : 31 - Math.clz32(draw & -draw);
      return rowLevel >= level;
    },
    add(numbers, cells) {
      if (!readNumeric(numbers, at, numeric)) return;
      for (let f = 0; f < encodedAt.length; f++) {
        const category = categoryOf(cells[encodedAt[f] as number]);
        codes[f] = indicatorOf(listed[f] as string[], category);
      }
      score();
    },
    expectRows(rows) {
      const target = Math.min(32, Math.floor(Math.log2(rows / cap)));
      while (level < target) raise();
    },
    textColumns,
    toJSON: () => {
      // The kept levels' sums.
      let s = 0;
      for (let l = level; l <= 32; l++) s += sums[l] as number;
      return { sum: s, count };
    },
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
