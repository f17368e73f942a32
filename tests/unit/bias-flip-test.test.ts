import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FlipTestSample } from '../../src/metrics/bias/flip-test.js';

interface Case {
  name: string;
  x: number[][];
  d: number[];
  yhat: number[];
  expected: number;
}

// Written by tests/fixtures/bias/generate_ft.py (brute-force numpy kNN, ties by row index).
const vectors = JSON.parse(readFileSync(new URL('../fixtures/bias/ft.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

describe('flip test FT against numpy', () => {
  for (const c of vectors.cases) {
    it(c.name, () => {
      const sample = new FlipTestSample(c.x[0]?.length ?? 0);
      c.x.forEach((row, i) => {
        sample.add(c.d[i] === 1, row, c.yhat[i] === 1);
      });
      const out = sample.compute();
      expect('value' in out ? out.value : Number.NaN).toBeCloseTo(c.expected, 12);
      expect(sample.sampled).toBe(false);
    });
  }

  it('keeps at most maxRowsPerGroup rows per group and says it sampled', () => {
    const sample = new FlipTestSample(2, { maxRowsPerGroup: 50 });
    for (let i = 0; i < 1000; i++) sample.add(i % 3 === 0, [i % 17, i % 5], i % 2 === 0);
    expect(sample.sampled).toBe(true);
    const out = sample.compute();
    expect('value' in out && Math.abs(out.value) <= 1).toBe(true);
  });

  it("an empty group is smclarify's error", () => {
    const sample = new FlipTestSample(1);
    sample.add(false, [1], true);
    expect(sample.compute()).toEqual({ error: 'Facet set is empty' });
  });
});
