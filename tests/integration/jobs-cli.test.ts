/**
 * The queue commands through the built CLI (`dist/src/cli/main.js`) on the test Redis: `schedule`,
 * `backfill`, `status` (with and without a config, `--last` and `--from --to`), the README's backfill
 * example, and their errors naming the field.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { QueueSettings } from '../../src/config/monitors.js';
import { redactRedisUrl } from '../../src/jobs/redis.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings } from '../support/queues.js';
import { assertBuilt, cliPath } from '../support/worker-process.js';

const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], {
      env: { ...process.env, REDIS_URL: redisUrl() },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let settings: QueueSettings;
let dir: string;

beforeAll(() => assertBuilt());
beforeEach(() => {
  settings = uniqueQueueSettings();
  dir = mkdtempSync(join(tmpdir(), 'dw-cli-'));
});
afterEach(async () => {
  await cleanupQueue(settings);
});

function config(monitors: Array<Record<string, unknown>>): string {
  const path = join(dir, `monitors-${monitors.length}.yaml`);
  const base = { endpoint: 'ep', capture: join(dir, 'c'), baseline: join(dir, 'b'), output: join(dir, 'o') };
  writeFileSync(
    path,
    YAML.stringify({ queue: settings, monitors: monitors.map((m) => ({ ...base, ...m })) }),
  );
  return path;
}

describe('driftwatch schedule / backfill / status', () => {
  it('schedules, backfills and reports status; removes schedulers of monitors that left', async () => {
    const two = config([
      { name: 'hourly', schedule: 'cron(0 * ? * * *)' },
      { name: 'six', schedule: 'cron(0 2/6 ? * * *)' },
    ]);
    const scheduled = await cli(['schedule', '--config', two, '--json']);
    expect(scheduled.code).toBe(0);
    const result = JSON.parse(scheduled.stdout);
    expect(result.scheduled.map((s: { monitor: string }) => s.monitor)).toEqual(['hourly', 'six']);

    const filled = await cli([
      'backfill',
      '--config',
      two,
      '--monitor',
      'six',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-02T00:00:00Z',
      '--json',
    ]);
    expect(filled.code).toBe(0);
    expect(JSON.parse(filled.stdout).executions.map((e: { id: string }) => e.id)).toEqual([
      'dq__six__20240501T020000Z',
      'dq__six__20240501T080000Z',
      'dq__six__20240501T140000Z',
      'dq__six__20240501T200000Z',
    ]);
    const again = await cli([
      'backfill',
      '--config',
      two,
      '--monitor',
      'six',
      '--from',
      '2024-05-01T08:00:00Z',
      '--to',
      '2024-05-01T09:00:00Z',
    ]);
    expect(again.stdout).toContain('0 enqueued, 1 already there');

    // Without a config, status reads the monitors from their schedulers.
    const status = await cli([
      'status',
      '--queue',
      settings.name,
      '--prefix',
      settings.prefix,
      '--json',
      '--no-storage',
    ]);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout);
    expect(report.redis).toBe(redactRedisUrl(redisUrl()));
    expect(report.monitors.map((m: { name: string; scheduled: boolean }) => [m.name, m.scheduled])).toEqual([
      ['hourly', true],
      ['six', true],
    ]);
    expect(report.queue.counts.waiting).toBe(4);
    const text = await cli(['status', '--config', two, '--last', '1', '--no-storage']);
    // It says which Redis it read (password redacted), then the queue.
    expect(text.stdout).toMatch(
      /^redis redis:\/\/[^\n]+\nqueue dwtest-\w+:test-\w+ {2}active 0 {2}waiting 4/,
    );
    // The newest executions that exist: the backfilled 2024 window, not the latest scheduled times.
    expect(text.stdout).toContain('2024-05-01T20:00:00.000Z  waiting');
    expect(text.stdout).toContain('hourly  (data-quality, cron(0 * ? * * *))  next ');
    expect(text.stdout).toMatch(/hourly [^\n]*\n {2}no executions yet/);
    expect(text.stdout).toContain('six  (data-quality, cron(0 2/6 ? * * *))  next ');

    const one = config([{ name: 'hourly', schedule: 'cron(0 * ? * * *)' }]);
    const resynced = await cli(['schedule', '--config', one]);
    expect(resynced.stdout).toContain('removed    six');
    const after = JSON.parse((await cli(['status', '--config', two, '--json', '--no-storage'])).stdout);
    expect(after.monitors.find((m: { name: string }) => m.name === 'six').scheduled).toBe(false);
  });

  it("runs the README's backfill and status example: the hourly windows of the day it names", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const command = (verb: string) => {
      const line = readme
        .split('\n')
        .find((l) => l.startsWith(`driftwatch ${verb} `) && l.includes('--from'));
      expect(line, `README has a driftwatch ${verb} ... --from example`).toBeDefined();
      const args = (line as string).replace(/#.*$/, '').trim().split(/\s+/).slice(1);
      return args.map((a) => (a === 'monitors.yaml' ? path : a));
    };
    const path = config([{ name: 'churn-hourly', schedule: 'cron(0 * ? * * *)' }]);
    const filled = await cli([...command('backfill'), '--json']);
    expect(filled.code, filled.stderr).toBe(0);
    const result = JSON.parse(filled.stdout);
    expect(result.executions).toHaveLength(24);
    expect(result.data).toEqual({ from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z' });
    const text = await cli(command('backfill'));
    expect(text.stdout).toContain(
      '24 scheduled times in [2024-05-01T01:00:00.000Z, 2024-05-02T01:00:00.000Z): 0 enqueued, 24 already there',
    );
    expect(text.stdout).toContain(
      'their windows read the data captured in [2024-05-01T00:00:00.000Z, 2024-05-02T00:00:00.000Z)',
    );

    const status = await cli([...command('status'), '--json']);
    expect(status.code, status.stderr).toBe(0);
    const [monitor] = JSON.parse(status.stdout).monitors;
    const rows = monitor.executions as Array<{ id: string; state: string; window: { start: string } }>;
    // Newest first, one per hour of 2024-05-01, each the backfilled (waiting) job.
    expect(rows.map((r) => r.window.start)).toEqual(
      Array.from({ length: 24 }, (_, h) => `2024-05-01T${String(23 - h).padStart(2, '0')}:00:00.000Z`),
    );
    expect(rows[0]).toMatchObject({
      id: 'dq__churn-hourly__20240502T000000Z',
      state: 'waiting',
      window: { start: '2024-05-01T23:00:00.000Z', end: '2024-05-02T00:00:00.000Z' },
    });
    expect(new Set(rows.map((r) => r.state))).toEqual(new Set(['waiting']));
    // --last still counts back from now; --to needs --from; a reversed range is refused before Redis.
    const latest = JSON.parse((await cli(['status', '--config', path, '--json', '--last', '2'])).stdout);
    expect(latest.monitors[0].executions).toHaveLength(2);
    const noFrom = await cli(['status', '--config', path, '--to', '2024-05-02']);
    expect(noFrom.code).toBe(2);
    expect(noFrom.stderr).toContain('--to: --to needs --from');
    const reversed = await cli(['status', '--config', path, '--from', '2024-05-02', '--to', '2024-05-01']);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toContain('--from: --from (2024-05-02T00:00:00.000Z) must be before --to');
  });

  it('rejects a bad config, an unknown monitor and bad times with the field named', async () => {
    const bad = config([{ name: 'x', schedule: 'cron(0 24 ? * * *)' }]);
    const scheduled = await cli(['schedule', '--config', bad]);
    expect(scheduled.code).toBe(2);
    expect(scheduled.stderr).toContain(
      `${bad}: monitors[0].schedule: cron(0 24 ? * * *): hour 24 is out of range 0–23`,
    );

    const good = config([{ name: 'x', schedule: 'cron(0 * ? * * *)' }]);
    const unknown = await cli([
      'backfill',
      '--config',
      good,
      '--monitor',
      'y',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-02',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no monitor named 'y'; the config has: x");
    const badTime = await cli([
      'backfill',
      '--config',
      good,
      '--monitor',
      'x',
      '--from',
      'yesterday',
      '--to',
      '2024-05-02',
    ]);
    expect(badTime.stderr).toContain('--from: "yesterday" is not an ISO-8601 time');
    const reversed = await cli([
      'backfill',
      '--config',
      good,
      '--monitor',
      'x',
      '--from',
      '2024-05-02',
      '--to',
      '2024-05-01',
    ]);
    expect(reversed.stderr).toContain('from: --from (2024-05-02T00:00:00.000Z) must be before --to');
    const noRedis = await run(process.execPath, [cliPath, 'status', '--config', good, '--no-storage'], {
      env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1' },
    }).then(
      () => ({ code: 0 }),
      (e: { code: number }) => e,
    );
    expect(noRedis.code).not.toBe(0);
  });
});
