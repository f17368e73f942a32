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

import { mulberry32, type Rng } from '../../core/random.js';
import { type DriftTestId, getDriftTest, type ScoreKind } from './registry.js';
import { type WeightedSample, weightedSampleFromValues } from './sample.js';
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

interface Resolved {
  alarmRate: number;
  replicates: number;
  chunks: number;
  seed: number;
}

function resolve(options: CalibrationOptions, n: number): Resolved {
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
  const o = resolve(options, n);
  const chunkSize = o.chunks > 0 ? Math.floor(n / o.chunks) : 0;
  const rng = mulberry32(o.seed);
  const all = weightedSampleFromValues(values);
  const resampling = resamplingFor(n, chunkSize, windowSize);
  const drawn = drawnWindowSize(n, chunkSize, windowSize, resampling);
  const score = (rest: WeightedSample, window: WeightedSample): void => {
    for (const t of specs) {
      const value = scoreOf(t.spec.score, t.run(rest, window));
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
    const result = finish(t.id, t.spec.score, windowSize, drawn, t.scores, o, chunkSize, resampling);
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
  const spec = getDriftTest(test);
  if (!spec.categorical) throw new RangeError(`${test} is not a categorical test`);
  const codes = Int32Array.from(baselineCodes).filter((c) => c >= 0 && c < names.length);
  const n = codes.length;
  if (n < 4 || windowSize < 1) return undefined;
  const o = resolve(options, n);
  const chunkSize = o.chunks > 0 ? Math.floor(n / o.chunks) : 0;
  const rng = mulberry32(o.seed);
  const totals = new Float64Array(names.length);
  for (const c of codes) totals[c] = (totals[c] as number) + 1;
  const scores: number[] = [];
  const resampling = resamplingFor(n, chunkSize, windowSize);
  const drawn = drawnWindowSize(n, chunkSize, windowSize, resampling);
  const score = (rest: Map<string, number>, window: Float64Array): void => {
    const counts = new Float64Array(names.length);
    for (const c of window) counts[c] = (counts[c] as number) + 1;
    const outcome = spec.categorical?.(rest, toCountMap(counts, names));
    const value = outcome === undefined ? undefined : scoreOf(spec.score, outcome);
    if (value !== undefined) scores.push(value);
  };
  if (resampling === 'chunk-subsample') {
    for (const { start, end, reps } of chunkPlan(n, chunkSize, o)) {
      const chunk = Float64Array.from(codes.subarray(start, end));
      const restCounts = Float64Array.from(totals);
      for (const c of chunk) restCounts[c] = (restCounts[c] as number) - 1;
      const rest = toCountMap(restCounts, names);
      for (let r = 0; r < reps; r++) score(rest, drawWindow(chunk, drawn, true, rng));
    }
  } else {
    const all = Float64Array.from(codes);
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
  return finish(test, spec.score, windowSize, drawn, scores, o, chunkSize, resampling);
}

/** A window as the execution builds it, value by value (e.g. a KLL sketch, as a window profile keeps it). */
export interface WindowBuilder {
  /** Adds values in order. */
  add(values: Float64Array): void;
  /** The window so far (must not change the builder: windows of several sizes are read off one build). */
  sample(): WeightedSample;
}

/** Exact values (the default window builder). */
export function exactWindowBuilder(): WindowBuilder {
  const parts: Float64Array[] = [];
  return {
    add: (values) => {
      parts.push(values.slice());
    },
    sample: () => {
      const all = new Float64Array(parts.reduce((k, p) => k + p.length, 0));
      let k = 0;
      for (const p of parts) {
        all.set(p, k);
        k += p.length;
      }
      return weightedSampleFromValues(all);
    },
  };
}

/** Options of {@link calibrateWithinBaseline}. */
export interface WithinBaselineOptions extends Omit<CalibrationOptions, 'chunks'> {
  /** A new window builder per replicate (default: exact values). */
  windowBuilder?: () => WindowBuilder;
}

/**
 * The size of window drawn from inside the baseline that has the null variance of a real window of `m`
 * values against a baseline of `baselineCount` values: a window that is part of the baseline differs from
 * it with variance ∝ 1/m′ − 1/N (finite-population correction), a fresh window with 1/m + 1/N, so
 * 1/m′ = 1/m + 2/N. Equal to m when N is unknown (0 or not finite).
 */
export function withinBaselineDrawSize(m: number, baselineCount: number): number {
  if (!(baselineCount > 0) || !Number.isFinite(baselineCount)) return m;
  return Math.max(1, Math.round(1 / (1 / m + 2 / baselineCount)));
}

/**
 * Threshold for a numeric test, each replicate scored the way an execution scores a window (issue 14,
 * item 0): a window of m′ values (`withinBaselineDrawSize`) is drawn without replacement from the
 * baseline's sample (`sampleValues`, finite values in any order), built as the execution builds it
 * (`windowBuilder`, e.g. a KLL sketch) and compared with `baseline`, the whole baseline exactly as
 * executions read it (the sketch in `statistics.json`). The sketches' errors are then inside the
 * threshold, and the effective size 1/(1/m + 1/N) is the execution's, N = `baseline.total` (the sample may
 * be a thinned subset of the baseline). Undefined when m′ exceeds half the sample (the windows would
 * overlap too much to be near-independent; callers extrapolate) or no score came out.
 */
export function calibrateWithinBaseline(
  sampleValues: ArrayLike<number>,
  baseline: WeightedSample,
  windowSize: number,
  test: DriftTestId,
  options: WithinBaselineOptions = {},
): CalibratedThreshold | undefined {
  return calibrateWithinBaselineSizes(sampleValues, baseline, [windowSize], test, options).get(windowSize);
}

/**
 * `calibrateWithinBaseline` at several window sizes from the same replicates: each replicate draws one
 * random order of the largest window and builds it once; the window of every smaller size is a prefix of
 * that order (itself a uniformly random subset, built exactly as its own build would be), read off the
 * builder when it reaches that size. About half the work of one build per size, the same thresholds in
 * distribution. Sizes whose m′ exceeds half the sample get no entry.
 */
export function calibrateWithinBaselineSizes(
  sampleValues: ArrayLike<number>,
  baseline: WeightedSample,
  windowSizes: readonly number[],
  test: DriftTestId,
  options: WithinBaselineOptions = {},
): Map<number, CalibratedThreshold> {
  const out = new Map<number, CalibratedThreshold>();
  const spec = getDriftTest(test);
  if (!spec.numeric) throw new RangeError(`${test} is not a numeric test`);
  const pool = Float64Array.from(sampleValues).filter((v) => Number.isFinite(v));
  const n = pool.length;
  if (n < 4) return out;
  const o = resolve({ ...options, chunks: undefined }, n);
  const plan = [...new Set(windowSizes)]
    .filter((m) => m >= 1)
    .map((m) => ({ m, drawn: withinBaselineDrawSize(m, baseline.total), scores: [] as number[] }))
    .filter((p) => p.drawn <= n / 2)
    .sort((a, b) => a.drawn - b.drawn || a.m - b.m);
  const largest = plan[plan.length - 1]?.drawn ?? 0;
  if (largest === 0) return out;
  const rng = mulberry32(o.seed);
  const builderOf = options.windowBuilder ?? exactWindowBuilder;
  for (let r = 0; r < o.replicates; r++) {
    const order = drawWindow(pool, largest, true, rng);
    const builder = builderOf();
    let built = 0;
    for (const p of plan) {
      if (p.drawn > built) {
        builder.add(order.subarray(built, p.drawn));
        built = p.drawn;
      }
      const value = scoreOf(spec.score, spec.numeric(baseline, builder.sample()));
      if (value !== undefined) p.scores.push(value);
    }
  }
  for (const p of plan) {
    const result = finish(test, spec.score, p.m, p.drawn, p.scores, o, 0, 'within-baseline');
    if (result) out.set(p.m, result);
  }
  return out;
}

/**
 * Threshold for a categorical test, replicates drawn from inside the baseline's sample (codes into
 * `names`, arrival order) and compared with the sample's own counts, as `calibrateWithinBaseline` does for
 * numbers: the window is part of what it is compared with (variance ∝ 1/m′ − 1/S for a sample of S
 * values), so 1/m′ = 1/m + 1/N + 1/S gives a real window's 1/m + 1/N against the whole baseline of
 * `baselineCount` = N values. Category counts are exact in executions, so no sketch is involved.
 */
export function calibrateCategoricalWithinBaseline(
  baselineCodes: ArrayLike<number>,
  names: readonly string[],
  baselineCount: number,
  windowSize: number,
  test: DriftTestId,
  options: Omit<CalibrationOptions, 'chunks'> = {},
): CalibratedThreshold | undefined {
  const spec = getDriftTest(test);
  if (!spec.categorical) throw new RangeError(`${test} is not a categorical test`);
  const codes = Float64Array.from(Int32Array.from(baselineCodes).filter((c) => c >= 0 && c < names.length));
  const n = codes.length;
  if (n < 4 || !(windowSize >= 1)) return undefined;
  const o = resolve({ ...options, chunks: undefined }, n);
  const N = baselineCount > 0 && Number.isFinite(baselineCount) ? baselineCount : n;
  const drawn = Math.max(1, Math.round(1 / (1 / windowSize + 1 / N + 1 / n)));
  if (drawn > n / 2) return undefined;
  const totals = new Float64Array(names.length);
  for (const c of codes) totals[c] = (totals[c] as number) + 1;
  const all = toCountMap(totals, names);
  const rng = mulberry32(o.seed);
  const scores: number[] = [];
  const counts = new Float64Array(names.length);
  for (let r = 0; r < o.replicates; r++) {
    counts.fill(0);
    for (const c of drawWindow(codes, drawn, true, rng)) counts[c] = (counts[c] as number) + 1;
    const outcome = spec.categorical(all, toCountMap(counts, names));
    const value = scoreOf(spec.score, outcome);
    if (value !== undefined) scores.push(value);
  }
  return finish(test, spec.score, windowSize, drawn, scores, o, 0, 'within-baseline');
}

/** The score an outcome adds to the null distribution (its p-value or statistic), or undefined. */
function scoreOf(kind: ScoreKind, outcome: DriftTestOutcome): number | undefined {
  if (!isResult(outcome)) return undefined;
  const value = kind === 'p_value' ? outcome.pValue : outcome.statistic;
  return value !== null && !Number.isNaN(value) ? value : undefined;
}

/** The baseline's consecutive chunks [start, end) that get replicates, and how many each (spread evenly). */
function* chunkPlan(
  n: number,
  chunkSize: number,
  o: Resolved,
): Generator<{ start: number; end: number; reps: number }> {
  for (let k = 0; k < o.chunks; k++) {
    const reps = Math.floor(o.replicates / o.chunks) + (k < o.replicates % o.chunks ? 1 : 0);
    if (reps === 0) continue;
    const start = k * chunkSize;
    yield { start, end: k === o.chunks - 1 ? n : start + chunkSize, reps };
  }
}

function finish(
  test: DriftTestId,
  score: ScoreKind,
  windowSize: number,
  drawn: number,
  scores: number[],
  o: Resolved,
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

/** numpy's default ("linear") quantile of an ascending array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/**
 * A window of `size` values from `pool`: a partial Fisher–Yates shuffle in place (a uniform random subset
 * whatever order the pool is left in by earlier draws, so the pool is filled once), or draws with
 * replacement.
 */
function drawWindow(pool: Float64Array, size: number, subsample: boolean, rng: Rng): Float64Array {
  if (subsample) {
    for (let i = 0; i < size; i++) {
      const j = i + Math.floor(rng() * (pool.length - i));
      const t = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = t;
    }
    return pool.slice(0, size);
  }
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = pool[Math.floor(rng() * pool.length)] as number;
  return out;
}

/** Reusable buffers for `splitSorted` (sized for one sample). */
export class SplitScratch {
  readonly marks: Uint8Array;
  readonly picked: Int32Array;
  readonly windowValues: Float64Array;
  readonly windowWeights: Float64Array;
  readonly restValues: Float64Array;
  readonly restWeights: Float64Array;
  constructor(sample: WeightedSample) {
    this.marks = new Uint8Array(sample.total);
    this.picked = new Int32Array(Math.ceil(sample.total / 2) + 1);
    this.windowValues = new Float64Array(sample.values.length);
    this.windowWeights = new Float64Array(sample.values.length);
    this.restValues = new Float64Array(sample.values.length);
    this.restWeights = new Float64Array(sample.values.length);
  }
}

/**
 * A uniformly random subset of `size` records of an exact sample (integer weights), and the records left:
 * positions in sorted order are marked, then one walk splits each value's weight, so neither part needs
 * sorting. O(total) per call. The two samples are views on `scratch`: valid until the next call.
 */
export function splitSorted(
  sample: WeightedSample,
  size: number,
  rng: Rng,
  scratch: SplitScratch = new SplitScratch(sample),
): { window: WeightedSample; rest: WeightedSample } {
  const total = sample.total;
  const { marks, picked } = scratch;
  const pickWindow = size <= total / 2;
  const toMark = pickWindow ? size : total - size;
  for (let chosen = 0; chosen < toMark; ) {
    const p = Math.floor(rng() * total);
    if (marks[p] === 0) {
      marks[p] = 1;
      picked[chosen++] = p;
    }
  }
  const len = sample.values.length;
  const { windowValues: wv, windowWeights: ww, restValues: rv, restWeights: rw } = scratch;
  let nw = 0;
  let nr = 0;
  let pos = 0;
  for (let i = 0; i < len; i++) {
    const w = sample.weights[i] as number;
    let marked = 0;
    for (let q = pos; q < pos + w; q++) marked += marks[q] as number;
    pos += w;
    const inWindow = pickWindow ? marked : w - marked;
    const v = sample.values[i] as number;
    if (inWindow > 0) {
      wv[nw] = v;
      ww[nw++] = inWindow;
    }
    if (w - inWindow > 0) {
      rv[nr] = v;
      rw[nr++] = w - inWindow;
    }
  }
  for (let k = 0; k < toMark; k++) marks[picked[k] as number] = 0;
  return {
    window: { values: wv.subarray(0, nw), weights: ww.subarray(0, nw), total: size, rankErrorBound: 0 },
    rest: { values: rv.subarray(0, nr), weights: rw.subarray(0, nr), total: total - size, rankErrorBound: 0 },
  };
}

/** `all` minus `part` (every value of `part` is in `all` with at least its weight). */
export function subtractSample(all: WeightedSample, part: WeightedSample): WeightedSample {
  const values = new Float64Array(all.values.length);
  const weights = new Float64Array(all.values.length);
  let k = 0;
  let j = 0;
  for (let i = 0; i < all.values.length; i++) {
    const v = all.values[i] as number;
    let w = all.weights[i] as number;
    while (j < part.values.length && (part.values[j] as number) < v) j++;
    if (j < part.values.length && part.values[j] === v) w -= part.weights[j] as number;
    if (w > 0) {
      values[k] = v;
      weights[k] = w;
      k++;
    }
  }
  return {
    values: values.slice(0, k),
    weights: weights.slice(0, k),
    total: all.total - part.total,
    rankErrorBound: all.rankErrorBound,
  };
}

function toCountMap(counts: Float64Array, names: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  counts.forEach((c, i) => {
    if (c > 0) map.set(names[i] as string, c);
  });
  return map;
}
