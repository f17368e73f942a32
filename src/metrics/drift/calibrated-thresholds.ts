/**
 * Calibrated thresholds over a range of window sizes (issue 14, item 1): what a baseline stores so that
 * executions can decide drift at their window's actual size without the training data.
 *
 * `calibrateAcrossSizes` runs the resampling of `calibrate.ts` at each size of `CALIBRATION_SIZES` the
 * baseline can support (windows up to the baseline's size; past half of it the resampling is the
 * bootstrap, which errs towards fewer alarms) and keeps one point per size. `thresholdAt` reads the curve
 * at any n, interpolating log(threshold) linearly in log(n) between stored sizes (both distances and
 * p-value levels are close to power laws in n there). Outside the stored sizes: distances follow the
 * end segment's slope (they shrink like 1/√n); p-value levels are held at the nearest stored size.
 * The conventions (test, score kind, alarm rate, seed, resampling) travel with the curve.
 */
import {
  type CalibratedThreshold,
  type CalibrationOptions,
  calibrateCategoricalThreshold,
  calibrateNumericThreshold,
} from './calibrate.js';
import {
  calibrateCategoricalWithinBaseline,
  calibrateWithinBaselineSizes,
  type WithinBaselineOptions,
} from './calibrate-within-baseline.js';
import { type DriftTestId, getDriftTest, type ScoreKind } from './registry.js';
import type { WeightedSample } from './sample.js';

/** Window sizes a baseline is calibrated for by default: 10², 10³, …, 10⁶. */
export const CALIBRATION_SIZES: readonly number[] = Object.freeze([100, 1_000, 10_000, 100_000, 1_000_000]);

export interface CalibrationPoint {
  /** Window size. */
  n: number;
  /** p-value level (drift when p ≤ it) or distance (drift when ≥ it), in the statistic's unit. */
  threshold: number;
  replicates: number;
  resampling: string;
}

export interface CalibrationCurve {
  test: DriftTestId;
  score: ScoreKind;
  alarm_rate: number;
  seed: number;
  /**
   * Values of the feature in the whole baseline that windows are compared with (may exceed the sample the
   * curve was learned from). When known, distances past the last stored size are extrapolated in the
   * effective sample size 1/(1/n + 1/baseline_n), so thresholds level off instead of falling to zero.
   */
  baseline_n?: number;
  /**
   * `in_threshold`: every replicate was scored as executions score a window (window and baseline sketches,
   * `within-baseline` resampling), so the sketches' error is part of the threshold and a score is judged
   * as it is. Absent (curves learned on exact values): a score from sketches whose error bound straddles
   * the threshold is undecided.
   */
  sketch_error?: 'in_threshold';
  /** Ascending in n; at least one point. */
  points: CalibrationPoint[];
}

export interface CurveOptions extends CalibrationOptions {
  sizes?: readonly number[];
  /** See `CalibrationCurve.baseline_n`. */
  baselineCount?: number;
}

/** The curve of one numeric test on one feature's baseline (arrival order); undefined when no size fits. */
export function calibrateAcrossSizes(
  baselineInOrder: ArrayLike<number>,
  test: DriftTestId,
  options: CurveOptions = {},
): CalibrationCurve | undefined {
  return curveOf(test, baselineInOrder.length, options, (n) =>
    calibrateNumericThreshold(baselineInOrder, n, test, options),
  );
}

/**
 * The curve of one categorical test on one feature's baseline given in arrival order as category codes
 * (indexes into `names`); undefined when no size fits.
 */
export function calibrateCategoricalAcrossSizes(
  baselineCodes: ArrayLike<number>,
  names: readonly string[],
  test: DriftTestId,
  options: CurveOptions = {},
): CalibrationCurve | undefined {
  return curveOf(test, baselineCodes.length, options, (n) =>
    calibrateCategoricalThreshold(baselineCodes, names, n, test, options),
  );
}

/**
 * The curve of a numeric test with every replicate scored as an execution scores a window
 * (`calibrateWithinBaselineSizes`): windows drawn from the baseline's sample (`sampleValues`) and built by
 * `windowBuilder` (the execution's sketch), compared with `baseline` as executions read it. Sizes whose
 * drawn window would exceed half the sample are left to extrapolation (with `baseline_n` = baseline.total).
 */
export function calibrateAcrossSizesWithinBaseline(
  sampleValues: ArrayLike<number>,
  baseline: WeightedSample,
  test: DriftTestId,
  options: Omit<CurveOptions, 'chunks' | 'baselineCount'> & Pick<WithinBaselineOptions, 'windowBuilder'> = {},
): CalibrationCurve | undefined {
  // One set of replicates serves every size (nested windows, `calibrateWithinBaselineSizes`).
  const bySize = calibrateWithinBaselineSizes(
    sampleValues,
    baseline,
    options.sizes ?? CALIBRATION_SIZES,
    test,
    options,
  );
  const curve = curveOf(test, Number.POSITIVE_INFINITY, { ...options, baselineCount: baseline.total }, (n) =>
    bySize.get(n),
  );
  return curve ? { ...curve, sketch_error: 'in_threshold' } : undefined;
}

