/**
 * The queue machinery on a real Redis: schedulers, deterministic execution ids, retries, permanent
 * failures, split windows (flows), catch-up, hand-back on shutdown, status. The work itself is the small
 * line-count kind (tests/support/line-count-kind.ts) on local files; the data-quality pipeline end to end
 * is in worker.test.ts.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job, Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type MonitorConfig,
  type MonitorType,
  parseMonitorsConfig,
  type QueueSettings,
} from '../../src/config/monitors.js';
import { RoutingStorage } from '../../src/io/storage.js';
import { executionJobId, lastTickKey, partJobId, schedulerId } from '../../src/jobs/ids.js';
import type { ExecutionKinds } from '../../src/jobs/kinds.js';
import { jobNames } from '../../src/jobs/payloads.js';
import {
  backfill,
  closeQueue,
  enqueueExecution,
  listSchedulers,
  openQueue,
  syncSchedulers,
} from '../../src/jobs/queue.js';
import { redactRedisUrl, redisOptionsFromUrl } from '../../src/jobs/redis.js';
import { WorkerService, type WorkerServiceOptions } from '../../src/jobs/service.js';
import { collectStatus, formatStatus } from '../../src/jobs/status.js';
import type { TickResult } from '../../src/jobs/ticks.js';
import type { AnyMonitorKind } from '../../src/monitor/execution.js';
import { lineCountKind } from '../support/line-count-kind.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitFor, waitForJob } from '../support/queues.js';

let settings: QueueSettings;
let queue: Queue;
let dir: string;
const services: WorkerService[] = [];

beforeEach(() => {
  settings = uniqueQueueSettings();
  queue = openQueue({ redis: redisUrl(), queue: settings });
  dir = mkdtempSync(join(tmpdir(), 'dw-jobs-'));
  mkdirSync(join(dir, 'baseline'));
  writeFileSync(join(dir, 'baseline', 'statistics.json'), '{}');
});

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close({ force: true })));
  await closeQueue(queue);
  await cleanupQueue(settings);
});

function monitor(overrides: Record<string, unknown> = {}): MonitorConfig {
  const [m] = parseMonitorsConfig({
    monitors: [
      {
        name: 'lines',
        endpoint: 'ep',
        capture: join(dir, 'capture'),
        baseline: join(dir, 'baseline'),
        output: join(dir, 'out'),
        schedule: 'cron(0 * ? * * *)',
        retry: { attempts: 3, backoffMs: 10 },
        ...overrides,
      },
    ],
  }).monitors;
  return m as MonitorConfig;
}

function writeCapture(files: number, linesEach = 3): void {
  mkdirSync(join(dir, 'capture'), { recursive: true });
  for (let i = 0; i < files; i++) {
    writeFileSync(join(dir, 'capture', `f${String(i).padStart(3, '0')}.jsonl`), 'x\n'.repeat(linesEach));
  }
}

type Kinds = Partial<Record<MonitorType, AnyMonitorKind>>;

/** The worker's kind loaders, each handing back the given kind. */
function loaders(kinds: Kinds): ExecutionKinds {
  return Object.fromEntries(Object.entries(kinds).map(([type, kind]) => [type, async () => kind]));
}

async function startWorker(
  kinds: Kinds,
  options: Partial<WorkerServiceOptions> = {},
): Promise<WorkerService> {
  const service = new WorkerService({
    redis: redisUrl(),
    queue: settings,
    storage: new RoutingStorage(),
    kinds: loaders(kinds),
    progressIntervalMs: 0,
    ...options,
  });
  services.push(service);
  await service.start();
  return service;
}

async function finished(id: string, timeoutMs = 20_000): Promise<Job> {
  return await waitForJob(queue, id, { timeoutMs });
}

