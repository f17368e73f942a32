/**
 * False-alarm experiment: on data without drift, calibrated thresholds keep the alarm rate at the
 * configured level (±50% relative) at 100 and 10 000 records per window; the 1 000 000-record case, and
 * plain KS alarming on a trivial shift at that size, are in `npm run bench` (bench/drift.ts).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random.js';
import {
  calibrateCategoricalThreshold,
  calibrateNumericThreshold,
  calibrateNumericThresholds,
  DRIFT_TESTS,
  type DriftTestId,
  getDriftTest,
  isDrift,
  isResult,
  quantileSorted,
  SplitScratch,
  splitSorted,
  subtractSample,
  weightedSampleFromValues,
} from '../../../src/metrics/drift/index.js';
import { TestRandom } from './random.js';

const ALARM_RATE = 0.05;

function normals(rng: TestRandom, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/** Share of `trials` fresh no-drift windows of size m that the rule flags. */
function alarmRate(
  baseline: Float64Array,
  m: number,
  trials: number,
  seed: number,
  rules: { test: DriftTestId; threshold: number }[],
): number[] {
  const rng = new TestRandom(seed);
  const base = weightedSampleFromValues(baseline);
  const alarms = rules.map(() => 0);
  for (let t = 0; t < trials; t++) {
    const window = weightedSampleFromValues(normals(rng, m));
    rules.forEach((rule, i) => {
      const spec = getDriftTest(rule.test);
      const r = spec.numeric?.(base, window);
      if (r === undefined) return;
      if (!isResult(r)) return;
      const score = spec.score === 'p_value' ? r.pValue : r.statistic;
      if (isDrift(spec.score, score, rule.threshold)) alarms[i] = (alarms[i] as number) + 1;
    });
  }
  return alarms.map((a) => a / trials);
}

describe('calibrated thresholds: false-alarm rate on no-drift data', () => {
  for (const { m, baselineSize, replicates, trials } of [
    { m: 100, baselineSize: 20_000, replicates: 1000, trials: 1000 },
    { m: 10_000, baselineSize: 200_000, replicates: 1000, trials: 1000 },
  ]) {
    it(`stays at ${ALARM_RATE} (±50%) with ${m} records per window`, () => {
      const baseline = normals(new TestRandom(1000 + m), baselineSize);
      const options = { alarmRate: ALARM_RATE, replicates, seed: 7 };
      const thresholds = calibrateNumericThresholds(baseline, m, ['ks', 'psi'], options);
      const ks = thresholds.get('ks');
      const psi = thresholds.get('psi');
      expect(ks?.resampling).toBe('subsample');
      expect(ks?.replicates).toBe(replicates);
      const [ksRate, psiRate, fixedPsiRate] = alarmRate(baseline, m, trials, 2000 + m, [
        { test: 'ks', threshold: ks?.threshold as number },
        { test: 'psi', threshold: psi?.threshold as number },
        { test: 'psi', threshold: DRIFT_TESTS.psi.defaultThreshold },
      ]);
      expect(ksRate).toBeGreaterThanOrEqual(ALARM_RATE * 0.5);
      expect(ksRate).toBeLessThanOrEqual(ALARM_RATE * 1.5);
      expect(psiRate).toBeGreaterThanOrEqual(ALARM_RATE * 0.5);
      expect(psiRate).toBeLessThanOrEqual(ALARM_RATE * 1.5);
      if (m === 100) {
        // The fixed PSI threshold (0.1) cries wolf on small windows: that is what calibration fixes.
        expect(fixedPsiRate).toBeGreaterThan(0.3);
        expect(psi?.threshold).toBeGreaterThan(0.1);
      } else {
        // On 10k windows the sampling noise of PSI is far below 0.1: the calibrated threshold is tighter.
        expect(fixedPsiRate).toBe(0);
        expect(psi?.threshold).toBeLessThan(0.01);
      }
    });
  }
});

