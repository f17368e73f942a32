/**
 * Calibration within the baseline (`--drift-mode calibrated` baselines, issue 14 item 0): each replicate
 * draws its window from a sample of the baseline, builds it as the execution builds its window (e.g. a
 * KLL sketch) and compares it with the whole baseline as executions read it; a smaller drawn window makes
 * up for the window being part of the baseline (see `calibrate.ts` for the procedure and the options).
 */
import { mulberry32 } from '../../core/random.js';
import {
  type CalibratedThreshold,
  type CalibrationOptions,
  categoricalBaseline,
  replicateScore,
  resolveOptions,
  thresholdFrom,
} from './calibration-replicates.js';
import { type DriftTestId, getDriftTest } from './registry.js';
import { drawWindow, toCountMap } from './resample.js';
import { type WeightedSample, weightedSampleFromValues } from './sample.js';

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
  const o = resolveOptions({ ...options, chunks: undefined }, n);
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
      const value = replicateScore(spec.score, spec.numeric(baseline, builder.sample()));
      if (value !== undefined) p.scores.push(value);
    }
  }
  for (const p of plan) {
    const result = thresholdFrom(test, spec.score, p.m, p.drawn, p.scores, o, 0, 'within-baseline');
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
  const { categorical, score, codes, totals } = categoricalBaseline(baselineCodes, names, test);
  const n = codes.length;
  if (n < 4 || !(windowSize >= 1)) return undefined;
  const o = resolveOptions({ ...options, chunks: undefined }, n);
  const N = baselineCount > 0 && Number.isFinite(baselineCount) ? baselineCount : n;
  const drawn = Math.max(1, Math.round(1 / (1 / windowSize + 1 / N + 1 / n)));
  if (drawn > n / 2) return undefined;
  const all = toCountMap(totals, names);
  const rng = mulberry32(o.seed);
  const scores: number[] = [];
  const counts = new Float64Array(names.length);
  for (let r = 0; r < o.replicates; r++) {
    counts.fill(0);
    for (const c of drawWindow(codes, drawn, true, rng)) counts[c] = (counts[c] as number) + 1;
    const outcome = categorical(all, toCountMap(counts, names));
    const value = replicateScore(score, outcome);
    if (value !== undefined) scores.push(value);
  }
  return thresholdFrom(test, score, windowSize, drawn, scores, o, 0, 'within-baseline');
}