const hour = (iso: string) => new Date(iso);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` and returns the unhandled rejections seen during it and in the half second after it. */
async function collectUnhandledRejections(fn: () => Promise<void>): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await fn();
    // Connection attempts still under way fail after a close; give them time to surface.
    await sleep(500);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return unhandled;
}

describe('schedulers', () => {
  it('upserts one scheduler per recurring monitor, enqueues NOW monitors once, removes those that left', async () => {
    const hourly = monitor({ name: 'hourly' });
    const berlin = monitor({ name: 'berlin', schedule: '30 9 * * *', timezone: 'Europe/Berlin' });
    const once = monitor({
      name: 'once',
      schedule: 'NOW',
      window: { start: '2024-01-01T00:00:00Z', end: '2024-01-01T06:00:00Z' },
    });
    const first = await syncSchedulers(queue, [hourly, berlin, once], hour('2024-06-01T10:15:00Z'));
    expect(first.scheduled.map((s) => [s.monitor, s.pattern, s.timezone])).toEqual([
      ['hourly', '0 * * * *', 'UTC'],
      ['berlin', '30 9 * * *', 'Europe/Berlin'],
    ]);
    expect(first.oneOff).toEqual([
      { id: 'dq__once__20240101T060000Z', scheduledTime: '2024-01-01T06:00:00.000Z', added: true },
    ]);
    const schedulers = await listSchedulers(queue);
    expect(schedulers.map((s) => s.key).sort()).toEqual([schedulerId('berlin'), schedulerId('hourly')]);
    const next = schedulers.find((s) => s.key === schedulerId('hourly'))?.next as number;
    expect(next % 3_600_000).toBe(0);
    expect(next).toBeGreaterThan(Date.now() - 1000);

    const second = await syncSchedulers(queue, [hourly, once]);
    expect(second.removed).toEqual(['berlin']);
    expect(second.oneOff[0]).toMatchObject({ added: false, state: 'waiting' });
    expect((await listSchedulers(queue)).map((s) => s.key)).toEqual([schedulerId('hourly')]);
    // The template carries the validated monitor.
    const stored = await queue.getJobScheduler(schedulerId('hourly'));
    expect(stored?.template?.data).toEqual({ monitor: JSON.parse(JSON.stringify(hourly)) });
    expect(stored?.name).toBe(jobNames.tick);
  });

  it('a scheduler fires on time (within a second of its cron time) and its tick enqueues the execution', async () => {
    writeCapture(1);
    const { kind, calls } = lineCountKind();
    await startWorker({ 'data-quality': kind });
    const m = monitor({ schedule: '*/2 * * * * *', window: { start: '-PT2S', end: '-PT0S' } });
    await syncSchedulers(queue, [m]);
    const tick = await waitFor(
      async () => (await queue.getJobs(['completed'])).find((j) => j.name === jobNames.tick),
      { what: 'a completed tick' },
    );
    const scheduledMillis = tick.opts.prevMillis as number;
    expect(scheduledMillis % 2000).toBe(0);
    const lateness = (tick.processedOn as number) - scheduledMillis;
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(1000);
    const result = tick.returnvalue as TickResult;
    const id = executionJobId('data-quality', 'lines', new Date(scheduledMillis));
    expect(result.executions).toContain(id);
    const execution = await finished(id);
    expect(await execution.getState()).toBe('completed');
    expect(execution.data.execution.windowEnd).toBe(new Date(scheduledMillis).toISOString());
    expect(calls.published).toContain(`lines@${new Date(scheduledMillis).toISOString()}`);
    await syncSchedulers(queue, []);
  });

  it('a tick catches up on scheduled times missed while no worker ran', async () => {
    writeCapture(1);
    const { kind } = lineCountKind();
    const m = monitor({ schedule: '0 * * * *', catchUp: 2 });
    const client = await queue.client;
    // The last tick this monitor saw was four hours before this one: three were missed, the latest two
    // are caught up; the tick itself runs years late, so the two hours after it are past as well.
    await client.hset(lastTickKey(queue), { lines: `0 * * * *|${hour('2024-03-01T06:00:00Z').getTime()}` });
    await queue.add(
      jobNames.tick,
      { monitor: m },
      { jobId: 'tick-test', prevMillis: hour('2024-03-01T10:00:00Z').getTime() },
    );
    await startWorker({ 'data-quality': kind });
    const tick = await finished('tick-test');
    expect(tick.failedReason).toBeUndefined();
    const ids = (tick.returnvalue as TickResult).executions;
    expect(ids).toEqual([
      'dq__lines__20240301T080000Z',
      'dq__lines__20240301T090000Z',
      'dq__lines__20240301T100000Z',
      'dq__lines__20240301T110000Z',
      'dq__lines__20240301T120000Z',
    ]);
    for (const id of ids) expect(await (await finished(id)).getState()).toBe('completed');
    expect(await client.hget(lastTickKey(queue), 'lines')).toBe(
      `0 * * * *|${hour('2024-03-01T12:00:00Z').getTime()}`,
    );
  });
});

describe('exactly one execution per (monitor, window)', () => {
  it('duplicate triggers, backfills over the window and re-enqueues after removal run it once', async () => {
    writeCapture(2);
    const { kind, calls } = lineCountKind();
    const m = monitor();
    const at = hour('2024-05-02T08:00:00Z');
    const a = await enqueueExecution(queue, m, at, 'schedule');
    const b = await enqueueExecution(queue, m, at, 'manual');
    expect(a).toMatchObject({ id: 'dq__lines__20240502T080000Z', added: true });
    expect(b).toMatchObject({ id: a.id, added: false });
    await startWorker({ 'data-quality': kind });
    const job = await finished(a.id);
    expect(job.returnvalue).toMatchObject({ status: 'Completed', recordsRead: 6, parts: 0 });

    const filled = await backfill(queue, m, {
      from: hour('2024-05-02T07:00:00Z'),
      to: hour('2024-05-02T10:00:00Z'),
    });
    expect(filled.executions.map((e) => [e.id, e.added])).toEqual([
      ['dq__lines__20240502T070000Z', true],
      ['dq__lines__20240502T080000Z', false],
      ['dq__lines__20240502T090000Z', true],
    ]);
    await finished('dq__lines__20240502T070000Z');
    await finished('dq__lines__20240502T090000Z');

    // Even when the job record is gone (retention), the stored summary stops a second execution.
    await job.remove();
    expect((await enqueueExecution(queue, m, at, 'manual')).added).toBe(true);
    const again = await finished(a.id);
    expect(again.returnvalue).toMatchObject({ status: 'Completed' });
    expect(calls.published.filter((p) => p === 'lines@2024-05-02T08:00:00.000Z')).toHaveLength(1);
    expect(calls.published).toHaveLength(3);
    expect(calls.list.filter((t) => t === '2024-05-02T08:00:00.000Z')).toHaveLength(1);
  });

  it('retries transient errors with backoff and fails permanent ones at once, keeping the reason', async () => {
    writeCapture(1);
    const { kind, calls } = lineCountKind({ transientFailures: 1 });
    await startWorker({ 'data-quality': kind });
    const ok = await enqueueExecution(queue, monitor(), hour('2024-05-02T08:00:00Z'), 'manual');
    const okJob = await finished(ok.id);
    expect(await okJob.getState()).toBe('completed');
    expect(okJob.attemptsMade).toBe(2);
    expect(calls.profile).toHaveLength(2);

    const broken = monitor({ name: 'broken', baseline: join(dir, 'no-baseline') });
    const bad = await enqueueExecution(queue, broken, hour('2024-05-02T08:00:00Z'), 'manual');
    const badJob = await finished(bad.id);
    expect(await badJob.getState()).toBe('failed');
    expect(badJob.attemptsMade).toBe(1);
    expect(badJob.failedReason).toMatch(
      /^E_CONFIG: .*no-baseline: baseline: baseline statistics\.json is missing/,
    );
    // Failed jobs stay for inspection, and a backfill over the window does not run it again...
    const filled = await backfill(queue, broken, {
      from: hour('2024-05-02T08:00:00Z'),
      to: hour('2024-05-02T09:00:00Z'),
    });
    expect(filled.executions[0]).toMatchObject({ added: false, state: 'failed' });
    // ...unless asked to retry failed ones (after the baseline was fixed).
    mkdirSync(join(dir, 'no-baseline'));
    writeFileSync(join(dir, 'no-baseline', 'statistics.json'), '{}');
    const retried = await backfill(
      queue,
      broken,
      { from: hour('2024-05-02T08:00:00Z'), to: hour('2024-05-02T09:00:00Z') },
      { retryFailed: true },
    );
    expect(retried.retried).toEqual([bad.id]);
    await waitForJob(queue, bad.id, { states: ['completed'] });
  });

  it('backfill --retry-failed re-runs windows recorded as Failed, by a job or by a stored result', async () => {
    // No capture yet: both windows complete with status Failed ("No captured data").
    const { kind, calls } = lineCountKind({ emptyIsFailed: true });
    await startWorker({ 'data-quality': kind });
    const m = monitor();
    const range = { from: hour('2024-05-02T08:00:00Z'), to: hour('2024-05-02T10:00:00Z') };
    const first = await backfill(queue, m, range);
    const [a, b] = first.executions.map((e) => e.id) as [string, string];
    for (const id of [a, b]) {
      const job = await finished(id);
      expect(await job.getState()).toBe('completed');
      expect(job.returnvalue).toMatchObject({ status: 'Failed', recordsRead: 0 });
    }
    // The second window's job is gone (retention, or the result was written by `driftwatch run`): only
    // its stored execution.json says Failed.
    await (await queue.getJob(b))?.remove();
    writeCapture(1);
    // Without --retry-failed both stay as they are: the job completed, the stored result is returned.
    const plain = await backfill(queue, m, range);
    expect(plain.executions.map((e) => [e.added, e.state])).toEqual([
      [false, 'completed'],
      [true, undefined],
    ]);
    expect((await finished(b)).returnvalue).toMatchObject({ status: 'Failed' });
    expect(calls.published).toHaveLength(2);
    await (await queue.getJob(b))?.remove();

    const retried = await backfill(queue, m, range, { retryFailed: true });
    expect(retried.retried).toEqual([a]);
    expect(retried.executions.map((e) => e.id)).toEqual([a, b]);
    for (const id of [a, b]) {
      const job = await waitForJob(queue, id, { states: ['completed'] });
      expect(job.returnvalue).toMatchObject({ status: 'Completed', recordsRead: 3 });
    }
    expect(calls.published).toHaveLength(4);
    // A window that completed is left alone by a later retry-failed backfill.
    const again = await backfill(queue, m, range, { retryFailed: true });
    expect(again.retried).toEqual([]);
  });
});

describe('split windows (flows)', () => {
  it('splits a window with more objects than the threshold into deterministic part jobs and merges them', async () => {
    writeCapture(5, 4);
    const { kind, calls } = lineCountKind();
    await startWorker({ 'data-quality': kind }, { concurrency: 3 });
    const m = monitor({ splitThreshold: 2, maxParts: 3 });
    const { id } = await enqueueExecution(queue, m, hour('2024-05-02T08:00:00Z'), 'manual');
    const job = await finished(id);
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue).toMatchObject({ status: 'Completed', recordsRead: 20, parts: 3 });
    for (let i = 0; i < 3; i++) {
      const part = await queue.getJob(partJobId(id, i));
      expect(part?.id).toBe(`${id}__part000${i}`);
      expect(part?.parentKey).toBe(`${settings.prefix}:${settings.name}:${id}`);
    }
    expect(calls.profile.map((p) => p.objects.length).sort()).toEqual([1, 2, 2]);
    expect(calls.published).toHaveLength(1);
    const stored = JSON.parse(
      await new RoutingStorage().readText(
        join(dir, 'out', 'ep', 'lines', '2024', '05', '02', '08', 'execution.json'),
      ),
    );
    expect(stored.partials).toBe(3);
    // Inputs are merged in part order (deterministic), whatever order the parts finished in.
    expect(stored.inputs.map((o: { uri: string }) => o.uri.split('/').pop())).toEqual([
      'f000.jsonl',
      'f001.jsonl',
      'f002.jsonl',
      'f003.jsonl',
      'f004.jsonl',
    ]);
  });

  it('a part that fails permanently fails its execution', async () => {
    writeCapture(3);
    const { kind } = lineCountKind();
    const failing: Kinds = {
      'data-quality': {
        ...kind,
        parts: {
          ...kind.parts!,
          profile: async (job, objects, deps) => {
            if (objects.some((o) => o.uri.endsWith('f001.jsonl'))) {
              const { InputError } = await import('../../src/core/errors.js');
              throw new InputError('f001.jsonl cannot be read');
            }
            return kind.parts!.profile(job, objects, deps);
          },
        },
      },
    };
    await startWorker(failing);
    const { id } = await enqueueExecution(
      queue,
      monitor({ splitThreshold: 1 }),
      hour('2024-05-02T08:00:00Z'),
      'manual',
    );
    const job = await finished(id);
    expect(await job.getState()).toBe('failed');
    const part = await queue.getJob(partJobId(id, 1));
    expect(part?.failedReason).toMatch(/E_INPUT: f001\.jsonl cannot be read/);
  });
});

describe('the worker service', () => {
  it('hands an active job back on close (no attempt used) and another worker completes it', async () => {
    writeCapture(1);
    let started = false;
    const blocking = lineCountKind({ blockUntilAborted: true, onProfileStart: () => (started = true) });
    const first = await startWorker({ 'data-quality': blocking.kind }, { shutdownTimeoutMs: 100 });
    const { id } = await enqueueExecution(queue, monitor(), hour('2024-05-02T08:00:00Z'), 'manual');
    await waitFor(() => started, { what: 'the execution to start' });
    const closing = first.close();
    expect(first.close()).toBe(closing);
    await closing;
    expect(first.state).toBe('closed');
    const handedBack = await queue.getJob(id);
    expect(['delayed', 'waiting']).toContain(await handedBack?.getState());
    expect(handedBack?.attemptsMade).toBe(0);

    const { kind, calls } = lineCountKind();
    await startWorker({ 'data-quality': kind });
    const job = await finished(id);
    expect(await job.getState()).toBe('completed');
    expect(calls.published).toEqual(['lines@2024-05-02T08:00:00.000Z']);
  });

  it('closes promptly when Redis cannot be reached (a stop during start-up does not wait for Redis)', async () => {
    const { freePort } = await import('../support/services.js');
    const service = new WorkerService({
      redis: `redis://127.0.0.1:${await freePort()}`,
      queue: settings,
      storage: new RoutingStorage(),
    });
    const starting = service.start();
    expect(service.state).toBe('starting');
    const started = Date.now();
    await service.close();
    await starting;
    await service.closed;
    expect(service.state).toBe('closed');
    expect(Date.now() - started).toBeLessThan(15_000);
    await expect(service.start()).rejects.toThrow(/cannot start a worker service that is closed/);
  });

  it('a close at any moment of a start-up that cannot reach Redis leaves no unhandled rejection behind', async () => {
    const { freePort } = await import('../support/services.js');
    const unhandled = await collectUnhandledRejections(async () => {
      for (const delayMs of [0, 5, 60, 250, 700]) {
        const service = new WorkerService({
          redis: `redis://127.0.0.1:${await freePort()}`,
          queue: settings,
          storage: new RoutingStorage(),
        });
        const starting = service.start();
        await sleep(delayMs);
        await service.close();
        await expect(starting).resolves.toBeUndefined();
      }
    });
    expect(unhandled).toEqual([]);
  });

  it('closeQueue right after openQueue leaves no unhandled rejection, with Redis up or unreachable', async () => {
    const { freePort } = await import('../support/services.js');
    const unreachable = `redis://127.0.0.1:${await freePort()}`;
    const unhandled = await collectUnhandledRejections(async () => {
      for (const [redis, delayMs] of [
        [redisUrl(), 0],
        [redisUrl(), 1],
        [unreachable, 0],
        [unreachable, 30],
      ] as const) {
        await sleep(delayMs);
        await closeQueue(openQueue({ redis, queue: uniqueQueueSettings() }));
      }
    });
    expect(unhandled).toEqual([]);
  });

  it('reports progress while an execution runs, and status lists monitors and executions', async () => {
    writeCapture(3);
    const { kind } = lineCountKind();
    const progress: unknown[] = [];
    const service = await startWorker({ 'data-quality': kind });
    service.worker?.on('progress', (_job, p) => progress.push(p));
    const m = monitor();
    const { id } = await enqueueExecution(queue, m, hour('2024-05-02T08:00:00Z'), 'manual');
    await finished(id);
    expect(progress).toContainEqual({ objectsDone: 3, objectsTotal: 3, recordsRead: 9 });
    // An old backfilled window that failed (its baseline is gone), and a scheduler whose monitor left.
    const brokenMonitor = monitor({ baseline: join(dir, 'missing') });
    const failed = await enqueueExecution(queue, brokenMonitor, hour('2020-01-01T00:00:00Z'), 'backfill');
    await finished(failed.id);
    await syncSchedulers(queue, [m, monitor({ name: 'gone' })]);
    await syncSchedulers(queue, [m]);
    await queue.upsertJobScheduler(schedulerId('orphan'), { pattern: '0 * * * *' }, { name: jobNames.tick });
    const report = await collectStatus(queue, [m], { now: hour('2024-05-02T09:30:00Z'), last: 2 });
    expect(report.orphanSchedulers).toEqual(['orphan']);
    expect(report.monitors[0]).toMatchObject({ name: 'lines', scheduled: true });
    // The newest executions that exist (09:00 never ran; the old backfilled one did), each failure once.
    expect(report.monitors[0]?.executions).toEqual([
      expect.objectContaining({
        id,
        state: 'completed',
        result: expect.objectContaining({ status: 'Completed' }),
      }),
      expect.objectContaining({
        id: failed.id,
        state: 'failed',
        failedReason: expect.stringMatching(/^E_CONFIG: .*statistics\.json is missing[^\n]*$/),
      }),
    ]);
    expect(report.monitors[0]?.recentFailures).toEqual([]);
    expect(report.queue.counts.completed).toBeGreaterThanOrEqual(1);
    const text = formatStatus(report);
    expect(text).toContain('lines  (data-quality, cron(0 * ? * * *))  next ');
    expect(text).toMatch(/2024-05-02T08:00:00.000Z {2}completed {7}Completed, 0 violations, 9 records/);
    expect(text.match(/statistics\.json is missing/g)).toHaveLength(1);
    expect(text).not.toContain('2024-05-02T09:00:00.000Z');
    // With last: 1, the older failure is listed once, under recent failures.
    const one = formatStatus(await collectStatus(queue, [m], { now: hour('2024-05-02T09:30:00Z'), last: 1 }));
    expect(one).toContain(`lines: recent failures\n  2020-01-01T00:00:00.000Z  ${failed.id}  E_CONFIG: `);
    expect(one.match(/statistics\.json is missing/g)).toHaveLength(1);
    // Gone from the queue (retention), an execution whose summary is in storage still shows ('done');
    // storage that cannot be read is said once for the monitor, not on every row.
    await (await queue.getJob(id))?.remove();
    const kinds = loaders({ 'data-quality': kind });
    const fromStorage = await collectStatus(queue, [m], { last: 2, storage: new RoutingStorage(), kinds });
    expect(fromStorage.monitors[0]?.executions.map((e) => [e.id, e.state])).toEqual([
      [id, 'done'],
      [failed.id, 'failed'],
    ]);
    const broken = new RoutingStorage();
    const fail = () => {
      throw new Error('AccessDenied: no s3:ListBucket\n    at stack line');
    };
    Object.assign(broken, { listFolders: fail, head: fail });
    const unreadable = await collectStatus(queue, [m], { last: 5, storage: broken, kinds });
    expect(unreadable.monitors[0]?.storageError).toBe('AccessDenied: no s3:ListBucket');
    expect(formatStatus(unreadable).match(/AccessDenied/g)).toHaveLength(1);
    expect(text).toContain(
      'schedulers of monitors not in the config (run driftwatch schedule to remove them): orphan',
    );
    await syncSchedulers(queue, []);
    expect(await listSchedulers(queue)).toEqual([]);
  });
});