describe('calibrated thresholds on a baseline with slow variation (batches)', () => {
  it('chunked calibration absorbs batch-to-batch shifts that random-row calibration calls drift', () => {
    // Rows arrive in batches of 200; each batch has its own small offset (sd 0.1): normal operation.
    const rand = new TestRandom(77);
    const batch = (size: number): Float64Array => {
      const offset = 0.1 * rand.normal();
      return Float64Array.from({ length: size }, () => offset + rand.normal());
    };
    const baseline = new Float64Array(300 * 200);
    for (let b = 0; b < 300; b++) baseline.set(batch(200), b * 200);
    const m = 100;
    const byRows = calibrateNumericThreshold(baseline, m, 'ks', { replicates: 1000, seed: 5 });
    const byChunks = calibrateNumericThreshold(baseline, m, 'ks', { replicates: 1000, seed: 5, chunks: 300 });
    expect(byChunks?.resampling).toBe('chunk-subsample');
    const base = weightedSampleFromValues(baseline);
    let rowAlarms = 0;
    let chunkAlarms = 0;
    const trials = 1000;
    for (let t = 0; t < trials; t++) {
      const r = DRIFT_TESTS.ks.numeric(base, weightedSampleFromValues(batch(m)));
      if (!isResult(r)) continue;
      if (isDrift('p_value', r.pValue, byRows?.threshold as number)) rowAlarms++;
      if (isDrift('p_value', r.pValue, byChunks?.threshold as number)) chunkAlarms++;
    }
    expect(rowAlarms / trials).toBeGreaterThan(ALARM_RATE * 1.5);
    expect(chunkAlarms / trials).toBeGreaterThanOrEqual(ALARM_RATE * 0.5);
    expect(chunkAlarms / trials).toBeLessThanOrEqual(ALARM_RATE * 1.5);
  });
});

