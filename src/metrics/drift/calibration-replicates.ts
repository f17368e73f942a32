/**
 * What every calibration procedure shares (`calibrate.ts`: leave-one-out windows; `calibrate-within-baseline.ts`:
 * windows drawn from inside the baseline, as `--drift-mode calibrated` baselines use): the options and
 * their defaults, the score a replicate adds to the null distribution, and the threshold read off it.
 */

import { type DriftTestId, type DriftTestSpec, getDriftTest, type ScoreKind } from './registry.js';
import { quantileSorted } from './resample.js';
import { type DriftTestOutcome, isResult } from './types.js';

export interface CalibrationOptions {
  /** Target false-alarm rate on windows without drift (default 0.05). */
  alarmRate?: number;
  /** Resampled windows (default 400). */
  replicates?: number;
  /**
   * Hold out contiguous chunks of the baseline (in arrival order) instead of random rows: the number of
   * chunks (at least 2; used only when a chunk holds at least twice the window). Default: random rows.
   */
  chunks?: number;
  seed?: number;
}

export type Resampling = 'chunk-subsample' | 'subsample' | 'bootstrap' | 'within-baseline';

export interface CalibratedThreshold {
  test: DriftTestId;
  score: ScoreKind;
  windowSize: number;
  /**
   * Size of the resampled windows: slightly above `windowSize` so that window vs rest-of-baseline has the
   * same effective sample size 1/(1/m + 1/N) as a real window vs the whole baseline (see the module doc).
   */
  drawnWindowSize: number;
  /** p-value level (drift when p ≤ it) or distance (drift when distance ≥ it), in the statistic's unit. */
  threshold: number;
  alarmRate: number;
  /** Replicates that produced a score. */
  replicates: number;
  chunks: number;
  chunkSize: number;
  resampling: Resampling;
  seed: number;
}

/** The options with their defaults applied (chunks 0: random rows of the whole baseline). */
export interface ResolvedOptions {
  alarmRate: number;
  replicates: number;
  chunks: number;
  seed: number;
}

export function resolveOptions(options: CalibrationOptions, n: number): ResolvedOptions {
  const alarmRate = options.alarmRate ?? 0.05;
  if (!(alarmRate > 0 && alarmRate < 1)) throw new RangeError('alarmRate must be in (0, 1)');
  return {
    alarmRate,
    replicates: Math.max(1, Math.floor(options.replicates ?? 400)),
    // 0 = random rows of the whole baseline.
    chunks:
      options.chunks === undefined ? 0 : Math.max(2, Math.min(Math.floor(options.chunks), Math.floor(n / 2))),
    seed: options.seed ?? 1,
  };
}

/** The score an outcome adds to the null distribution (its p-value or statistic), or undefined. */
export function replicateScore(kind: ScoreKind, outcome: DriftTestOutcome): number | undefined {
  if (!isResult(outcome)) return undefined;
  const value = kind === 'p_value' ? outcome.pValue : outcome.statistic;
  return value !== null && !Number.isNaN(value) ? value : undefined;
}

/** The calibrated threshold: the quantile of the replicate scores that gives the alarm rate. */
export function thresholdFrom(
  test: DriftTestId,
  score: ScoreKind,
  windowSize: number,
  drawn: number,
  scores: number[],
  o: ResolvedOptions,
  chunkSize: number,
  resampling: Resampling,
): CalibratedThreshold | undefined {
  if (scores.length === 0) return undefined;
  scores.sort((a, b) => a - b);
  const q = score === 'p_value' ? o.alarmRate : 1 - o.alarmRate;
  return {
    test,
    score,
    windowSize,
    drawnWindowSize: drawn,
    threshold: quantileSorted(scores, q),
    alarmRate: o.alarmRate,
    replicates: scores.length,
    chunks: o.chunks,
    chunkSize,
    resampling,
    seed: o.seed,
  };
}

/** A categorical test's baseline: the codes that name one of `names` (arrival order) and each one's count. */
export function categoricalBaseline(
  baselineCodes: ArrayLike<number>,
  names: readonly string[],
  test: DriftTestId,
): {
  categorical: NonNullable<DriftTestSpec['categorical']>;
  score: ScoreKind;
  codes: Float64Array;
  totals: Float64Array;
} {
  const spec = getDriftTest(test);
  if (!spec.categorical) throw new RangeError(`${test} is not a categorical test`);
  const codes = Float64Array.from(Int32Array.from(baselineCodes).filter((c) => c >= 0 && c < names.length));
  const totals = new Float64Array(names.length);
  for (const c of codes) totals[c] = (totals[c] as number) + 1;
  return { categorical: spec.categorical, score: spec.score, codes, totals };
}
