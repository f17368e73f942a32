/**
 * Calibrated thresholds: each feature's threshold derived from its own baseline, for the size of the
 * window it will be compared with, so that the false-alarm rate on data without drift is the configured
 * `alarmRate` at every window size (a fixed PSI of 0.1 cries wolf on 100-row windows; a fixed α on
 * million-row windows reacts to differences nobody cares about).
 *
 * Procedure (leave-one-out resampling of windows, deterministic for a seed). Each replicate holds a
 * window of the target size out of the baseline and compares it with the rest, which never contains the
 * window's data:
 * - `subsample` (default): the window is a uniformly random set of rows of the whole baseline, drawn
 *   without replacement. Assumes the baseline's rows are exchangeable; replicates are nearly independent,
 *   so the threshold is steady.
 * - `chunk-subsample` (option `chunks`, when chunks hold at least twice the window): the baseline, in its
 *   arrival order, is cut into that many contiguous chunks; replicate r holds out chunk r mod chunks, draws
 *   the window from it and compares it with the other chunks. Chunks carry the baseline's slow variation
 *   (days, batches) into the threshold — that variation is then not called drift — but the threshold is only
 *   as steady as the number of chunks: give the baseline a few hundred windows' worth of rows.
 * - `bootstrap` (windows larger than half the baseline): drawn with replacement and compared with the
 *   whole baseline; the baseline's own noise then counts twice, so thresholds err towards fewer alarms.
 * - `within-baseline` (`calibrateWithinBaseline`, what `--drift-mode calibrated` baselines use): the window
 *   is drawn from a sample of the baseline, built as the execution builds its window (a KLL sketch) and
 *   compared with the whole baseline as the execution reads it (its sketch); a smaller drawn window
 *   (1/m′ = 1/m + 2/N) makes up for the window being part of the baseline. The sketches' errors are then
 *   part of the null distribution, and N is the whole baseline's size, not the sample's.
 * The threshold is the empirical quantile (linear interpolation, numpy's default) of the replicate scores:
 * the (1 − alarmRate) quantile of distances, or the alarmRate quantile of p-values (then "p ≤ threshold" is
 * the calibrated rule). The rest of the baseline is smaller than the full baseline real windows are
 * compared with; drawing windows slightly larger than the target (`drawnWindowSize`) gives the comparison
 * the same effective sample size, so the thresholds are not conservative by that difference.
 */

/**
 * Calibrated thresholds: each feature's threshold derived from its own baseline, for the size of the
 * window it will be compared with, so that the false-alarm rate on data without drift is the configured
 * `alarmRate` at every window size (a fixed PSI of 0.1 cries wolf on 100-row windows; a fixed α on
 * million-row windows reacts to differences nobody cares about).
 *
 * Procedure (leave-one-out resampling of windows, deterministic for a seed). Each replicate holds a
 * window of the target size out of the baseline and compares it with the rest, which never contains the
 * window's data:
 * - `subsample` (default): the window is a uniformly random set of rows of the whole baseline, drawn
 *   without replacement. Assumes the baseline's rows are exchangeable; replicates are nearly independent,
 *   so the threshold is steady.
 * - `chunk-subsample` (option `chunks`, when chunks hold at least twice the window): the baseline, in its
 *   arrival order, is cut into that many contiguous chunks; replicate r holds out chunk r mod chunks, draws
 *   the window from it and compares it with the other chunks. Chunks carry the baseline's slow variation
 *   (days, batches) into the threshold — that variation is then not called drift — but the threshold is only
 *   as steady as the number of chunks: give the baseline a few hundred windows' worth of rows.
 * - `bootstrap` (windows larger than half the baseline): drawn with replacement and compared with the
 *   whole baseline; the baseline's own noise then counts twice, so thresholds err towards fewer alarms.
 * - `within-baseline` (`calibrateWithinBaseline`, what `--drift-mode calibrated` baselines use): the window
 *   is drawn from a sample of the baseline, built as the execution builds its window (a KLL sketch) and
 *   compared with the whole baseline as the execution reads it (its sketch); a smaller drawn window
 *   (1/m′ = 1/m + 2/N) makes up for the window being part of the baseline. The sketches' errors are then
 *   part of the null distribution, and N is the whole baseline's size, not the sample's.
 * The threshold is the empirical quantile (linear interpolation, numpy's default) of the replicate scores:
 * the (1 − alarmRate) quantile of distances, or the alarmRate quantile of p-values (then "p ≤ threshold" is
 * the calibrated rule). The rest of the baseline is smaller than the full baseline real windows are
 * compared with; drawing windows slightly larger than the target (`drawnWindowSize`) gives the comparison
 * the same effective sample size, so the thresholds are not conservative by that difference.
 */