/**
 * The categorical counterpart (`calibrateCategoricalWithinBaseline`): windows drawn from the sample's
 * codes, compared with the sample's counts, sized for a baseline of `baselineCount` values. Counts are
 * exact in executions, so the curve is marked `in_threshold` too.
 */
export function calibrateCategoricalAcrossSizesWithinBaseline(
  sampleCodes: ArrayLike<number>,
  names: readonly string[],
  baselineCount: number,
  test: DriftTestId,
  options: Omit<CurveOptions, 'chunks' | 'baselineCount'> = {},
): CalibrationCurve | undefined {
  const curve = curveOf(test, Number.POSITIVE_INFINITY, { ...options, baselineCount }, (n) =>
    calibrateCategoricalWithinBaseline(sampleCodes, names, baselineCount, n, test, options),
  );
  return curve ? { ...curve, sketch_error: 'in_threshold' } : undefined;
}

function curveOf(
  test: DriftTestId,
  baselineSize: number,
  options: CurveOptions,
  calibrateAt: (n: number) => CalibratedThreshold | undefined,
): CalibrationCurve | undefined {
  const spec = getDriftTest(test);
  const sizes = [...(options.sizes ?? CALIBRATION_SIZES)].sort((a, b) => a - b);
  const points: CalibrationPoint[] = [];
  let alarmRate = options.alarmRate ?? 0.05;
  let seed = options.seed ?? 1;
  for (const n of sizes) {
    // Past half the sample, windows would be bootstrapped from the data they are compared with, which
    // understates the noise (thresholds too low): such sizes are extrapolated instead.
    if (!(n >= 1) || n > baselineSize / 2) continue;
    const c = calibrateAt(n);
    if (!c || !Number.isFinite(c.threshold)) continue;
    alarmRate = c.alarmRate;
    seed = c.seed;
    points.push({ n, threshold: c.threshold, replicates: c.replicates, resampling: c.resampling });
  }
  if (points.length === 0) return undefined;
  return {
    test,
    score: spec.score,
    alarm_rate: alarmRate,
    seed,
    ...(options.baselineCount !== undefined ? { baseline_n: options.baselineCount } : {}),
    points,
  };
}

/** The calibrated threshold at window size n (see the module doc for interpolation and extrapolation). */
export function thresholdAt(curve: CalibrationCurve, n: number): number {
  const pts = curve.points;
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (!first || !last) return Number.NaN;
  if (pts.length === 1 || !(n > 0)) return first.threshold;
  let lo = first;
  let hi = pts[1] as CalibrationPoint;
  if (n >= last.n) {
    lo = pts[pts.length - 2] as CalibrationPoint;
    hi = last;
    if (curve.score === 'p_value' || n === last.n) return last.threshold;
    const N = curve.baseline_n;
    if (N !== undefined && N > 0 && lo.threshold > 0 && hi.threshold > 0) {
      const eff = (m: number) => 1 / (1 / m + 1 / N);
      const slope =
        (Math.log(hi.threshold) - Math.log(lo.threshold)) / (Math.log(eff(hi.n)) - Math.log(eff(lo.n)));
      return Math.exp(Math.log(hi.threshold) + slope * (Math.log(eff(n)) - Math.log(eff(hi.n))));
    }
  } else if (n <= first.n) {
    if (curve.score === 'p_value' || n === first.n) return first.threshold;
  } else {
    for (let i = 1; i < pts.length; i++) {
      const p = pts[i] as CalibrationPoint;
      if (p.n >= n) {
        lo = pts[i - 1] as CalibrationPoint;
        hi = p;
        break;
      }
    }
  }
  if (!(lo.threshold > 0 && hi.threshold > 0)) {
    // A zero threshold (e.g. a constant baseline) cannot go through logarithms: linear in log n.
    const t = (Math.log(n) - Math.log(lo.n)) / (Math.log(hi.n) - Math.log(lo.n));
    return Math.max(0, lo.threshold + t * (hi.threshold - lo.threshold));
  }
  const t = (Math.log(n) - Math.log(lo.n)) / (Math.log(hi.n) - Math.log(lo.n));
  const logT = Math.log(lo.threshold) + t * (Math.log(hi.threshold) - Math.log(lo.threshold));
  const out = Math.exp(logT);
  return curve.score === 'p_value' ? Math.min(1, out) : out;
}
