import { describe, expect, it } from 'vitest';
import {
  chiSquaredDeequ,
  linfinityCategorical,
  linfinityNumeric,
  weightedSampleFromSorted,
  weightedSampleFromValues,
} from '../../../src/metrics/drift/index.js';
import { close, materialise, toMap, vectors } from './vectors.js';

describe('linfinityNumeric (SageMaker/Deequ §5.3)', () => {
  for (const [name, c] of Object.entries(vectors.numeric)) {
    it(`matches numpy on ${name}`, () => {
      const a = weightedSampleFromValues(materialise(c.baseline));
      const b = weightedSampleFromValues(materialise(c.current));
      const simple = linfinityNumeric(a, b, 'Simple');
      const robust = linfinityNumeric(a, b, 'Robust');
      expect(close(simple.distance, c.expected.linf?.statistic as number, 1e-12, 1e-15)).toBe(true);
      expect(close(robust.distance, c.expected.linf_robust?.statistic as number, 1e-12, 1e-15)).toBe(true);
      expect(robust.simple).toBe(simple.distance);
      expect(simple.n).toBe(a.total);
      expect(simple.m).toBe(b.total);
    });
  }

  it('reproduces the worked example of spec §5.3 (penalty 0.0918)', () => {
    // Baseline: 10 000 values, current: 400 values shifted so that the CDFs differ by 0.14 at most.
    const base = weightedSampleFromSorted([0, 1], [5000, 5000], 0);
    const cur = weightedSampleFromSorted([0, 1], [144, 256], 0);
    const simple = linfinityNumeric(base, cur, 'Simple');
    expect(simple.distance).toBeCloseTo(0.14, 12);
    const robust = linfinityNumeric(base, cur, 'Robust');
    expect(robust.distance).toBeCloseTo(0.14 - 1.8 * Math.sqrt(10_400 / 4_000_000), 12);
    expect(robust.distance).toBeCloseTo(0.0482, 4);
  });

  it('uses inclusive ranks over the union of both samples (sketch-style weights)', () => {
    const a = weightedSampleFromSorted([1, 2, 3], [2, 2, 4], 0.01);
    const b = weightedSampleFromSorted([2, 2.5], [1, 1], 0.01);
    // F1: 1→.25, 2→.5, 2.5→.5, 3→1 ; F2: 1→0, 2→.5, 2.5→1, 3→1
    expect(linfinityNumeric(a, b, 'Simple').distance).toBeCloseTo(0.5, 15);
  });

  it('is NaN (no decision) when a side is empty, and 0 on identical samples', () => {
    const a = weightedSampleFromValues([1, 2, 3]);
    expect(linfinityNumeric(a, weightedSampleFromValues([]), 'Simple').distance).toBeNaN();
    expect(linfinityNumeric(a, a, 'Simple').distance).toBe(0);
    expect(linfinityNumeric(a, a, 'Robust').distance).toBe(0);
  });

  it('a custom cα changes only the robust penalty', () => {
    const a = weightedSampleFromValues([1, 2, 3, 4, 5, 6, 7, 8]);
    const b = weightedSampleFromValues([5, 6, 7, 8, 9, 10, 11, 12]);
    const r = linfinityNumeric(a, b, 'Robust', 0.5);
    expect(r.distance).toBeCloseTo(0.5 - 0.5 * Math.sqrt(16 / 64), 15);
  });
});

describe('linfinityCategorical', () => {
  for (const [name, c] of Object.entries(vectors.categorical)) {
    it(`matches the reference on ${name}`, () => {
      const simple = linfinityCategorical(toMap(c.baseline), toMap(c.current), 'Simple');
      const robust = linfinityCategorical(toMap(c.baseline), toMap(c.current), 'Robust');
      expect(close(simple.distance, c.expected.linf?.statistic as number, 1e-12, 1e-15)).toBe(true);
      expect(close(robust.distance, c.expected.linf_robust?.statistic as number, 1e-12, 1e-15)).toBe(true);
    });
  }

  it('treats negative and non-finite counts as zero', () => {
    const r = linfinityCategorical(
      new Map([
        ['a', 10],
        ['b', -5],
        ['c', Number.NaN],
      ]),
      new Map([['a', 4]]),
      'Simple',
    );
    expect(r.distance).toBe(0);
    expect(r.n).toBe(10);
  });

  it('is safe with keys such as __proto__', () => {
    const r = linfinityCategorical(new Map([['__proto__', 3]]), new Map([['constructor', 3]]), 'Simple');
    expect(r.distance).toBe(1);
  });
});

describe('chiSquaredDeequ', () => {
  for (const [name, c] of Object.entries(vectors.categorical)) {
    it(`matches the scipy-based reference on ${name}`, () => {
      const expected = c.expected.deequ_chi_square;
      const r = chiSquaredDeequ(toMap(c.baseline), toMap(c.current));
      if (expected === null || expected === undefined) {
        expect(r).toBeUndefined();
        return;
      }
      expect(r).toBeDefined();
      expect(r?.degreesOfFreedom).toBe(expected.dof);
      expect(close(r?.statistic as number, expected.statistic, 1e-9, 1e-12)).toBe(true);
      expect(close(r?.pValue as number, expected.p_value as number, 1e-9, 1e-300)).toBe(true);
    });
  }

  it('merges small expected counts into the next smallest (2 categories need 10 each)', () => {
    // Expected (rescaled to 20 observed) = 18, 1.6, 0.4 → 2 below 5 > floor(0.6) → merge 0.4 into 1.6 →
    // 2 categories: 18 and 2 < 10 → merge → 1 category: no decision.
    expect(
      chiSquaredDeequ(
        new Map([
          ['a', 900],
          ['b', 80],
          ['c', 20],
        ]),
        new Map([
          ['a', 10],
          ['b', 5],
          ['c', 5],
        ]),
      ),
    ).toBeUndefined();
  });
});
