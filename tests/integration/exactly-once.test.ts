/**
 * Exactly once, with real worker processes (the built CLI), real Redis and CloudWatch on moto_server: a
 * worker killed at each step of a publication (before the first PutMetricData call, between batches, after
 * the last call but before it is recorded: `DRIFTWATCH_TEST_CRASH_AT`) is replaced by another one, and
 * every metric of the window then has exactly the datum an uninterrupted run gives it (SampleCount, Sum,
 * Minimum, Maximum), and `metricsPublished` counts every datum of the window. A worker killed (SIGKILL)
 * mid-execution loses its job to a live worker within seconds, long before its 30 s lock expires (liveness
 * stamps); one only paused (SIGSTOP) past its liveness loses it the same way and publishes nothing after.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CloudWatchClient,
  type Dimension,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type MonitorConfig, parseMonitorsConfig, type QueueSettings } from '../../src/config/monitors.js';
import type { ExecutionResult } from '../../src/jobs/payloads.js';
import { closeQueue, enqueueExecution, openQueue } from '../../src/jobs/queue.js';
import { reportPrefix } from '../../src/monitor/report-prefix.js';
import { awsEndpoint, testCloudWatchClient } from '../support/aws.js';
import { lastJson, runCli } from '../support/cli.js';
import { type MonitorData, prepareMonitorData } from '../support/monitor-data.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitFor, waitForJob } from '../support/queues.js';
import { type RunningService, startRedis } from '../support/services.js';
import { assertBuilt, serviceEnv, spawnWorker, type WorkerProcess } from '../support/worker-process.js';

const NAMESPACE = 'aws/sagemaker/Endpoints/data-metrics';
// CloudWatch keeps datapoints up to two weeks old: the window is yesterday's.
const yesterday = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
const windowStart = new Date(yesterday.getTime() + 9 * 3_600_000);
const scheduledTime = new Date(windowStart.getTime() + 3_600_000);

const workers: WorkerProcess[] = [];
const queues: Array<{ queue: Queue; settings: QueueSettings }> = [];
let dir: string;
let data: MonitorData;
let cloudwatch: CloudWatchClient;
/** Statistics per metric (name and non-schedule dimensions) of an uninterrupted run. */
let reference: Map<string, Stats>;

interface Stats {
  points: number;
  SampleCount: number;
  Sum: number;
  Minimum: number;
  Maximum: number;
}

beforeAll(async () => {
  assertBuilt();
  cloudwatch = testCloudWatchClient();
  dir = mkdtempSync(join(tmpdir(), 'dw-exactly-'));
  data = await prepareMonitorData(dir, { records: 3000, files: 3, windowStart });
  const { job } = await runWindow(`ref-${randomUUID().slice(0, 8)}`, undefined);
  reference = await windowMetrics(job.scheduleName);
}, 120_000);

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
  for (const { queue, settings } of queues.splice(0)) {
    await closeQueue(queue);
    await cleanupQueue(settings);
  }
});

afterAll(() => cloudwatch?.destroy());

function metricKey(name: string, dimensions: Dimension[]): string {
  const dims = dimensions
    .filter((d) => d.Name !== 'MonitoringSchedule')
    .map((d) => `${d.Name}=${d.Value}`)
    .sort();
  return [name, ...dims].join('|');
}

