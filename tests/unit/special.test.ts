/**
 * metrics/special.ts: the standard normal quantiles the checks ask for with the usual alarm rates are
 * @stdlib's values to the bit, and asking for them loads no @stdlib file (a calibrated execution's
 * completeness limits and multivariate band); any other quantile still comes from @stdlib. The load check
 * runs dist/ in a child recorded by tests/support/loaded-modules.mjs (build first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { normalQuantile } from '../../src/metrics/special.js';

const stdlibQuantile = createRequire(import.meta.url)('@stdlib/stats-base-dists-normal-quantile') as (
  p: number,
  mu: number,
  sigma: number,
) => number;

const RECORDER = fileURLToPath(new URL('../support/loaded-modules.mjs', import.meta.url));
const SPECIAL = new URL('../../dist/src/metrics/special.js', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'dw-special-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether a child that imports dist's special.js and asks for these quantiles loads @stdlib's. */
function loadsStdlib(name: string, calls: Array<[number, number, number]>): boolean {
  const file = join(dir, `${name}.txt`);
  const script = `const { normalQuantile } = await import(${JSON.stringify(SPECIAL)});\n${calls
    .map(([p, mu, sigma]) => `normalQuantile(${p}, ${mu}, ${sigma});`)
    .join('\n')}`;
  const child = spawnSync(process.execPath, ['--import', RECORDER, '--input-type=module', '-e', script], {
    env: { ...process.env, DW_LOADED_MODULES_FILE: file },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(child.status, child.stderr).toBe(0);
  const modules = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  expect(modules.some((m) => m.endsWith('/metrics/special.js'))).toBe(true);
  return modules.some((m) => m.includes('stats-base-dists-normal-quantile'));
}

describe('normalQuantile', () => {
  const ALARM_RATES = [0.1, 0.05, 0.01, 0.001];
  const asked = ALARM_RATES.flatMap((a) => [1 - a, 1 - a / 2]);

  it("is @stdlib's value to the bit, at the checks' probabilities and elsewhere", () => {
    for (const p of [...asked, 0.5, 0.8, 0.9999, 1e-9]) {
      expect(Object.is(normalQuantile(p, 0, 1), stdlibQuantile(p, 0, 1))).toBe(true);
      expect(Object.is(normalQuantile(p, 2, 3), stdlibQuantile(p, 2, 3))).toBe(true);
    }
  });

  it("loads no @stdlib file for the usual alarm rates' quantiles, and @stdlib's for any other", () => {
    expect(
      loadsStdlib(
        'known',
        asked.map((p) => [p, 0, 1]),
      ),
    ).toBe(false);
    expect(loadsStdlib('other', [[0.8, 0, 1]])).toBe(true);
    expect(loadsStdlib('scaled', [[0.975, 2, 3]])).toBe(true);
  });
});
