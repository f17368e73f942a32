import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addBiasRow,
  type BiasCounts,
  emptyBiasCounts,
  mergeBiasCounts,
} from '../../src/metrics/bias/counts.js';
import { biasMetrics, computeBiasMetrics } from '../../src/metrics/bias/metrics.js';

interface Case {
  name: string;
  d: number[];
  y: number[];
  yhat: number[];
  group: string[] | null;
  expected: Record<string, number | string | null>;
}

// Written by tests/fixtures/bias/generate.py (independent row-level numpy implementation of §9.4).
const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/bias/vectors.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

function countsOf(c: Case, from = 0, to = c.d.length): BiasCounts {
  const counts = emptyBiasCounts();
  for (let i = from; i < to; i++) {
    addBiasRow(counts, c.d[i] === 1, c.y[i] === 1, c.yhat[i] === 1, c.group?.[i]);
  }
  return counts;
}

const names = Object.keys(biasMetrics) as (keyof typeof biasMetrics)[];

function expectClose(actual: number | null, expected: number | string | null, label: string): void {
  if (expected === null) {
    expect(actual, label).toBeNull();
  } else if (expected === 'Infinity' || expected === '-Infinity') {
    expect(actual, label).toBe(expected === 'Infinity' ? Infinity : -Infinity);
  } else {
    expect(actual, label).not.toBeNull();
    expect(Math.abs((actual as number) - (expected as number)), label).toBeLessThanOrEqual(1e-9);
  }
}

describe('bias metrics against the numpy reference (tests/fixtures/bias/generate.py)', () => {
  for (const c of vectors.cases) {
    it(c.name, () => {
      for (const r of computeBiasMetrics(countsOf(c), names)) {
        expectClose(r.value, c.expected[r.name] ?? null, `${c.name} ${r.name}`);
        if (r.value === null) expect(r.error, `${c.name} ${r.name}`).toMatch(/./);
      }
    });
  }
});

describe('bias metrics: spec §9.4 worked examples as known values', () => {
  const byName = (c: Case) => new Map(computeBiasMetrics(countsOf(c), names).map((r) => [r.name, r.value]));
  const find = (n: string) => {
    const c = vectors.cases.find((x) => x.name === n);
    if (c === undefined) throw new Error(`missing case ${n}`);
    return c;
  };

  it('§9.4.3 dfBinary, d = F (smclarify test_metrics.py)', () => {
    const m = byName(find('dfBinary d=F'));
    const known: [string, number][] = [
      ['CI', -1 / 6],
      ['DI', 10 / 7],
      ['DCA', 1 / 4],
      ['DCR', 1 / 3],
      ['RD', -2 / 3],
      ['SD', 1 / 6],
      ['DRR', 1 / 3],
      ['AD', -13 / 35],
      ['DAR', -1 / 2],
      ['TE', -1 / 2],
      ['GE', 0.24556213017751485],
      ['DPL', -1 / 35],
      ['DPPL', -6 / 35],
    ];
    for (const [n, v] of known) expect(Math.abs((m.get(n) ?? Number.NaN) - v), n).toBeLessThan(1e-12);
  });

  it('§9.4.4 item 1 (test_report_category_data), facets a and b', () => {
    const a = byName(find('category_data facet a'));
    const known: [string, number][] = [
      ['CDDL', -0.375],
      ['CI', 0.5],
      ['DPL', -2 / 3],
      ['JS', 0.08720802396075798],
      ['KL', -0.3662040962227032],
      ['KS', 2 / 3],
      ['LP', 2 / 3],
      ['TVD', 0.33333333333333337],
      ['AD', -2 / 3],
      ['DI', 3.0],
      ['DPPL', -2 / 3],
      ['RD', -1.0],
    ];
    for (const [n, v] of known) expect(Math.abs((a.get(n) ?? Number.NaN) - v), n).toBeLessThan(1e-12);
    const b = byName(find('category_data facet b'));
    const knownB: [string, number][] = [
      ['CDDL', 0.625],
      ['CI', -0.5],
      ['DPL', 2 / 3],
      ['KL', 1.0986122886681098],
      ['AD', 2 / 3],
      ['DI', 1 / 3],
      ['RD', 1.0],
    ];
    for (const [n, v] of knownB) expect(Math.abs((b.get(n) ?? Number.NaN) - v), n).toBeLessThan(1e-12);
  });

  it("§9.4.4 item 2: no group variable → CDDL/CDDPL null with smclarify's message, others computed", () => {
    const out = computeBiasMetrics(countsOf(find('dfBinary d=F')), ['CDDL', 'CDDPL', 'CI']);
    expect(out[0]).toEqual({
      name: 'CDDL',
      description: 'Conditional Demographic Disparity in Labels (CDDL)',
      value: null,
      error: 'Group variable is empty or not provided',
    });
    expect(out[1]?.value).toBeNull();
    expect(out[2]?.value).toBeCloseTo(-1 / 6, 12);
  });

  it("empty facet gives smclarify's errors, not exceptions", () => {
    const out = new Map(computeBiasMetrics(countsOf(find('empty facet')), names).map((r) => [r.name, r]));
    expect(out.get('DPL')?.error).toBe('Facet set is empty.');
    expect(out.get('CI')?.error).toMatch(/^CI: facet set is empty/);
    expect(out.get('DI')?.error).toBe('Facet set is empty');
    expect(out.get('GE')?.value).not.toBeNull();
  });
});

describe('bias counts merge', () => {
  it('merge(a, b) gives the metrics of a ++ b', () => {
    for (const c of vectors.cases) {
      const mid = Math.floor(c.d.length / 2);
      const merged = mergeBiasCounts(countsOf(c, 0, mid), countsOf(c, mid));
      const whole = countsOf(c);
      expect(Array.from(merged.cells)).toEqual(Array.from(whole.cells));
      expect(computeBiasMetrics(merged, names)).toEqual(computeBiasMetrics(whole, names));
    }
  });
});
