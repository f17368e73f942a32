import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTION_AGG_METHODS,
  AttributionAggregator,
  attributionNdcg,
} from '../../src/metrics/attribution/index.js';

interface NdcgCase {
  name: string;
  baseline: Record<string, number>;
  live: Record<string, number>;
  ndcg: number | null;
}
interface AggCase {
  name: string;
  features: string[];
  local: number[][];
  mean_abs: number[];
  median: number[];
  mean_sq: number[];
}

// Written by tests/fixtures/attribution/generate.py (numpy transcription of scikit-learn ndcg_score).
const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/attribution/vectors.json', import.meta.url), 'utf8'),
) as { ndcg: NdcgCase[]; aggregate: AggCase[] };

const asMap = (o: Record<string, number>) => new Map(Object.entries(o));

describe('attribution NDCG against the numpy reference (§9.7)', () => {
  for (const c of vectors.ndcg) {
    it(c.name, () => {
      const r = attributionNdcg(asMap(c.baseline), asMap(c.live));
      if (c.ndcg === null) {
        expect(r).toBeUndefined();
      } else {
        expect(r).toBeDefined();
        expect(Math.abs((r?.ndcg ?? Number.NaN) - c.ndcg)).toBeLessThanOrEqual(1e-12);
      }
    });
  }

  it('the DG worked example is 0.6876396241226223 (a violation at 0.9)', () => {
    const r = attributionNdcg(
      new Map([
        ['SAT', 0.7],
        ['GPA', 0.5],
        ['class rank', 0.05],
      ]),
      new Map([
        ['SAT', 0.1],
        ['GPA', 0.2],
        ['class rank', 0.7],
      ]),
    );
    expect(r?.ndcg).toBeCloseTo(0.6876396241226223, 14);
    expect(r?.idcg).toBeCloseTo(1.0404648767857285, 14);
    expect(r?.dcg).toBeCloseTo(0.7154648767857288, 14);
  });

  it('feature names such as __proto__ are plain keys', () => {
    const r = attributionNdcg(
      new Map([
        ['__proto__', 0.5],
        ['constructor', 0.1],
      ]),
      new Map([
        ['__proto__', 0.1],
        ['constructor', 0.5],
      ]),
    );
    expect(r?.ndcg).toBeLessThan(0.9);
  });
});

describe('global attribution aggregation against numpy (§9.7 agg_method)', () => {
  for (const c of vectors.aggregate) {
    for (const method of ATTRIBUTION_AGG_METHODS) {
      it(`${c.name} ${method}`, () => {
        const agg = new AttributionAggregator(method);
        for (const row of c.local) for (const [j, v] of row.entries()) agg.add(c.features[j] ?? '', v);
        const got = agg.globalValues();
        c.features.forEach((f, j) => {
          const want = c[method][j] ?? Number.NaN;
          expect(Math.abs((got.get(f) ?? Number.NaN) - want), f).toBeLessThanOrEqual(
            1e-12 * Math.max(1, Math.abs(want)),
          );
        });
        expect(agg.approximate).toBe(false);
      });
    }
  }

  it('merging two halves gives the whole (exact median included)', () => {
    const c = vectors.aggregate.find((x) => x.local.length > 100);
    if (c === undefined) throw new Error('no large case');
    for (const method of ATTRIBUTION_AGG_METHODS) {
      const left = new AttributionAggregator(method);
      const right = new AttributionAggregator(method);
      c.local.forEach((row, i) => {
        for (const [j, v] of row.entries()) (i % 2 === 0 ? left : right).add(c.features[j] ?? '', v);
      });
      const got = left.merge(right).globalValues();
      c.features.forEach((f, j) => {
        const want = c[method][j] ?? Number.NaN;
        expect(Math.abs((got.get(f) ?? Number.NaN) - want)).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(want)),
        );
      });
    }
  });

  it('median beyond the exact bound switches to a sketch and says so', () => {
    const agg = new AttributionAggregator('median', { maxExactValues: 1000 });
    for (let i = 0; i < 5001; i++) agg.add('x', (i * 7919) % 5001);
    expect(agg.approximate).toBe(true);
    expect(Math.abs((agg.globalValues().get('x') ?? 0) - 2500)).toBeLessThan(5001 * 0.02);
  });
});
