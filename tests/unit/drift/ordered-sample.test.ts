/** The arrival-ordered bounded sample that calibration learns from (issue 14). */
import { describe, expect, it } from 'vitest';
import { completenessLimit } from '../../../src/checks/data-quality.js';
import { OrderedColumnSample, OrderedDatasetSample } from '../../../src/metrics/drift/ordered-sample.js';

describe('OrderedDatasetSample', () => {
  it('keeps every stride-th row in arrival order, between cap/2 and cap rows', () => {
    const sample = new OrderedDatasetSample(10);
    for (let r = 0; r < 1000; r++) {
      if (sample.next()) sample.keep([r], [`v${r % 3}`]);
    }
    const kept = [...(sample.columns[0]?.numbers() ?? [])];
    expect(sample.rows).toBe(1000);
    expect(kept.length).toBeGreaterThanOrEqual(5);
    expect(kept.length).toBeLessThanOrEqual(10);
    // Exactly the multiples of the final stride, in order.
    expect(kept).toEqual(kept.map((_, i) => i * sample.stride));
    expect(sample.stride).toBe(128);
  });

  it('pads columns that appear late or rows that are short, and codes categories up to a limit', () => {
    const sample = new OrderedDatasetSample(100);
    sample.next();
    sample.keep([1], ['a']);
    sample.next();
    sample.keep([2, 20], ['b', 'x']);
    sample.next();
    sample.keep([Number.NaN], [undefined]);
    expect([...(sample.columns[1]?.numbers() ?? [])]).toEqual([20]);
    expect(sample.columns[1]?.length).toBe(3);
    const { codes, names } = sample.columns[0]?.categories() ?? { codes: [], names: [] };
    expect([...codes].map((c) => names[c])).toEqual(['a', 'b']);
    const limited = new OrderedColumnSample(10, 2);
    for (const t of ['a', 'b', 'c', 'a']) limited.push(Number.NaN, t);
    expect(limited.uncoded).toBe(1);
    expect([...limited.categories().codes]).toEqual([0, 1, 0]);
  });
});

describe('calibrated completeness', () => {
  it('is the lower binomial band of the baseline share at the window size', () => {
    // p = 0.95, n = 1000, α = 0.01: 0.95 − 2.3263 · √(0.95 · 0.05 / 1000)
    expect(completenessLimit(0.95, 1000, 0.01)).toBeCloseTo(0.95 - 2.326347874 * Math.sqrt(0.0475 / 1000), 9);
    expect(completenessLimit(1, 1000, 0.01)).toBe(1);
    expect(completenessLimit(0.95, 0, 0.01)).toBe(0.95);
    // A healthy window of the expected size breaches with about the stated probability.
    let breaches = 0;
    let seed = 7;
    const rand = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const windows = 2000;
    for (let w = 0; w < windows; w++) {
      let present = 0;
      for (let i = 0; i < 500; i++) if (rand() < 0.9) present++;
      if (present / 500 < completenessLimit(0.9, 500, 0.05)) breaches++;
    }
    expect(breaches / windows).toBeGreaterThan(0.02);
    expect(breaches / windows).toBeLessThan(0.08);
  });
});
