/**
 * baselineFromRows (the library's baseline from rows): the same documents as `buildBaseline` on the same
 * data written as CSV, for object rows and array rows alike; hostile rows counted, never thrown.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBaseline } from '../../src/baseline/build.js';
import { renderConstraints } from '../../src/baseline/constraints.js';
import { readBaseline } from '../../src/baseline/read.js';
import { baselineFromRows } from '../../src/baseline/rows.js';
import { renderStatistics } from '../../src/baseline/statistics.js';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { LocalStorage } from '../../src/io/local-storage.js';

const columns = ['age', 'plan', 'score'];
const rows = Array.from({ length: 500 }, (_, i) => ({
  age: 18 + ((i * 7) % 60),
  plan: ['basic', 'silver', 'gold'][i % 3] as string,
  score: i % 10 === 0 ? null : Math.round(((i * 37) % 1000) / 7) / 10,
}));

describe('baselineFromRows', () => {
  it('gives the statistics and constraints buildBaseline gives for the same data as CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-rows-'));
    const csv = [columns.join(','), ...rows.map((r) => [r.age, r.plan, r.score ?? ''].join(','))].join('\n');
    writeFileSync(join(dir, 'train.csv'), `${csv}\n`);
    const fromFile = await buildBaseline(new LocalStorage(), {
      dataset: join(dir, 'train.csv'),
      out: join(dir, 'baseline'),
    });
    const fromObjects = await baselineFromRows(rows, { out: join(dir, 'from-rows') });
    const written = await readBaseline(new LocalStorage(), join(dir, 'from-rows'));
    expect(renderStatistics(written.statistics)).toBe(renderStatistics(fromFile.statistics));
    expect(fromObjects.written?.sensitiveUri).toBe(join(dir, 'from-rows', 'sensitive.json'));
    const fromArrays = await baselineFromRows(
      (async function* () {
        for (const r of rows) yield [r.age, r.plan, r.score];
      })(),
      { columns },
    );
    for (const result of [fromObjects, fromArrays]) {
      expect(result.rows).toBe(500);
      expect(result.issues.total).toBe(0);
      expect(renderStatistics(result.statistics)).toBe(renderStatistics(fromFile.statistics));
      expect(renderConstraints(result.constraints)).toBe(renderConstraints(fromFile.constraints));
    }
    expect(fromObjects.statistics.features.map((f) => [f.name, f.inferred_type])).toEqual([
      ['age', 'Integral'],
      ['plan', 'String'],
      ['score', 'Fractional'],
    ]);
  });

  it('counts hostile rows and cells and keeps going', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const result = await baselineFromRows(
      [
        { x: 1, __proto__: 'p', constructor: 'c' },
        null as unknown as Record<string, unknown>,
        42 as unknown as Record<string, unknown>,
        [1, 2, 3],
        { x: { nested: true }, y: () => 0, z: cyclic, w: 10n },
      ],
      { columns: ['x'], source: 'mine' },
    );
    expect(result.rows).toBe(3);
    expect(Object.fromEntries(result.issues.counts)).toEqual({
      malformed_row: 2,
      ragged_row: 1,
      nested_value: 2,
      unsupported_value: 1,
    });
    expect(result.issues.samples[0]?.source).toBe('mine');
    expect(result.profile.columnNames).toEqual(['x', 'constructor', 'y', 'z', 'w']);
    expect(result.profile.column('w')?.integral).toBe(1);
  });

  it('refuses no rows and a type override naming no column', async () => {
    await expect(baselineFromRows([])).rejects.toBeInstanceOf(InputError);
    await expect(
      baselineFromRows([{ a: 1 }], { typeOverrides: new Map([['b', 'String']]) }),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});