/** Every metric of the schedule's window in CloudWatch, with its statistics over the window's hour. */
async function windowMetrics(scheduleName: string): Promise<Map<string, Stats>> {
  const out = new Map<string, Stats>();
  let token: string | undefined;
  do {
    const listed = await cloudwatch.send(
      new ListMetricsCommand({
        Namespace: NAMESPACE,
        Dimensions: [{ Name: 'MonitoringSchedule', Value: scheduleName }],
        NextToken: token,
      }),
    );
    for (const metric of listed.Metrics ?? []) {
      const answer = await cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: NAMESPACE,
          MetricName: metric.MetricName,
          Dimensions: metric.Dimensions,
          StartTime: new Date(scheduledTime.getTime() - 3_600_000),
          EndTime: new Date(scheduledTime.getTime() + 3_600_000),
          Period: 60,
          Statistics: ['SampleCount', 'Sum', 'Minimum', 'Maximum'],
        }),
      );
      const points = answer.Datapoints ?? [];
      out.set(metricKey(metric.MetricName as string, metric.Dimensions ?? []), {
        points: points.length,
        SampleCount: points.reduce((n, p) => n + (p.SampleCount ?? 0), 0),
        Sum: points.reduce((n, p) => n + (p.Sum ?? 0), 0),
        Minimum: Math.min(...points.map((p) => p.Minimum ?? Number.POSITIVE_INFINITY)),
        Maximum: Math.max(...points.map((p) => p.Maximum ?? Number.NEGATIVE_INFINITY)),
      });
    }
    token = listed.NextToken;
  } while (token);
  return out;
}

/**
 * Runs the window of monitor `name` on a worker; with `crashAt`, a first worker dies there (SIGKILL) and
 * a second one finishes the job.
 */
function writeMonitor(
  name: string,
  settings: QueueSettings,
  monitorData = data,
  extra: Record<string, unknown> = {},
) {
  const document = {
    queue: settings,
    monitors: [
      {
        name,
        endpoint: monitorData.endpoint,
        capture: monitorData.captureUri,
        baseline: monitorData.baselineUri,
        output: monitorData.outputUri,
        schedule: 'cron(0 * ? * * *)',
        cloudwatch: true,
        retry: { attempts: 3, backoffMs: 100 },
        ...extra,
      },
    ],
  };
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, YAML.stringify(document));
  return { path, monitor: parseMonitorsConfig(document, path).monitors[0] as MonitorConfig };
}

async function runWindow(name: string, crashAt: string | undefined) {
  const settings = uniqueQueueSettings();
  const { path, monitor } = writeMonitor(name, settings);
  const queue = openQueue({ redis: redisUrl(), queue: settings, role: 'worker' });
  queues.push({ queue, settings });
  const env = serviceEnv(awsEndpoint(), redisUrl());
  const args = ['--config', path, '--stalled-interval-ms', '500', '--metrics-settle-ms', '15000'];
  const { id } = await enqueueExecution(queue, monitor, scheduledTime, 'backfill');
  let first: WorkerProcess | undefined;
  if (crashAt) {
    // A short lock, so the second worker takes the job over soon after the first died; not shorter: with
    // 1.5 s the between-batches case failed once on a loaded machine (2 cores, load 15) with 'job stalled
    // more than allowable limit' (a lock that short can expire under the live first worker).
    first = spawnWorker([...args, '--lock-duration-ms', '4000'], {
      ...env,
      DRIFTWATCH_TEST_CRASH_AT: crashAt,
      // Several PutMetricData calls per window, so that there is a "between".
      DRIFTWATCH_TEST_MAX_DATUMS_PER_CALL: '25',
    });
    workers.push(first);
    expect((await first.exited).signal).toBe('SIGKILL');
  }
  const second = spawnWorker([...args, '--lock-duration-ms', '30000'], env);
  workers.push(second);
  const job = await waitForJob(queue, id, { timeoutMs: 90_000, intervalMs: 100 });
  expect(job.failedReason).toBeUndefined();
  return {
    job: { scheduleName: name },
    result: job.returnvalue as ExecutionResult,
    first,
    second,
  };
}