import { mulberry32 } from '../../core/random.js';
import {
  type CalibratedThreshold,
  type CalibrationOptions,
  categoricalBaseline,
  type Resampling,
  type ResolvedOptions,
  replicateScore,
  resolveOptions,
  thresholdFrom,
} from './calibration-replicates.js';
import { type DriftTestId, getDriftTest } from './registry.js';
import { drawWindow, SplitScratch, splitSorted, subtractSample, toCountMap } from './resample.js';
import { type WeightedSample, weightedSampleFromValues } from './sample.js';

export type { CalibratedThreshold, CalibrationOptions, Resampling } from './calibration-replicates.js';

/**
 * Threshold for a numeric test from a baseline given in arrival order (finite values; NaN are skipped).
 * Undefined when the baseline is too small (fewer than 4 values) or the test never produced a score.
 */
export function calibrateNumericThreshold(
  baselineInOrder: ArrayLike<number>,
  windowSize: number,
  test: DriftTestId,
  options: CalibrationOptions = {},
): CalibratedThreshold | undefined {
  return calibrateNumericThresholds(baselineInOrder, windowSize, [test], options).get(test);
}

/** Thresholds for several numeric tests at once, from the same resampled windows (one pass). */
export function calibrateNumericThresholds(
  baselineInOrder: ArrayLike<number>,
  windowSize: number,
  tests: readonly DriftTestId[],
  options: CalibrationOptions = {},
): Map<DriftTestId, CalibratedThreshold> {
  const specs = tests.map((id) => {
    const spec = getDriftTest(id);
    if (!spec.numeric) throw new RangeError(`${id} is not a numeric test`);
    return { id, spec, run: spec.numeric, scores: [] as number[] };
  });
  const out = new Map<DriftTestId, CalibratedThreshold>();
  const values = Float64Array.from(baselineInOrder).filter((v) => !Number.isNaN(v));
  const n = values.length;
  if (n < 4 || windowSize < 1) return out;
  const o = resolveOptions(options, n);
  const chunkSize = o.chunks > 0 ? Math.floor(n / o.chunks) : 0;
  const rng = mulberry32(o.seed);
  const all = weightedSampleFromValues(values);
  const resampling = resamplingFor(n, chunkSize, windowSize);
  const drawn = drawnWindowSize(n, chunkSize, windowSize, resampling);
  const score = (rest: WeightedSample, window: WeightedSample): void => {
    for (const t of specs) {
      const value = replicateScore(t.spec.score, t.run(rest, window));
      if (value !== undefined) t.scores.push(value);
    }
  };
  if (resampling === 'chunk-subsample') {
    for (const { start, end, reps } of chunkPlan(n, chunkSize, o)) {
      const chunk = weightedSampleFromValues(values.subarray(start, end));
      const rest = subtractSample(all, chunk);
      const scratch = new SplitScratch(chunk);
      for (let r = 0; r < reps; r++) score(rest, splitSorted(chunk, drawn, rng, scratch).window);
    }
  } else if (resampling === 'subsample') {
    const scratch = new SplitScratch(all);
    for (let r = 0; r < o.replicates; r++) {
      const { window, rest } = splitSorted(all, drawn, rng, scratch);
      score(rest, window);
    }
  } else {
    for (let r = 0; r < o.replicates; r++) {
      score(all, weightedSampleFromValues(drawWindow(values, windowSize, false, rng)));
    }
  }
  for (const t of specs) {
    const result = thresholdFrom(t.id, t.spec.score, windowSize, drawn, t.scores, o, chunkSize, resampling);
    if (result) out.set(t.id, result);
  }
  return out;
}

/**
 * Threshold for a categorical test from a baseline given in arrival order as category codes
 * (indexes into `names`; codes outside it are skipped).
 */
