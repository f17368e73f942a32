/** `driftwatch compare`: the JSON contract on real files (local storage), typing, guards, sketches. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../../src/cli/commands/compare.js';
import { createStorage } from '../../../src/io/storage.js';
import {
  compareCategoricalFeature,
  driftTestsFor,
  ksTwoSample,
  weightedSampleFromKll,
} from '../../../src/metrics/drift/index.js';
import { KllSketch } from '../../../src/metrics/sketches/kll.js';
import { compareDatasets } from '../../../src/monitor/compare.js';
import { TestRandom } from './random.js';

let dir: string;
/** A feature name that must not touch any prototype. */
const PROTO = '__proto__';
const storage = createStorage();

function csv(rows: (string | number)[][]): string {
  return `${rows.map((r) => r.join(',')).join('\n')}\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-compare-'));
  const rng = new TestRandom(21);
  const header = ['age', 'income', 'plan', '__proto__', 'sparse'];
  const base: (string | number)[][] = [header];
  const cur: (string | number)[][] = [header];
  const plans = ['basic', 'silver', 'gold'];
  for (let i = 0; i < 600; i++) {
    base.push([
      Math.round(40 + 10 * rng.normal()),
      (50_000 + 8_000 * rng.normal()).toFixed(2),
      plans[rng.int(3)] as string,
      rng.int(2) ? 'x' : 'y',
      i < 10 ? 1 : '',
    ]);
  }
  for (let i = 0; i < 400; i++) {
    cur.push([
      Math.round(40 + 10 * rng.normal()),
      (58_000 + 8_000 * rng.normal()).toFixed(2),
      rng.next() < 0.7 ? 'gold' : (plans[rng.int(3)] as string),
      rng.int(2) ? 'x' : 'y',
      i < 5 ? 2 : '',
    ]);
  }
  cur.push(['1e999', '51000', 'basic', 'x', '']);
  await writeFile(join(dir, 'baseline.csv'), csv(base));
  const big = (n: number, shift: number) =>
    csv([['x'], ...Array.from({ length: n }, () => [(shift + rng.normal()).toFixed(4)])]);
  await writeFile(join(dir, 'big-baseline.csv'), big(6000, 0));
  await writeFile(join(dir, 'big-current.csv'), big(5000, 0.3));
  await writeFile(join(dir, 'current.csv'), csv(cur));
  await writeFile(
    join(dir, 'current.jsonl'),
    `${cur
      .slice(1, 200)
      .map(
        (r) =>
          `{"age":${Number(r[0])},"income":${Number(r[1])},"plan":${JSON.stringify(r[2])},"__proto__":"${r[3]}"}`,
      )
      .join('\n')}\n{not json\n`,
  );
});

afterAll(async () => {
  storage.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('compareDatasets', () => {
  it('types features, runs every applicable test and finds the drifted ones', async () => {
    const r = await compareDatasets(
      { baselineData: join(dir, 'baseline.csv'), currentData: join(dir, 'current.csv') },
      storage,
    );
    expect(Object.keys(r.features)).toEqual(['age', 'income', 'plan', '__proto__', 'sparse']);
    expect(Object.getPrototypeOf(r.features)).toBeNull();
    const { age, income, plan, sparse } = r.features as Record<string, (typeof r.features)[string]>;
    expect(age?.type).toBe('numeric');
    expect(income?.type).toBe('numeric');
    expect(plan?.type).toBe('categorical');
    expect(r.features[PROTO]?.type).toBe('categorical');
    expect(Object.keys(income?.tests ?? {}).sort()).toEqual(driftTestsFor('numeric').sort());
    expect(income?.drift).toBe(true);
    expect(income?.tests.ks?.drift).toBe(true);
    expect(plan?.drift).toBe(true);
    expect(plan?.tests.chi_square?.drift).toBe(true);
    expect(age?.drift).toBe(false);
    expect(r.features[PROTO]?.drift).toBe(false);
    // 10 and 5 values: too few to judge, never drift.
    expect(sparse?.status).toBe('insufficient_data');
    expect(sparse?.drift).toBe(false);
    expect(r.issues.current.counts['non-finite-number']).toBe(1);
    expect(r.dataset.judged_features).toBe(4);
    expect(r.dataset.drifted_features).toBe(2);
    expect(r.dataset.drift).toBe(true);
  });

  it('reads JSONL and counts malformed lines instead of failing', async () => {
    const r = await compareDatasets(
      { baselineData: join(dir, 'baseline.csv'), currentData: join(dir, 'current.jsonl') },
      storage,
    );
    expect(r.features.income?.drift).toBe(true);
    expect(r.issues.current.total).toBeGreaterThanOrEqual(1);
    expect(r.issues.current.counts['missing-column']).toBe(1);
    expect(r.features[PROTO]?.type).toBe('categorical');
    expect(r.features[PROTO]?.n_current).toBe(199);
  });

  it('keeps no categories for a numeric column: many distinct numbers raise no category-overflow', async () => {
    // Issue 15: every number used to be counted as a category (47% of compare's time).
    const many = (n: number, shift: number) =>
      csv([['v'], ...Array.from({ length: n }, (_, i) => [(shift + i * 0.001).toFixed(3)])]);
    await writeFile(join(dir, 'many-baseline.csv'), many(12_000, 0));
    await writeFile(join(dir, 'many-current.csv'), many(12_000, 1));
    const r = await compareDatasets(
      {
        baselineData: join(dir, 'many-baseline.csv'),
        currentData: join(dir, 'many-current.csv'),
        tests: ['ks'],
      },
      storage,
    );
    expect(r.features.v?.type).toBe('numeric');
    expect(r.issues.baseline.counts['category-overflow']).toBeUndefined();
    expect(r.issues.current.counts['category-overflow']).toBeUndefined();
  });

  it('counts the numbers of a mixed column as categories, in arrival order, as one pass would', async () => {
    // Numbers first, text only at the end (baseline), numbers only (current): categorical on both sides.
    const baseValues = [...Array.from({ length: 300 }, (_, i) => String(i % 7)), 'n/a', '3', 'n/a'];
    const curValues = Array.from({ length: 200 }, (_, i) => String((i * 3) % 9));
    await writeFile(join(dir, 'mixed-baseline.csv'), csv([['m', 'k'], ...baseValues.map((v, i) => [v, i])]));
    await writeFile(join(dir, 'mixed-current.csv'), csv([['m', 'k'], ...curValues.map((v, i) => [v, i])]));
    const r = await compareDatasets(
      { baselineData: join(dir, 'mixed-baseline.csv'), currentData: join(dir, 'mixed-current.csv') },
      storage,
    );
    const counts = (values: string[]) => {
      const m = new Map<string, number>();
      for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
      return m;
    };
    const { input, ...report } = r.features.m!;
    expect(input).toBe('counts');
    expect(report).toEqual(compareCategoricalFeature(counts(baseValues), counts(curValues), {}));
    expect(r.features.k?.type).toBe('numeric');
  });

  it('switches to sketches past the exact limit and says so, with error bounds', async () => {
    const files = { baselineData: join(dir, 'big-baseline.csv'), currentData: join(dir, 'big-current.csv') };
    const r = await compareDatasets({ ...files, exactLimit: 1000, tests: ['ks', 'linf'] }, storage);
    const x = r.features.x;
    expect(x?.input).toBe('sketch');
    expect(x?.tests.ks?.input).toBe('sketch');
    expect(x?.tests.ks?.statistic_error_bound).toBeGreaterThan(0);
    expect(x?.tests.ks?.p_value_range?.[0]).toBeLessThanOrEqual(x?.tests.ks?.p_value as number);
    expect(x?.drift).toBe(true);
    // The sketches hold what one `update` per value, in file order, would have made of each column.
    const sketchOf = async (path: string) => {
      const kll = new KllSketch();
      for (const line of (await readFile(path, 'utf8')).trim().split('\n').slice(1)) kll.update(Number(line));
      return weightedSampleFromKll(kll);
    };
    const byHand = ksTwoSample(await sketchOf(files.baselineData), await sketchOf(files.currentData)) as {
      statistic: number;
      pValue: number;
    };
    expect(x?.tests.ks?.statistic).toBe(byHand.statistic);
    expect(x?.tests.ks?.p_value).toBe(byHand.pValue);
    const exact = await compareDatasets({ ...files, tests: ['ks'] }, storage);
    expect(exact.features.x?.input).toBe('raw');
    const gap = Math.abs(
      (exact.features.x?.tests.ks?.statistic as number) - (x?.tests.ks?.statistic as number),
    );
    expect(gap).toBeLessThanOrEqual(x?.tests.ks?.statistic_error_bound as number);
  });

  it('calibrated mode sets the default test threshold from the baseline', async () => {
    const r = await compareDatasets(
      {
        baselineData: join(dir, 'baseline.csv'),
        currentData: join(dir, 'current.csv'),
        thresholdMode: 'calibrated',
      },
      storage,
    );
    const age = r.features.age;
    expect(age?.tests[age.default_test]?.threshold_mode).toBe('calibrated');
    expect(r.features.income?.drift).toBe(true);
  });
});

describe('driftwatch compare (command line)', () => {
  it('prints the contract JSON', async () => {
    const program = new Command('driftwatch').exitOverride();
    register(program);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await program.parseAsync(
        [
          'compare',
          '--baseline-data',
          join(dir, 'baseline.csv'),
          '--current-data',
          join(dir, 'current.csv'),
          '--format',
          'csv',
          '--json',
        ],
        { from: 'user' },
      );
    } finally {
      spy.mockRestore();
    }
    const json = JSON.parse(out.join(''));
    for (const [, feature] of Object.entries<{ type: string; tests: Record<string, unknown> }>(
      json.features,
    )) {
      expect(['numeric', 'categorical']).toContain(feature.type);
      const tests = feature.tests as Record<string, { statistic: unknown; p_value: unknown; drift: unknown }>;
      for (const [id, t] of Object.entries(tests)) {
        expect(driftTestsFor(feature.type as 'numeric' | 'categorical')).toContain(id);
        expect(t.statistic === null || typeof t.statistic === 'number').toBe(true);
        expect(t.p_value === null || typeof t.p_value === 'number').toBe(true);
        expect(typeof t.drift).toBe('boolean');
      }
    }
    expect(json.features.plan.tests.tvd.p_value).toBeNull();
    expect(typeof json.features.plan.tests.chi_square.p_value).toBe('number');
  });

  it('--tests ks,psi: the JSON holds only those tests plus the decision; the table shows them with a header', async () => {
    const files = { baselineData: join(dir, 'baseline.csv'), currentData: join(dir, 'current.csv') };
    const r = await compareDatasets({ ...files, tests: ['ks', 'psi'] }, storage);
    // income is numeric (never a category-overflow); its default test decides, whether asked or not.
    expect(Object.keys(r.features.income?.tests ?? {})).toEqual(['ks', 'psi']);
    expect(r.features.income?.decision).toMatchObject({ test: r.features.income?.default_test, drift: true });
    expect(r.issues.baseline.counts['category-overflow']).toBeUndefined();
    // plan is categorical: ks does not apply, psi does; its decision is chi_square (not asked).
    expect(Object.keys(r.features.plan?.tests ?? {})).toEqual(['psi']);
    expect(r.features.plan?.decision).toMatchObject({ test: 'chi_square', drift: true });
    expect(r.features.plan?.decision?.p_value).toBeLessThan(0.05);

    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      const program = new Command('driftwatch').exitOverride();
      register(program);
      await program.parseAsync(
        [
          'compare',
          '--baseline-data',
          files.baselineData,
          '--current-data',
          files.currentData,
          '--tests',
          'ks,psi',
        ],
        { from: 'user' },
      );
    } finally {
      spy.mockRestore();
    }
    const lines = out.join('').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^feature\s+type\s+test\s+statistic\s+p_value\s+threshold\s+result$/);
    const row = (feature: string, test: string) =>
      lines.find((l) => l.startsWith(`"${feature}"`) && l.split(/\s{2,}/)[2] === test);
    expect(row('income', 'ks')).toMatch(/^"income"\s+numeric\s+ks\s+[\d.e-]+\s+[\d.e-]+\s+≤ 0.05\s+DRIFT$/);
    expect(row('income', 'psi')).toMatch(/\s+-\s+≥ 0.1\s+(DRIFT|ok)$/);
    expect(row('plan', 'psi')).toBeDefined();
    expect(row('plan', 'ks')).toBeUndefined();
    expect(lines.find((l) => l.startsWith('"plan"') && l.includes('decision (chi_square)'))).toMatch(
      /DRIFT$/,
    );
    expect(lines.at(-1)).toMatch(/^dataset: /);
  });

  it('rejects unknown tests with the list of known ones', async () => {
    const program = new Command('driftwatch').exitOverride();
    register(program);
    await expect(
      program.parseAsync(
        ['compare', '--baseline-data', 'a.csv', '--current-data', 'b.csv', '--tests', 'ks,nope'],
        { from: 'user' },
      ),
    ).rejects.toThrow(/unknown drift test 'nope'; known tests: ks/);
  });
});