describe('a worker killed at each step of a publication', () => {
  for (const point of ['publish:before-first-call', 'publish:between-batches', 'publish:before-record']) {
    it(`at ${point}: every metric of the window has exactly one datum, as in an uninterrupted run`, async () => {
      const name = `crash-${randomUUID().slice(0, 8)}`;
      const { result, second } = await runWindow(name, point);
      const metrics = await windowMetrics(name);
      // Batch markers exist only in the cut publication; everything else matches the reference exactly.
      const markers = [...metrics.keys()].filter((k) => k.startsWith('driftwatch_publication_batch'));
      expect(markers.length).toBeGreaterThanOrEqual(2);
      for (const k of markers) expect(metrics.get(k)).toMatchObject({ points: 1, SampleCount: 1 });
      const rest = new Map([...metrics].filter(([k]) => !markers.includes(k)));
      expect(rest.size).toBe(reference.size);
      expect(reference.size).toBeGreaterThan(30);
      for (const [key, stats] of reference) expect(rest.get(key), key).toEqual(stats);
      for (const stats of rest.values()) expect(stats.points).toBe(1);
      // Every datum of the window, whichever attempt sent it.
      const datums = [...metrics.values()].reduce((n, s) => n + s.points, 0);
      expect(result.metricsPublished).toBe(datums);
      if (point === 'publish:before-first-call') {
        // The claim was young and its batch absent: the job waited delayed, not in a worker slot.
        expect(second.logs.some((l) => /may have sent batch 1\//.test(String(l.msg)))).toBe(true);
      }
    }, 150_000);
  }
});

describe('a worker whose lock expires while it runs (Redis paused)', () => {
  let redis: RunningService | undefined;
  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  it('stops and publishes nothing; a second worker completes the window, every metric once', async () => {
    redis = await startRedis();
    const url = redis.url;
    const big = await prepareMonitorData(join(dir, 'big'), { records: 64_000, files: 16, windowStart });
    const name = `lock-${randomUUID().slice(0, 8)}`;
    const settings = uniqueQueueSettings();
    const { path, monitor } = writeMonitor(name, settings, big);
    const queue = openQueue({ redis: url, queue: settings, role: 'worker' });
    const env = serviceEnv(awsEndpoint(), url);
    const args = ['--config', path, '--stalled-interval-ms', '500', '--progress-interval-ms', '0'];
    try {
      const { id } = await enqueueExecution(queue, monitor, scheduledTime, 'backfill');
      const first = spawnWorker([...args, '--lock-duration-ms', '2000'], env);
      workers.push(first);
      await waitFor(
        async () => {
          const p = (await queue.getJob(id))?.progress as { objectsDone?: number } | undefined;
          return (p?.objectsDone ?? 0) >= 1 ? p : undefined;
        },
        { intervalMs: 20, what: 'progress of the first worker' },
      );
      // Nobody reaches Redis for 5 s: the first worker's 2 s lock expires meanwhile.
      const pauser = new Redis(url, { maxRetriesPerRequest: null });
      await pauser.call('CLIENT', 'PAUSE', '5000', 'ALL');
      pauser.disconnect();
      await first.waitForLog((l) => l.msg === 'job stopped: its lock was lost', 30_000);
      expect(first.logs.some((l) => String(l.msg).startsWith('lock lost:'))).toBe(true);
      // It wrote and published nothing: no claim, no report of the window yet.
      const prefix = reportPrefix({
        ...monitor,
        outputUri: big.outputUri,
        scheduleName: name,
        scheduledTime: scheduledTime.toISOString(),
      });
      expect(() => readdirSync(prefix)).toThrow();
      // Gone before Redis is back (the pause lasts 5 s), so it cannot take the job again either.
      expect((await first.stop('SIGKILL')).signal).toBe('SIGKILL');

      const second = spawnWorker([...args, '--lock-duration-ms', '30000'], env);
      workers.push(second);
      const job = await waitForJob(queue, id, { timeoutMs: 90_000, intervalMs: 100 });
      expect(job.failedReason).toBeUndefined();
      expect(first.logs.some((l) => l.msg === 'execution finished')).toBe(false);
      expect(second.logs.some((l) => l.jobId === id && l.msg === 'execution finished')).toBe(true);
      const claim = JSON.parse(readFileSync(join(prefix, '.metrics-claim'), 'utf8'));
      expect(claim.by).toContain(`pid ${second.child.pid}`);
      expect(claim.token).toEqual(expect.any(String));
      const metrics = await windowMetrics(name);
      expect(metrics.size).toBeGreaterThan(30);
      for (const [key, stats] of metrics) expect(stats, key).toMatchObject({ points: 1 });
      expect(
        metrics.get(metricKey('driftwatch_execution_completed', [{ Name: 'Endpoint', Value: big.endpoint }])),
      ).toMatchObject({ SampleCount: 1, Sum: 1 });
      expect((job.returnvalue as ExecutionResult).metricsPublished).toBe(metrics.size);
    } finally {
      await closeQueue(queue);
    }
  }, 180_000);
});

describe('a window whose part stalled past the limit', () => {
  it('fails, and `backfill --retry-failed` rebuilds its flow and completes it', async () => {
    const name = `stall-${randomUUID().slice(0, 8)}`;
    const settings = uniqueQueueSettings();
    const { path, monitor } = writeMonitor(name, settings, data, { splitThreshold: 1 });
    const queue = openQueue({ redis: redisUrl(), queue: settings, role: 'worker' });
    queues.push({ queue, settings });
    const env = serviceEnv(awsEndpoint(), redisUrl());
    // No stall allowed: the first time a part loses its worker, it fails, and its window with it.
    const args = ['--config', path, '--stalled-interval-ms', '500', '--max-stalled-count', '0'];
    const { id } = await enqueueExecution(queue, monitor, scheduledTime, 'backfill');
    const first = spawnWorker([...args, '--lock-duration-ms', '1000'], {
      ...env,
      DRIFTWATCH_TEST_CRASH_AT: 'part:start',
    });
    workers.push(first);
    expect((await first.exited).signal).toBe('SIGKILL');
    const second = spawnWorker([...args, '--lock-duration-ms', '30000'], env);
    workers.push(second);
    const failed = await waitForJob(queue, id, { timeoutMs: 60_000, intervalMs: 100 });
    expect(await failed.getState()).toBe('failed');
    expect(failed.failedReason).toMatch(/child/i);

    const to = new Date(scheduledTime.getTime() + 3_600_000).toISOString();
    const backfill = await runCli(
      ['backfill', '--config', path, '--monitor', name, '--from', scheduledTime.toISOString(), '--to', to],
      { env: { ...env, REDIS_URL: redisUrl() } },
    );
    expect(backfill.code, backfill.stderr).toBe(0);
    expect(backfill.stdout).toContain('already failed');
    const retried = await runCli(
      [
        'backfill',
        '--config',
        path,
        '--monitor',
        name,
        '--from',
        scheduledTime.toISOString(),
        '--to',
        to,
        '--retry-failed',
        '--json',
      ],
      { env: { ...env, REDIS_URL: redisUrl() } },
    );
    expect(retried.code, retried.stderr).toBe(0);
    expect(lastJson<{ retried: string[] }>(retried.stdout).retried).toEqual([id]);
    const job = await waitFor(
      async () => {
        const j = await queue.getJob(id);
        return j && (await j.getState()) === 'completed' ? j : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 200, what: 'the retried window to complete' },
    );
    expect((job.returnvalue as ExecutionResult).status).toMatch(/^Completed/);
    const metrics = await windowMetrics(name);
    expect(metrics.size).toBe(reference.size);
    for (const [key, stats] of reference) expect(metrics.get(key), key).toEqual(stats);
  }, 180_000);
});

describe('a dead worker found by its liveness stamp (lock 30 s, liveness 3 s)', () => {
  /**
   * A first worker takes a window of 64k records and is stopped by `signal` while it reads; a second one,
   * already running, must release its lock and take the job well before the 30 s lock would expire.
   */
  async function takeOver(signal: 'SIGKILL' | 'SIGSTOP') {
    const big = await prepareMonitorData(join(dir, `big-${signal}`), {
      records: 64_000,
      files: 16,
      windowStart,
    });
    const name = `alive-${randomUUID().slice(0, 8)}`;
    const settings = uniqueQueueSettings();
    const { path, monitor } = writeMonitor(name, settings, big);
    const queue = openQueue({ redis: redisUrl(), queue: settings, role: 'worker' });
    queues.push({ queue, settings });
    const env = serviceEnv(awsEndpoint(), redisUrl());
    const args = ['--config', path, '--lock-duration-ms', '30000', '--progress-interval-ms', '0'];
    // Two workers; whichever takes the job is stopped as soon as it starts the execution.
    const both = [spawnWorker(args, env), spawnWorker(args, env)] as const;
    workers.push(...both);
    await Promise.all(both.map((w) => w.waitForLog((l) => l.msg === 'worker started')));
    const { id } = await enqueueExecution(queue, monitor, scheduledTime, 'backfill');
    const running = (w: WorkerProcess) => w.logs.some((l) => l.jobId === id && l.msg === 'execution started');
    await waitFor(() => both.some(running) || undefined, {
      intervalMs: 5,
      what: 'a worker to start the job',
    });
    const [first, second] = running(both[0]) ? both : [both[1], both[0]];
    const stoppedAt = Date.now();
    first.child.kill(signal);
    // The second worker's reaper releases the lock and moves the job back to wait; it then runs it.
    const released = await second.waitForLog(
      (l) => l.jobId === id && String(l.msg).includes('released its lock'),
      25_000,
    );
    const takeoverMs = (released.time as number) - stoppedAt;
    expect(first.logs.some((l) => l.msg === 'execution finished')).toBe(false);
    await second.waitForLog((l) => l.jobId === id && l.msg === 'execution started', 25_000);
    return { big, name, monitor, queue, id, first, second, takeoverMs };
  }

  async function expectOnePublication(name: string, endpoint: string, result: ExecutionResult) {
    const metrics = await windowMetrics(name);
    expect(metrics.size).toBeGreaterThan(30);
    for (const [key, stats] of metrics) expect(stats, key).toMatchObject({ points: 1 });
    expect(
      metrics.get(metricKey('driftwatch_execution_completed', [{ Name: 'Endpoint', Value: endpoint }])),
    ).toMatchObject({ SampleCount: 1, Sum: 1 });
    expect(result.metricsPublished).toBe(metrics.size);
  }

  it('SIGKILL mid-execution: a live worker takes the job over in seconds; one publication', async () => {
    const { big, name, queue, id, first, second, takeoverMs } = await takeOver('SIGKILL');
    // Liveness 3 s, reaper every 1 s: ~3-4 s, against 30 s for the lock to expire.
    expect(takeoverMs).toBeLessThan(8_000);
    console.log(`takeover after SIGKILL: ${takeoverMs} ms`);
    const job = await waitForJob(queue, id, { timeoutMs: 90_000, intervalMs: 100 });
    expect(job.failedReason).toBeUndefined();
    expect(first.logs.some((l) => l.msg === 'execution finished')).toBe(false);
    expect(second.logs.some((l) => l.jobId === id && l.msg === 'execution finished')).toBe(true);
    await expectOnePublication(name, big.endpoint, job.returnvalue as ExecutionResult);
  }, 180_000);

  it('SIGSTOP past the liveness: the job is taken over; resumed, the paused worker publishes nothing', async () => {
    const { big, name, queue, id, first, second, takeoverMs } = await takeOver('SIGSTOP');
    console.log(`takeover after SIGSTOP: ${takeoverMs} ms`);
    expect(takeoverMs).toBeLessThan(8_000);
    // Resumed while the second worker runs the job: its lock is gone, so it stops at once.
    first.child.kill('SIGCONT');
    await first.waitForLog((l) => l.jobId === id && l.msg === 'job stopped: its lock was lost', 30_000);
    const job = await waitForJob(queue, id, { timeoutMs: 90_000, intervalMs: 100 });
    expect(job.failedReason).toBeUndefined();
    expect(first.logs.some((l) => l.msg === 'execution finished')).toBe(false);
    expect(second.logs.some((l) => l.jobId === id && l.msg === 'execution finished')).toBe(true);
    // Whether it was stopped while reading or after its claim, the window has each datum once.
    expect(first.logs.some((l) => l.jobId === id && String(l.msg).startsWith('lock lost:'))).toBe(true);
    await expectOnePublication(name, big.endpoint, job.returnvalue as ExecutionResult);
  }, 180_000);
});
