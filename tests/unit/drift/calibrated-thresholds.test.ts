/**
 * Calibration curves over window sizes (issue 14, item 1): thresholds at stored sizes, read at any size by
 * interpolation in log n; on data without drift the interpolated threshold keeps the alarm rate near the
 * configured level at a size that was not calibrated.
 */
import { describe, expect, it } from 'vitest';
import {
  type CalibrationCurve,
  calibrateAcrossSizes,
  getDriftTest,
  isDrift,
  isResult,
  thresholdAt,
  weightedSampleFromValues,
} from '../../../src/metrics/drift/index.js';
import { TestRandom } from './random.js';

function normals(rng: TestRandom, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

describe('calibration curve', () => {
  it('interpolates log threshold in log n; distances extrapolate, p-values hold', () => {
    const curve: CalibrationCurve = {
      test: 'psi',
      score: 'distance',
      alarm_rate: 0.05,
      seed: 1,
      points: [
        { n: 100, threshold: 0.1, replicates: 1, resampling: 'subsample' },
        { n: 10_000, threshold: 0.001, replicates: 1, resampling: 'subsample' },
      ],
    };
    expect(thresholdAt(curve, 100)).toBeCloseTo(0.1, 12);
    expect(thresholdAt(curve, 1000)).toBeCloseTo(0.01, 12);
    expect(thresholdAt(curve, 1e6)).toBeCloseTo(1e-5, 12);
    expect(thresholdAt(curve, 10)).toBeCloseTo(1, 12);
    const p: CalibrationCurve = { ...curve, test: 'ks', score: 'p_value' };
    expect(thresholdAt(p, 1e6)).toBe(0.001);
    expect(thresholdAt(p, 10)).toBe(0.1);
  });

  it('with the baseline size known, distances past the last size level off at the baseline noise', () => {
    const curve: CalibrationCurve = {
      test: 'wasserstein_norm',
      score: 'distance',
      alarm_rate: 0.05,
      seed: 1,
      baseline_n: 50_000,
      points: [
        {
          n: 1000,
          threshold: 0.1 * Math.sqrt(1 / 1000 + 1 / 50_000),
          replicates: 1,
          resampling: 'subsample',
        },
        {
          n: 10_000,
          threshold: 0.1 * Math.sqrt(1 / 10_000 + 1 / 50_000),
          replicates: 1,
          resampling: 'subsample',
        },
      ],
    };
    // A curve that follows √(1/n + 1/N) exactly is continued exactly, and never falls below the baseline's noise.
    expect(thresholdAt(curve, 100_000)).toBeCloseTo(0.1 * Math.sqrt(1 / 100_000 + 1 / 50_000), 12);
    expect(thresholdAt(curve, 1e9)).toBeGreaterThan(0.1 * Math.sqrt(1 / 50_000) * 0.999);
  });

  it('calibrates sizes up to half the sample only (larger windows would be bootstrapped from themselves)', () => {
    const rng = new TestRandom(3);
    const curve = calibrateAcrossSizes(normals(rng, 4000), 'wasserstein_norm', {
      replicates: 50,
      sizes: [100, 1000, 2000, 3000],
    });
    expect(curve?.points.map((p) => p.n)).toEqual([100, 1000, 2000]);
  });

  it('calibrated PSI curve keeps the alarm rate at an uncalibrated size', () => {
    const rng = new TestRandom(7);
    const baseline = normals(rng, 20_000);
    const curve = calibrateAcrossSizes(baseline, 'psi', { replicates: 200, sizes: [100, 1000, 10_000] });
    expect(curve?.points.map((p) => p.n)).toEqual([100, 1000, 10_000]);
    const c = curve as CalibrationCurve;
    const t = thresholdAt(c, 300);
    expect(t).toBeLessThan(thresholdAt(c, 100));
    expect(t).toBeGreaterThan(thresholdAt(c, 1000));
    const spec = getDriftTest('psi');
    const base = weightedSampleFromValues(baseline);
    let alarms = 0;
    const windows = 400;
    for (let w = 0; w < windows; w++) {
      const out = spec.numeric?.(base, weightedSampleFromValues(normals(rng, 300)));
      if (out && isResult(out) && isDrift('distance', out.statistic, t)) alarms++;
    }
    // 5% ± a generous sampling margin on 400 windows
    expect(alarms / windows).toBeGreaterThan(0.015);
    expect(alarms / windows).toBeLessThan(0.1);
  }, 60_000);
});