describe('redisOptionsFromUrl (pure)', () => {
  it('reads password, user, database and TLS; workers wait for Redis, clients fail fast', () => {
    const worker = redisOptionsFromUrl('rediss://user:p%40ss@cache.example.com:6380/2', 'worker');
    expect(worker).toMatchObject({
      host: 'cache.example.com',
      port: 6380,
      db: 2,
      username: 'user',
      password: 'p@ss',
      tls: { servername: 'cache.example.com' },
      maxRetriesPerRequest: null,
    });
    // A worker keeps trying, at least once a second (back soon after a Redis restart).
    expect([1, 2, 3, 4, 10, 1_000].map((n) => worker.retryStrategy?.(n))).toEqual([
      200, 400, 800, 1_000, 1_000, 1_000,
    ]);
    const client = redisOptionsFromUrl('redis://:secret@127.0.0.1', 'client');
    expect(client).toMatchObject({
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      password: 'secret',
      maxRetriesPerRequest: 2,
    });
    expect(client.tls).toBeUndefined();
    expect(client.retryStrategy?.(10)).toBeNull();
    expect(() => redisOptionsFromUrl('http://x', 'client')).toThrow(/expected redis:\/\/ or rediss:\/\//);
    expect(() => redisOptionsFromUrl('redis://x/abc', 'client')).toThrow(/bad database number/);
    expect(redactRedisUrl('redis://:secret@host:1/0')).toBe('redis://:***@host:1/0');
  });

  it('connects over TLS (rediss://) with a password, to a real Redis with a self-signed certificate', async () => {
    const { execFileSync, spawn } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const { freePort } = await import('../support/services.js');
    const certDir = mkdtempSync(join(tmpdir(), 'dw-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const port = await freePort();
    const server = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--requirepass',
        'tls-pw',
        '--tls-cert-file',
        join(certDir, 'cert.pem'),
        '--tls-key-file',
        join(certDir, 'key.pem'),
        '--tls-auth-clients',
        'no',
      ],
      { stdio: 'ignore' },
    );
    const tlsQueue = openQueue({
      redis: {
        url: `rediss://:tls-pw@127.0.0.1:${port}`,
        tls: { ca: readFileSync(join(certDir, 'cert.pem')) },
      },
      queue: uniqueQueueSettings(),
    });
    try {
      await waitFor(
        async () => {
          await tlsQueue.add('probe', {}, { jobId: 'probe' });
          return (await tlsQueue.getJobCounts('waiting')).waiting === 1;
        },
        { what: 'a TLS connection' },
      );
    } finally {
      await closeQueue(tlsQueue);
      server.kill('SIGTERM');
    }
  });

  it('connects with a password to a real Redis that requires one', async () => {
    const { spawn } = await import('node:child_process');
    const { freePort } = await import('../support/services.js');
    const port = await freePort();
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--requirepass', 's3cret'],
      {
        stdio: 'ignore',
      },
    );
    const q = openQueue({ redis: `redis://:s3cret@127.0.0.1:${port}`, queue: uniqueQueueSettings() });
    try {
      await waitFor(async () => (await q.getJobCounts('waiting')).waiting === 0, {
        what: 'an authenticated connection',
      });
    } finally {
      await q.close();
      server.kill('SIGTERM');
    }
  });
});

describe('job ids', () => {
  it('are deterministic, contain no colon and are not integers', () => {
    const id = executionJobId('data-quality', 'm-1.a_b', new Date('2024-05-02T08:00:00Z'));
    expect(id).toBe('dq__m-1.a_b__20240502T080000Z');
    expect(executionJobId('model-quality', 'm', new Date('2024-05-02T08:00:07.123Z'))).toBe(
      'mq__m__20240502T080007Z',
    );
    expect(partJobId(id, 12)).toBe(`${id}__part0012`);
    expect(`${id}${partJobId(id, 1)}${schedulerId('m')}`).not.toContain(':');
  });
});
