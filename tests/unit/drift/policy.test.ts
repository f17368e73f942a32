/** Registry, decisions, default choice, guards, multiple testing, dataset rule, sketches, properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adjustPValues,
  compareCategoricalFeature,
  compareNumericFeature,
  DRIFT_TEST_IDS,
  DRIFT_TESTS,
  datasetDrift,
  defaultDriftTests,
  driftOptionsFromOverrides,
  driftTestsFor,
  type FeatureDriftReport,
  getDriftTest,
  isDrift,
  isResult,
  maxCdfDifference,
  weightedSampleFromKll,
  weightedSampleFromValues,
} from '../../../src/metrics/drift/index.js';
import { KllSketch } from '../../../src/metrics/sketches/kll.js';
import { TestRandom } from './random.js';
import { close, vectors } from './vectors.js';

function normals(n: number, seed: number, shift = 0, scale = 1): Float64Array {
  const rng = new TestRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = shift + scale * rng.normal();
  return out;
}

describe('registry', () => {
  it('names every test of the compare contract, each entry keyed by its own id', () => {
    expect([...DRIFT_TEST_IDS].sort()).toEqual(
      [
        'anderson',
        'chi_square',
        'cramer_von_mises',
        'energy',
        'fisher_exact',
        'g_test',
        'hellinger',
        'jensen_shannon',
        'kl_div',
        'ks',
        'linf',
        'linf_robust',
        'mann_whitney',
        'psi',
        'tvd',
        'wasserstein',
        'wasserstein_norm',
        'z_test',
      ].sort(),
    );
    for (const id of DRIFT_TEST_IDS) {
      const spec = getDriftTest(id);
      expect(spec.id).toBe(id);
      expect(spec.kinds.includes('numeric')).toBe(spec.numeric !== undefined);
      expect(spec.kinds.includes('categorical')).toBe(spec.categorical !== undefined);
      expect(spec.defaultThreshold).toBeGreaterThan(0);
    }
  });

  it('lookup errors list what exists', () => {
    expect(() => getDriftTest('kolmogorov')).toThrow(/known tests: ks, /);
    expect(() => getDriftTest('__proto__')).toThrow(RangeError);
  });

  it('splits the tests by kind as the contract says', () => {
    expect(driftTestsFor('numeric')).toEqual([
      'ks',
      'wasserstein',
      'wasserstein_norm',
      'psi',
      'jensen_shannon',
      'hellinger',
      'kl_div',
      'anderson',
      'cramer_von_mises',
      'energy',
      'mann_whitney',
      'linf',
      'linf_robust',
    ]);
    expect(driftTestsFor('categorical')).toEqual([
      'psi',
      'jensen_shannon',
      'hellinger',
      'linf',
      'linf_robust',
      'chi_square',
      'g_test',
      'z_test',
      'fisher_exact',
      'tvd',
    ]);
  });
});

describe('decide', () => {
  it('p ≤ α and distance ≥ t, NaN and null never drift', () => {
    expect(isDrift('p_value', 0.05, 0.05)).toBe(true);
    expect(isDrift('p_value', 0.0500001, 0.05)).toBe(false);
    expect(isDrift('distance', 0.1, 0.1)).toBe(true);
    expect(isDrift('distance', 0.0999, 0.1)).toBe(false);
    expect(isDrift('distance', Number.NaN, 0.1)).toBe(false);
    expect(isDrift('p_value', null, 0.05)).toBe(false);
  });
});

describe('default choice', () => {
  it('follows the documented rule', () => {
    expect(defaultDriftTests('numeric', { baselineCount: 1000, currentCount: 10 })[0]).toBe('ks');
    expect(defaultDriftTests('numeric', { baselineCount: 1001, currentCount: 10 })[0]).toBe(
      'wasserstein_norm',
    );
    expect(
      defaultDriftTests('categorical', {
        baselineCount: 500,
        currentCount: 500,
        categories: 2,
        minExpectedCount: 40,
      })[0],
    ).toBe('z_test');
    expect(
      defaultDriftTests('categorical', {
        baselineCount: 20,
        currentCount: 20,
        categories: 2,
        minExpectedCount: 2,
      })[0],
    ).toBe('fisher_exact');
    expect(
      defaultDriftTests('categorical', { baselineCount: 500, currentCount: 500, categories: 7 })[0],
    ).toBe('chi_square');
    expect(
      defaultDriftTests('categorical', { baselineCount: 5000, currentCount: 500, categories: 7 })[0],
    ).toBe('jensen_shannon');
  });

  it('falls back when the default cannot run (constant large baseline → linf)', () => {
    const base = weightedSampleFromValues(new Float64Array(2000).fill(3));
    const cur = weightedSampleFromValues(normals(500, 1, 3));
    const r = compareNumericFeature(base, cur);
    expect(r.not_applicable.wasserstein_norm).toMatch(/zero variance/);
    expect(r.default_test).toBe('linf');
    expect(r.drift).toBe(true);
  });
});

describe('compareNumericFeature / compareCategoricalFeature', () => {
  it('runs every applicable numeric test and reports shape-contract fields', () => {
    const r = compareNumericFeature(
      weightedSampleFromValues(normals(400, 2)),
      weightedSampleFromValues(normals(300, 3, 1)),
    );
    expect(r.type).toBe('numeric');
    expect(Object.keys(r.tests).sort()).toEqual(driftTestsFor('numeric').sort());
    for (const t of Object.values(r.tests)) {
      expect(typeof t.statistic).toBe('number');
      expect(t.p_value === null || typeof t.p_value === 'number').toBe(true);
      expect(t.drift).toBe(true);
    }
    expect(r.default_test).toBe('ks');
    expect(r.drift).toBe(true);
  });

  it('a window too small to judge is reported as such, never as drift', () => {
    const r = compareNumericFeature(
      weightedSampleFromValues(normals(400, 4)),
      weightedSampleFromValues([50, 60, 70]),
    );
    expect(r.status).toBe('insufficient_data');
    expect(r.drift).toBe(false);
    for (const t of Object.values(r.tests)) expect(t.drift).toBe(false);
    const c = compareCategoricalFeature(new Map([['a', 100]]), new Map([['b', 3]]), { minSampleSize: 5 });
    expect(c.status).toBe('insufficient_data');
    expect(c.drift).toBe(false);
  });

  it('honours per-feature overrides of the test and its threshold', () => {
    const a = weightedSampleFromValues(normals(3000, 5));
    const b = weightedSampleFromValues(normals(3000, 6, 0.15));
    const plain = compareNumericFeature(a, b);
    expect(plain.default_test).toBe('wasserstein_norm');
    expect(plain.drift).toBe(true);
    const lenient = compareNumericFeature(a, b, { thresholds: { wasserstein_norm: 0.5 } });
    expect(lenient.drift).toBe(false);
    const psi = compareNumericFeature(a, b, { defaultTest: 'psi', tests: ['psi'] });
    expect(Object.keys(psi.tests)).toEqual(['psi']);
    expect(psi.default_test).toBe('psi');
  });

  it('scales unit-bearing thresholds by the baseline spread', () => {
    const a = weightedSampleFromValues(normals(3000, 7, 0, 100));
    const b = weightedSampleFromValues(normals(3000, 8, 1, 100));
    const r = compareNumericFeature(a, b, { tests: ['wasserstein'] });
    const w = r.tests.wasserstein;
    expect(w?.threshold).toBeGreaterThan(8);
    expect(w?.threshold).toBeLessThan(12);
    expect(w?.drift).toBe(false);
  });

  it('categorical: unseen and vanished categories, untrusted names', () => {
    const base = new Map([
      ['__proto__', 400],
      ['constructor', 300],
      ['<script>', 300],
    ]);
    const cur = new Map([
      ['__proto__', 100],
      ['constructor', 50],
      ['brand-new', 150],
    ]);
    const r = compareCategoricalFeature(base, cur);
    expect(r.tests.chi_square?.drift).toBe(true);
    expect(r.tests.tvd?.statistic).toBeCloseTo(0.5 * (0.4 - 1 / 3 + (0.3 - 1 / 6) + 0.3 + 0.5), 12);
    expect(r.not_applicable.z_test).toMatch(/more than two/);
    expect(r.not_applicable.fisher_exact).toMatch(/more than two/);
  });

  it('lists the tests that cannot run on a feature, with the reason', () => {
    const r = compareNumericFeature(weightedSampleFromValues([1, 2]), weightedSampleFromValues([3]), {
      minSampleSize: 1,
    });
    expect(r.not_applicable.anderson).toMatch(/4 values/);
    expect(r.not_applicable.cramer_von_mises).toMatch(/at least 2/);
    expect(r.tests.ks?.drift).toBe(false);
    // scipy: ks_2samp([1, 2], [3]) → D = 1, p = 0.666…
    expect(r.tests.ks?.p_value).toBeCloseTo(2 / 3, 12);
  });
});

describe('multiple testing and the dataset rule', () => {
  it('Benjamini–Hochberg matches scipy.stats.false_discovery_control', () => {
    const ref = vectors.benjamini_hochberg as { p: number[]; bh: number[] };
    const got = adjustPValues(ref.p, 'benjamini-hochberg');
    got.forEach((v, i) => {
      expect(close(v, ref.bh[i] as number, 1e-12, 1e-300)).toBe(true);
    });
  });

  it('Bonferroni multiplies by the number of tests, NaN stays out', () => {
    expect(adjustPValues([0.01, Number.NaN, 0.3], 'bonferroni')).toEqual([0.02, Number.NaN, 0.6]);
  });

  it('re-decides p-value features after correction and applies the drift share', () => {
    const features = new Map<string, FeatureDriftReport>();
    const rng = new TestRandom(9);
    // 20 features without drift, small baselines (KS default); one with a clear shift.
    for (let f = 0; f < 20; f++) {
      const a = new Float64Array(200).map(() => rng.normal());
      const b = new Float64Array(200).map(() => rng.normal());
      features.set(`f${f}`, compareNumericFeature(weightedSampleFromValues(a), weightedSampleFromValues(b)));
    }
    features.set(
      'shifted',
      compareNumericFeature(
        weightedSampleFromValues(normals(200, 10)),
        weightedSampleFromValues(normals(200, 11, 1)),
      ),
    );
    const corrected = datasetDrift(features, { correction: 'bonferroni', driftShare: 0.5 });
    expect(features.get('shifted')?.drift).toBe(true);
    expect(corrected.drifted_features).toBe(1);
    expect(corrected.judged_features).toBe(21);
    expect(corrected.drift).toBe(false);
    expect(datasetDrift(features, { driftShare: 0.04 }).drift).toBe(true);
  });
});

describe('sketch inputs', () => {
  it('KLL-based results carry an error bound that covers the exact value', () => {
    const a = normals(200_000, 12);
    const b = normals(150_000, 13, 0.05, 1.1);
    const ka = new KllSketch();
    const kb = new KllSketch();
    for (const v of a) ka.update(v);
    for (const v of b) kb.update(v);
    const sa = weightedSampleFromKll(ka);
    const sb = weightedSampleFromKll(kb);
    expect(sa.rankErrorBound).toBeGreaterThan(0);
    const ea = weightedSampleFromValues(a);
    const eb = weightedSampleFromValues(b);
    for (const id of [
      'ks',
      'wasserstein',
      'wasserstein_norm',
      'energy',
      'psi',
      'jensen_shannon',
      'hellinger',
      'kl_div',
      'linf',
      'mann_whitney',
    ] as const) {
      const spec = DRIFT_TESTS[id];
      const sketch = spec.numeric(sa, sb);
      const exact = spec.numeric(ea, eb);
      expect(isResult(sketch) && isResult(exact), id).toBe(true);
      if (!isResult(sketch) || !isResult(exact)) continue;
      expect(sketch.input, id).toBe('sketch');
      expect(exact.input, id).toBe('raw');
      expect(sketch.statisticErrorBound, id).toBeGreaterThan(0);
      expect(Math.abs(sketch.statistic - exact.statistic), id).toBeLessThanOrEqual(
        sketch.statisticErrorBound as number,
      );
    }
    expect(isResult(DRIFT_TESTS.anderson.numeric(sa, sb))).toBe(false);
  });
});

describe('properties', () => {
  it('maxCdfDifference (merge and search paths) equals the brute-force maximum over pooled values', () => {
    const small = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 12 });
    const big = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 2000 });
    fc.assert(
      fc.property(small, big, fc.boolean(), (xs, ys, flip) => {
        const [p, q] = flip ? [ys, xs] : [xs, ys];
        const a = weightedSampleFromValues(p.map((v) => v / 4));
        const b = weightedSampleFromValues(q.map((v) => v / 4));
        let brute = 0;
        for (const x of [...p, ...q].map((v) => v / 4)) {
          const fa = p.filter((v) => v / 4 <= x).length / p.length;
          const fb = q.filter((v) => v / 4 <= x).length / q.length;
          brute = Math.max(brute, Math.abs(fa - fb));
        }
        return Math.abs(maxCdfDifference(a, b) - brute) < 1e-12;
      }),
      { seed: 45, numRuns: 300 },
    );
  });

  const sampleArb = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
    minLength: 5,
    maxLength: 60,
  });

  it('identical samples give distance 0 and p-value 1 (KS)', () => {
    fc.assert(
      fc.property(sampleArb, (xs) => {
        const s = weightedSampleFromValues(xs);
        for (const id of [
          'wasserstein',
          'energy',
          'psi',
          'jensen_shannon',
          'hellinger',
          'kl_div',
          'linf',
        ] as const) {
          const r = DRIFT_TESTS[id].numeric(s, s);
          if (isResult(r) && Math.abs(r.statistic) > 1e-12) return false;
        }
        const ks = DRIFT_TESTS.ks.numeric(s, s);
        return isResult(ks) && ks.statistic === 0 && ks.pValue === 1;
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('order of the values does not matter', () => {
    fc.assert(
      fc.property(sampleArb, sampleArb, (xs, ys) => {
        const a = weightedSampleFromValues(xs);
        const b = weightedSampleFromValues(ys);
        const a2 = weightedSampleFromValues([...xs].reverse());
        const b2 = weightedSampleFromValues([...ys].reverse());
        for (const id of ['ks', 'wasserstein', 'anderson', 'mann_whitney'] as const) {
          const r1 = DRIFT_TESTS[id].numeric(a, b);
          const r2 = DRIFT_TESTS[id].numeric(a2, b2);
          if (JSON.stringify(r1) !== JSON.stringify(r2)) return false;
        }
        return true;
      }),
      { seed: 43, numRuns: 100 },
    );
  });

  it('a large shift is always detected by every numeric test', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const a = weightedSampleFromValues(normals(300, seed));
        const b = weightedSampleFromValues(normals(300, seed + 1, 3));
        const r = compareNumericFeature(a, b);
        return Object.values(r.tests).every((t) => t.drift);
      }),
      { seed: 44, numRuns: 15 },
    );
  });
});

describe('per-feature overrides from constraints', () => {
  it('turns drift_test / drift_threshold / drift_min_sample_size into feature options', () => {
    const o = driftOptionsFromOverrides(
      { drift_test: 'psi', drift_threshold: 0.2, drift_min_sample_size: 100, emit_metrics: 'Enabled' },
      'numeric',
    );
    expect(o).toEqual({ defaultTest: 'psi', thresholds: { psi: 0.2 }, minSampleSize: 100 });
    const a = weightedSampleFromValues(normals(500, 30));
    const b = weightedSampleFromValues(normals(500, 31, 0.2));
    expect(compareNumericFeature(a, b, o).default_test).toBe('psi');
    expect(compareNumericFeature(a, b, o).tests.psi?.threshold).toBe(0.2);
    expect(driftOptionsFromOverrides(undefined, 'numeric')).toEqual({});
  });

  it('rejects bad overrides with one ConfigError naming file and field', () => {
    const where = { file: 'constraints.json', field: 'features[2].monitoringConfigOverrides' };
    expect(() => driftOptionsFromOverrides({ drift_test: 'chi_square' }, 'numeric', where)).toThrow(
      /constraints.json: features\[2\].monitoringConfigOverrides.drift_test: drift test 'chi_square' does not apply/,
    );
    expect(() => driftOptionsFromOverrides({ drift_test: 'nope' }, 'numeric', where)).toThrow(
      /known tests: ks/,
    );
    expect(() =>
      driftOptionsFromOverrides({ drift_threshold: -1, drift_test: 'ks' }, 'numeric', where),
    ).toThrow(/drift_threshold/);
    expect(() => driftOptionsFromOverrides({ drift_threshold: 0.1 }, 'numeric', where)).toThrow(
      /needs drift_test/,
    );
  });
});
