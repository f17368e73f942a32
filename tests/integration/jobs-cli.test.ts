/**
 * The queue commands through the built CLI (`dist/src/cli/main.js`) on the test Redis: `schedule`,
 * `backfill`, `status` (with and without a config), and their errors naming the field.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { QueueSettings } from '../../src/config/monitors.js';
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
    expect(report.monitors.map((m: { name: string; scheduled: boolean }) => [m.name, m.scheduled])).toEqual([
      ['hourly', true],
      ['six', true],
    ]);
    expect(report.queue.counts.waiting).toBe(4);
    const text = await cli(['status', '--config', two, '--last', '1', '--no-storage']);
    expect(text.stdout).toMatch(/^queue dwtest-\w+:test-\w+ {2}active 0 {2}waiting 4/);
    expect(text.stdout).toContain('six  (data-quality, cron(0 2/6 ? * * *))  next ');

    const one = config([{ name: 'hourly', schedule: 'cron(0 * ? * * *)' }]);
    const resynced = await cli(['schedule', '--config', one]);
    expect(resynced.stdout).toContain('removed    six');
    const after = JSON.parse((await cli(['status', '--config', two, '--json', '--no-storage'])).stdout);
    expect(after.monitors.find((m: { name: string }) => m.name === 'six').scheduled).toBe(false);
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