describe('calibration mechanics', () => {
  it('is deterministic for a seed and changes with it', () => {
    const baseline = normals(new TestRandom(5), 4000);
    const a = calibrateNumericThreshold(baseline, 200, 'wasserstein_norm', { replicates: 50, seed: 1 });
    const b = calibrateNumericThreshold(baseline, 200, 'wasserstein_norm', { replicates: 50, seed: 1 });
    const c = calibrateNumericThreshold(baseline, 200, 'wasserstein_norm', { replicates: 50, seed: 2 });
    expect(a).toEqual(b);
    expect(a?.threshold).not.toBe(c?.threshold);
  });

  it('draws windows just large enough that window vs rest has the effective size of window vs baseline', () => {
    const baseline = normals(new TestRandom(9), 5000);
    const r = calibrateNumericThreshold(baseline, 1000, 'ks', { replicates: 10 });
    const d = r?.drawnWindowSize as number;
    expect(r?.windowSize).toBe(1000);
    expect(d).toBeGreaterThan(1000);
    expect(1 / d + 1 / (5000 - d)).toBeCloseTo(1 / 1000 + 1 / 5000, 6);
    const chunked = calibrateNumericThreshold(baseline, 100, 'ks', { replicates: 10, chunks: 10 });
    expect(chunked?.resampling).toBe('chunk-subsample');
    // Rounded to whole rows: 100.2 → 100.
    expect(chunked?.drawnWindowSize).toBe(100);
  });

  it('picks the resampling by window size, and says which', () => {
    const baseline = normals(new TestRandom(6), 1000);
    const opts = { replicates: 20, chunks: 10 };
    expect(calibrateNumericThreshold(baseline, 50, 'ks', { replicates: 20 })?.resampling).toBe('subsample');
    expect(calibrateNumericThreshold(baseline, 50, 'ks', opts)?.resampling).toBe('chunk-subsample');
    const mid = calibrateNumericThreshold(baseline, 300, 'ks', opts);
    expect(mid?.resampling).toBe('subsample');
    expect(mid?.chunkSize).toBe(100);
    expect(calibrateNumericThreshold(baseline, 800, 'ks', opts)?.resampling).toBe('bootstrap');
    const codes = Int32Array.from(baseline, (v) => (v > 0 ? 1 : 0));
    expect(calibrateCategoricalThreshold(codes, ['neg', 'pos'], 300, 'tvd', opts)?.resampling).toBe(
      'subsample',
    );
    expect(calibrateCategoricalThreshold(codes, ['neg', 'pos'], 800, 'tvd', opts)?.resampling).toBe(
      'bootstrap',
    );
  });

  it('splitSorted draws a uniform subset of records without sorting, the rest is the complement', () => {
    const sample = weightedSampleFromValues([1, 1, 1, 2, 3, 3, 4, 5, 5, 5, 5]);
    const rand = mulberry32(4);
    const scratch = new SplitScratch(sample);
    const hits = new Map<number, number>();
    for (let r = 0; r < 4000; r++) {
      for (const size of [3, 8]) {
        const { window, rest } = splitSorted(sample, size, rand, scratch);
        expect(window.total).toBe(size);
        expect(rest.total).toBe(sample.total - size);
        const merged = new Map<number, number>();
        for (const part of [window, rest]) {
          part.values.forEach((v, i) => {
            merged.set(v, (merged.get(v) ?? 0) + (part.weights[i] as number));
          });
        }
        expect([...merged].sort((a, b) => a[0] - b[0])).toEqual(
          [...sample.values].map((v, i) => [v, sample.weights[i]]),
        );
        expect([...window.values]).toEqual([...window.values].sort((a, b) => a - b));
        if (size !== 3) continue;
        window.values.forEach((v, i) => {
          hits.set(v, (hits.get(v) ?? 0) + (window.weights[i] as number));
        });
      }
    }
    // Each record is in a 3-record window with probability 3/11: value 5 (4 records) ≈ 4000·12/11.
    expect(hits.get(5)).toBeGreaterThan(4000 * (12 / 11) * 0.9);
    expect(hits.get(5)).toBeLessThan(4000 * (12 / 11) * 1.1);
  });

  it('never compares a window with data that contains it (rest = all minus the chunk)', () => {
    const all = weightedSampleFromValues([1, 1, 2, 3, 3, 3, 4]);
    const part = weightedSampleFromValues([1, 3, 3, 4]);
    const rest = subtractSample(all, part);
    expect([...rest.values]).toEqual([1, 2, 3]);
    expect([...rest.weights]).toEqual([1, 1, 1]);
    expect(rest.total).toBe(3);
  });

  it('calibrates categorical tests from category codes', () => {
    const rng = new TestRandom(8);
    const names = ['a', 'b', 'c', 'd'];
    const codes = Int32Array.from({ length: 20_000 }, () => {
      const u = rng.next();
      return u < 0.5 ? 0 : u < 0.8 ? 1 : u < 0.95 ? 2 : 3;
    });
    const r = calibrateCategoricalThreshold(codes, names, 200, 'jensen_shannon', {
      replicates: 200,
      seed: 3,
    });
    expect(r?.score).toBe('distance');
    expect(r?.threshold).toBeGreaterThan(0.02);
    expect(r?.threshold).toBeLessThan(0.2);
    const chi = calibrateCategoricalThreshold(codes, names, 200, 'chi_square', { replicates: 200, seed: 3 });
    // Under the null the chi-square p-value is about uniform: its 5% quantile is near 0.05.
    expect(chi?.threshold).toBeGreaterThan(0.02);
    expect(chi?.threshold).toBeLessThan(0.1);
  });

  it('returns undefined for a baseline too small to resample, and rejects bad rates', () => {
    expect(calibrateNumericThreshold([1, 2, 3], 2, 'ks')).toBeUndefined();
    expect(() => calibrateNumericThreshold([1, 2, 3, 4, 5], 2, 'ks', { alarmRate: 1.5 })).toThrow(RangeError);
    expect(() => calibrateNumericThreshold([1, 2, 3, 4, 5], 2, 'chi_square')).toThrow(/not a numeric test/);
  });

  it('quantileSorted is numpy linear interpolation', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
  });
});
