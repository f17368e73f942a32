/**
 * Reruns of a window whose result is stored (issue 12; issue 16's corrupt summaries): the flags are checked
 * before anything is looked up, a stored result is validated and said to be stored, a rerun for other
 * inputs stops, `--force` recomputes and replaces, a `Failed` window is computed again.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline } from '../../src/baseline/build.js';
import { writeCaptureHours, writeTrainingCsv } from '../../src/demo/traffic.js';
import { createStorage } from '../../src/io/storage.js';
import { lastJson, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-cli-rerun-'));
const storage = createStorage();
const start = '2026-04-01T00:00:00.000Z';
const end = '2026-04-01T01:00:00.000Z';
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

beforeAll(async () => {
  await writeTrainingCsv(storage, join(dir, 'train.csv'), 2000);
  await buildBaseline(storage, { dataset: join(dir, 'train.csv'), out: join(dir, 'baseline') });
  await buildBaseline(storage, { dataset: join(dir, 'train.csv'), out: join(dir, 'baseline2') });
  await writeCaptureHours(storage, {
    captureUri: join(dir, 'capture'),
    endpoint: 'ep',
    start: new Date(start),
    hours: 1,
    recordsPerHour: 300,
    filesPerHour: 2,
  });
});
afterAll(() => {
  storage.destroy();
  rmSync(dir, { recursive: true, force: true });
});

interface Summary {
  status: string;
  recordsRead: number;
  reportUri: string;
  driftwatchVersion?: string;
  computedAt?: string;
  request?: { baselineUri: string; captureUri: string };
  storedResult?: { computedAt?: string; baselineUri?: string };
}

const args = (out: string, over: Record<string, string> = {}, extra: string[] = []) => {
  const flags: Record<string, string> = {
    '--baseline': join(dir, 'baseline'),
    '--capture': join(dir, 'capture'),
    '--endpoint': 'ep',
    '--start': start,
    '--end': end,
    '--out': out,
    ...over,
  };
  return ['run', ...Object.entries(flags).flat(), '--json', ...extra];
};

describe('driftwatch run: reruns and stored results', { timeout: 240_000 }, () => {
  const out = join(dir, 'out');
  let first: Summary;

  beforeAll(async () => {
    const r = await runCli(args(out));
    expect(r.code, r.stderr).toBe(0);
    first = lastJson<Summary>(r.stdout);
  });

  it('records the driftwatch version, when and from which inputs in execution.json', () => {
    const stored = JSON.parse(readFileSync(join(first.reportUri, 'execution.json'), 'utf8')) as Summary;
    expect(stored.driftwatchVersion).toBe(pkg.version);
    expect(Date.parse(stored.computedAt ?? '')).toBeGreaterThan(0);
    expect(stored.request?.baselineUri).toBe(join(dir, 'baseline'));
    expect(first.storedResult).toBeUndefined();
  });

  it('says when a stored result is returned, from when and with which baseline', async () => {
    const r = await runCli(args(out));
    expect(r.code, r.stderr).toBe(0);
    const again = lastJson<Summary>(r.stdout);
    expect(again.storedResult?.computedAt).toBe(first.computedAt);
    expect(again.storedResult?.baselineUri).toBe(join(dir, 'baseline'));
    const text = await runCli(args(out).filter((a) => a !== '--json'));
    expect(text.stdout).toMatch(/stored {4}stored result from .*baseline .*--force recomputes it/);
  });

  it('checks the flags before looking anything up: --start after --end is a usage error', async () => {
    const r = await runCli(args(out, { '--start': end, '--end': start }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--start .* is not before --end/);
    expect(r.stdout).not.toContain('Completed');
  });

  it('stops when the stored result was computed for another baseline, or a baseline that is gone', async () => {
    const other = await runCli(args(out, { '--baseline': join(dir, 'baseline2') }));
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      /computed for other inputs \(--baseline was .*baseline, now .*baseline2\).*--force/,
    );
    const missing = await runCli(args(out, { '--baseline': join(dir, 'nowhere') }));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('other inputs');
  });

  it('--force recomputes and replaces the report set', async () => {
    const r = await runCli(args(out, { '--baseline': join(dir, 'baseline2') }, ['--force']));
    expect(r.code, r.stderr).toBe(0);
    const forced = lastJson<Summary>(r.stdout);
    expect(forced.storedResult).toBeUndefined();
    const stored = JSON.parse(readFileSync(join(forced.reportUri, 'execution.json'), 'utf8')) as Summary;
    expect(stored.request?.baselineUri).toBe(join(dir, 'baseline2'));
    expect(stored.computedAt).not.toBe(first.computedAt);
  });

  it.each([
    ['empty', ''],
    ['truncated', '{"monitorName": "x", "status": "Comp'],
    ['{}', '{}'],
    ['[1]', '[1]'],
  ])(
    'does not trust a stored execution.json that is %s: reported, recomputed with --force',
    async (_, body) => {
      const o = join(dir, `corrupt-${_.replace(/\W/g, '')}`);
      const prefix = join(o, 'ep', 'driftwatch-run', '2026', '04', '01', '01');
      mkdirSync(prefix, { recursive: true });
      writeFileSync(join(prefix, 'execution.json'), body);
      const r = await runCli(args(o));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/execution\.json is unusable .*--force/);
      expect(r.stderr).not.toMatch(/TypeError|SyntaxError|\n\s+at /);
      const forced = await runCli(args(o, {}, ['--force']));
      expect(forced.code, forced.stderr).toBe(0);
      expect(lastJson<Summary>(forced.stdout).recordsRead).toBe(300);
    },
  );

  it('computes a Failed window again on a rerun (late data is picked up)', async () => {
    const o = join(dir, 'late');
    const later = { '--start': '2026-04-02T00:00:00Z', '--end': '2026-04-02T01:00:00Z' };
    const before = await runCli(args(o, later));
    expect(before.code).toBe(1);
    expect(lastJson<Summary>(before.stdout).status).toBe('Failed');
    await writeCaptureHours(storage, {
      captureUri: join(dir, 'capture'),
      endpoint: 'ep',
      start: new Date('2026-04-02T00:00:00Z'),
      hours: 1,
      recordsPerHour: 100,
      filesPerHour: 1,
    });
    const after = await runCli(args(o, later));
    expect(after.code, after.stderr).toBe(0);
    const s = lastJson<Summary>(after.stdout);
    expect(s.status).not.toBe('Failed');
    expect(s.recordsRead).toBe(100);
    expect(s.storedResult).toBeUndefined();
  });

  it('reads --start without a zone as UTC whatever TZ is, and refuses loose forms', async () => {
    const o = join(dir, 'tz');
    const r = await runCli(args(o, { '--start': '2026-04-01T00:00', '--end': '2026-04-01T01:00' }), {
      env: { TZ: 'America/New_York' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson<Summary>(r.stdout).reportUri).toContain(join('2026', '04', '01', '01'));
    const loose = await runCli(args(o, { '--start': 'Apr 1 2026 00:00 UTC' }));
    expect(loose.code).toBe(2);
    expect(loose.stderr).toContain('--start');
  });

  it('says, in its own field and a warning, that a window older than 14 days publishes no metric', async () => {
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 20 * 86_400_000);
    await writeCaptureHours(storage, {
      captureUri: join(dir, 'capture'),
      endpoint: 'ep',
      start: hour,
      hours: 1,
      recordsPerHour: 100,
      filesPerHour: 1,
    });
    const window = {
      '--start': hour.toISOString(),
      '--end': new Date(hour.getTime() + 3_600_000).toISOString(),
    };
    const r = await runCli(args(join(dir, 'old'), window, ['--cloudwatch']));
    expect(r.code, r.stderr).toBe(0);
    const s = lastJson<
      Summary & {
        metricsNotPublished?: string;
        metricsPublished: number;
        issues: { counts: Record<string, number> };
      }
    >(r.stdout);
    expect(s.metricsNotPublished).toBe('window older than 14 days');
    expect(s.metricsPublished).toBe(0);
    expect(Object.keys(s.issues.counts)).not.toContain('metric-datum-invalid');
    expect(r.stderr).toContain('warning: metrics not published: window older than 14 days');
  });
});