export function calibrateCategoricalThreshold(
  baselineCodes: ArrayLike<number>,
  names: readonly string[],
  windowSize: number,
  test: DriftTestId,
  options: CalibrationOptions = {},
): CalibratedThreshold | undefined {
  const { categorical, score: scoreKind, codes, totals } = categoricalBaseline(baselineCodes, names, test);
  const n = codes.length;
  if (n < 4 || windowSize < 1) return undefined;
  const o = resolveOptions(options, n);
  const chunkSize = o.chunks > 0 ? Math.floor(n / o.chunks) : 0;
  const rng = mulberry32(o.seed);
  const scores: number[] = [];
  const resampling = resamplingFor(n, chunkSize, windowSize);
  const drawn = drawnWindowSize(n, chunkSize, windowSize, resampling);
  const score = (rest: Map<string, number>, window: Float64Array): void => {
    const counts = new Float64Array(names.length);
    for (const c of window) counts[c] = (counts[c] as number) + 1;
    const value = replicateScore(scoreKind, categorical(rest, toCountMap(counts, names)));
    if (value !== undefined) scores.push(value);
  };
  if (resampling === 'chunk-subsample') {
    for (const { start, end, reps } of chunkPlan(n, chunkSize, o)) {
      const chunk = codes.slice(start, end);
      const restCounts = Float64Array.from(totals);
      for (const c of chunk) restCounts[c] = (restCounts[c] as number) - 1;
      const rest = toCountMap(restCounts, names);
      for (let r = 0; r < reps; r++) score(rest, drawWindow(chunk, drawn, true, rng));
    }
  } else {
    const all = codes.slice();
    const allCounts = toCountMap(totals, names);
    for (let r = 0; r < o.replicates; r++) {
      const window = drawWindow(all, drawn, resampling === 'subsample', rng);
      if (resampling === 'bootstrap') {
        score(allCounts, window);
        continue;
      }
      const restCounts = Float64Array.from(totals);
      for (const c of window) restCounts[c] = (restCounts[c] as number) - 1;
      score(toCountMap(restCounts, names), window);
    }
  }
  return thresholdFrom(test, scoreKind, windowSize, drawn, scores, o, chunkSize, resampling);
}

/** The baseline's consecutive chunks [start, end) that get replicates, and how many each (spread evenly). */
function* chunkPlan(
  n: number,
  chunkSize: number,
  o: ResolvedOptions,
): Generator<{ start: number; end: number; reps: number }> {
  for (let k = 0; k < o.chunks; k++) {
    const reps = Math.floor(o.replicates / o.chunks) + (k < o.replicates % o.chunks ? 1 : 0);
    if (reps === 0) continue;
    const start = k * chunkSize;
    yield { start, end: k === o.chunks - 1 ? n : start + chunkSize, reps };
  }
}

/**
 * The held-out window is compared with a rest smaller than the full baseline, which would widen the null
 * distribution of every statistic (all scale with the effective size 1/(1/m + 1/n)). Drawing a slightly
 * larger window m' restores it: 1/m' + 1/rest = 1/m + 1/N, with rest = N − m' (random rows; possible up to
 * m = N/3) or N − chunk (chunks). Where it cannot be matched, m' = m (thresholds a little conservative).
 */
function drawnWindowSize(n: number, chunkSize: number, m: number, resampling: Resampling): number {
  const target = 1 / m + 1 / n;
  if (resampling === 'chunk-subsample') {
    const inv = target - 1 / (n - chunkSize);
    const drawn = inv > 0 ? Math.round(1 / inv) : chunkSize;
    return Math.max(m, Math.min(chunkSize, drawn));
  }
  if (resampling === 'subsample' && target >= 4 / n) {
    // m'(N − m') = N / target, the smaller root.
    const drawn = Math.round((n - Math.sqrt(n * n - (4 * n) / target)) / 2);
    return Math.max(m, Math.min(Math.floor(n / 2), drawn));
  }
  return m;
}

function resamplingFor(n: number, chunkSize: number, windowSize: number): Resampling {
  if (chunkSize > 0 && chunkSize >= 2 * windowSize) return 'chunk-subsample';
  return windowSize <= n / 2 ? 'subsample' : 'bootstrap';
}
