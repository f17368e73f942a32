/**
 * Sound decisions on sketches (issue 14, item 0): a score from KLL sketches that crosses the threshold
 * only within its error bound is reported `undecided` with the reason, never drift; tests that need exact
 * values are named in `not_applicable`. The 1M vs 1M case is generated here (seeded) on stable columns.
 */
import { describe, expect, it } from 'vitest';
import { sketchUndecided } from '../../../src/metrics/drift/feature.js';
import {
  compareNumericFeature,
  DRIFT_TEST_IDS,
  driftTestsFor,
  weightedSampleFromKll,
} from '../../../src/metrics/drift/index.js';
import { KllSketch } from '../../../src/metrics/sketches/kll.js';
import { TestRandom } from './random.js';

function sketchOf(n: number, seed: number, draw: (rng: TestRandom) => number): KllSketch {
  const rng = new TestRandom(seed);
  const kll = new KllSketch();
  for (let i = 0; i < n; i++) kll.update(draw(rng));
  return kll;
}

describe('decisions on sketches', () => {
  it('straddling p-value range: undecided, not drift; a range below α stays drift', () => {
    const straddle = { statistic: 0.003, pValue: 0.002, pValueRange: [1e-30, 1] as [number, number] };
    const out = sketchUndecided('p_value', { ...straddle, input: 'sketch', method: 'asymp' }, 0.05);
    expect(out).toMatch(/straddles α = 0.05/);
    const clear = { statistic: 0.5, pValue: 1e-40, pValueRange: [0, 1e-20] as [number, number] };
    expect(sketchUndecided('p_value', { ...clear, input: 'sketch', method: 'asymp' }, 0.05)).toBeUndefined();
    // exact input is never second-guessed
    expect(sketchUndecided('p_value', { ...straddle, input: 'raw', method: 'asymp' }, 0.05)).toBeUndefined();
    // distances: statistic − bound below the threshold → undecided
    const d = {
      statistic: 0.12,
      pValue: null,
      input: 'sketch' as const,
      method: 'x',
      statisticErrorBound: 0.05,
    };
    expect(sketchUndecided('distance', d, 0.1)).toMatch(/straddles the threshold 0.1/);
    expect(sketchUndecided('distance', { ...d, statisticErrorBound: 0.01 }, 0.1)).toBeUndefined();
  });

  it('1M vs 1M stable columns from sketches: no test declares drift; exact-only tests are named', () => {
    const n = 1_000_000;
    const columns: [string, (r: TestRandom) => number][] = [
      ['normal', (r) => r.normal()],
      ['lognormal', (r) => Math.exp(r.normal())],
      ['poisson-ish', (r) => Math.floor(-Math.log(1 - r.next()) * 3)],
    ];
    let seed = 1;
    for (const [name, draw] of columns) {
      const a = weightedSampleFromKll(sketchOf(n, seed++, draw));
      const b = weightedSampleFromKll(sketchOf(n, seed++, draw));
      const report = compareNumericFeature(a, b, { tests: driftTestsFor('numeric') });
      // The defect this guards: KS's p from sketches is ≤ α on this stable column; its range says why not.
      if (name === 'normal') expect(report.tests.ks?.undecided).toMatch(/straddles/);
      expect(report.drift, name).toBe(false);
      for (const [id, t] of Object.entries(report.tests)) {
        expect(t?.drift, `${name} ${id}: ${JSON.stringify(t)}`).toBe(false);
      }
      expect(report.not_applicable.anderson).toMatch(/exact values/);
      expect(report.not_applicable.cramer_von_mises).toMatch(/exact values/);
      const named = new Set([...Object.keys(report.tests), ...Object.keys(report.not_applicable)]);
      for (const id of driftTestsFor('numeric')) expect(named.has(id), id).toBe(true);
    }
    expect(DRIFT_TEST_IDS.length).toBeGreaterThan(0);
  }, 60_000);
});
