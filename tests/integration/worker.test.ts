/**
 * `driftwatch worker` processes end to end: the real data-quality pipeline on generated capture files,
 * real Redis, CloudWatch on moto_server. Covers the issue's "done when": a worker killed with SIGKILL in
 * the middle of an execution (another worker completes it; one report set; metrics published once),
 * Redis restarted while a worker is idle and while it works (no scheduled execution lost), and a split
 * window on two worker processes giving the same reports as one process.
 * (A scheduler firing within a second of its cron time is in jobs.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import type { Job, Queue } from 'bullmq';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type MonitorConfig, parseMonitorsConfig, type QueueSettings } from '../../src/config/monitors.js';
import { silentLogger } from '../../src/core/log.js';
import { RoutingStorage } from '../../src/io/storage.js';
import { executionJobId } from '../../src/jobs/ids.js';
import { type ExecutionResult, jobNames } from '../../src/jobs/payloads.js';
import { closeQueue, enqueueExecution, openQueue, syncSchedulers } from '../../src/jobs/queue.js';
import { runExecution } from '../../src/monitor/data-quality.js';
import { reportPrefix } from '../../src/monitor/report-prefix.js';
import { awsEndpoint, testCloudWatchClient } from '../support/aws.js';
import { type MonitorData, prepareMonitorData } from '../support/monitor-data.js';
import { type PersistentRedis, startPersistentRedis } from '../support/persistent-redis.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitFor, waitForJob } from '../support/queues.js';
import { assertBuilt, serviceEnv, spawnWorker, type WorkerProcess } from '../support/worker-process.js';

// CloudWatch keeps datapoints up to two weeks old: the windows are yesterday's.
const yesterday = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
const windowStart = new Date(yesterday.getTime() + 7 * 3_600_000);
const scheduledTime = new Date(windowStart.getTime() + 3_600_000);

const workers: WorkerProcess[] = [];
const queues: Array<{ queue: Queue; settings: QueueSettings; url: string }> = [];
const redisServers: PersistentRedis[] = [];

beforeAll(() => assertBuilt());

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
  for (const { queue, settings, url } of queues.splice(0)) {
    await closeQueue(queue);
    if (!redisServers.some((r) => r.url === url)) await cleanupQueue(settings, url);
  }
  await Promise.all(redisServers.splice(0).map((r) => r.destroy()));
});

function writeConfig(
  dir: string,
  settings: QueueSettings,
  monitors: Array<Record<string, unknown>>,
): {
  path: string;
  monitors: MonitorConfig[];
} {
  const document = { queue: settings, monitors };
  const path = join(dir, 'monitors.yaml');
  writeFileSync(path, YAML.stringify(document));
  return { path, monitors: parseMonitorsConfig(document, path).monitors };
}

function monitorEntry(data: MonitorData, overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    endpoint: data.endpoint,
    capture: data.captureUri,
    baseline: data.baselineUri,
    output: data.outputUri,
    schedule: 'cron(0 * ? * * *)',
    retry: { attempts: 3, backoffMs: 100 },
    ...overrides,
  };
}

function openTestQueue(url: string, settings: QueueSettings): Queue {
  // 'worker' connections wait through a Redis restart instead of failing.
  const queue = openQueue({ redis: url, queue: settings, role: 'worker' });
  queues.push({ queue, settings, url });
  return queue;
}

async function finished(queue: Queue, id: string, timeoutMs = 60_000): Promise<Job> {
  return await waitForJob(queue, id, { timeoutMs, intervalMs: 100 });
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

describe('a worker killed with SIGKILL in the middle of an execution', () => {
  it('is replaced by another worker that completes it: one report set, metrics published once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-kill-'));
    const data = await prepareMonitorData(dir, { records: 96_000, files: 16, windowStart });
    const settings = uniqueQueueSettings();
    const scheduleName = `kill-${randomUUID().slice(0, 8)}`;
    const { path, monitors } = writeConfig(dir, settings, [
      monitorEntry(data, { name: scheduleName, cloudwatch: true, splitThreshold: 1000 }),
    ]);
    const monitor = monitors[0] as MonitorConfig;
    const queue = openTestQueue(redisUrl(), settings);
    const env = serviceEnv(awsEndpoint(), redisUrl());
    // The first worker's short lock is what lets another worker take its job over soon after it dies; the
    // second worker checks for stalled jobs often and keeps a long lock of its own (a busy machine may
    // delay its lock renewals).
    const args = ['--config', path, '--stalled-interval-ms', '500', '--progress-interval-ms', '0'];

    const { id } = await enqueueExecution(queue, monitor, scheduledTime, 'backfill');
    const first = spawnWorker([...args, '--lock-duration-ms', '2000'], env);
    workers.push(first);
    // Kill it once it has profiled some, but not all, of the window's objects.
    const progress = await waitFor(
      async () => {
        const p = (await queue.getJob(id))?.progress as
          | { objectsDone?: number; objectsTotal?: number }
          | undefined;
        if (p?.objectsDone !== undefined && p.objectsDone >= (p.objectsTotal ?? 0))
          throw new Error('finished too soon');
        return p && typeof p.objectsDone === 'number' && p.objectsDone >= 1 ? p : undefined;
      },
      { intervalMs: 20, what: 'progress of the first worker' },
    );
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(progress.objectsDone).toBeLessThan(progress.objectsTotal as number);
    const reportDir = reportPrefix({
      ...monitor,
      outputUri: data.outputUri,
      scheduleName,
      scheduledTime: scheduledTime.toISOString(),
    });
    expect(() => readdirSync(reportDir)).toThrow();

    // The second worker profiles on two threads (`--threads`), the first on one (the default).
    const second = spawnWorker([...args, '--lock-duration-ms', '30000', '--threads', '2'], env);
    workers.push(second);
    const job = await finished(queue, id);
    expect(job.failedReason).toBeUndefined();
    expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
    const result = job.returnvalue as ExecutionResult;
    expect(result.recordsRead).toBe(96_000);
    expect(result.metricsPublished).toBeGreaterThan(0);
    expect(second.logs.some((l) => l.jobId === id && l.msg === 'execution started')).toBe(true);

    // Exactly one report set for the window, and nothing else under the output.
    expect(filesUnder(data.outputUri)).toEqual(
      [
        '.metrics-batch-1',
        '.metrics-claim',
        '.metrics-published',
        'constraint_violations.json',
        'constraints.json',
        'execution.json',
        'report.html',
        'statistics.json',
      ].map((f) => relative(data.outputUri, join(reportDir, f))),
    );
    const summary = JSON.parse(readFileSync(join(reportDir, 'execution.json'), 'utf8'));
    expect(summary.recordsRead).toBe(96_000);

    // A duplicate trigger, and a re-enqueue after the job record is gone, add nothing and publish nothing.
    expect((await enqueueExecution(queue, monitor, scheduledTime, 'manual')).added).toBe(false);
    await job.remove();
    expect((await enqueueExecution(queue, monitor, scheduledTime, 'manual')).added).toBe(true);
    const again = await finished(queue, id);
    expect(again.failedReason).toBeUndefined();
    expect(again.returnvalue).toMatchObject({ status: result.status });

    // Each metric of the window was published once: one sample per drift metric.
    const cloudwatch = testCloudWatchClient();
    try {
      const listed = await cloudwatch.send(
        new ListMetricsCommand({
          Namespace: 'aws/sagemaker/Endpoints/data-metrics',
          Dimensions: [{ Name: 'MonitoringSchedule', Value: scheduleName }],
        }),
      );
      const drift = (listed.Metrics ?? []).filter((m) => m.MetricName?.startsWith('feature_baseline_drift_'));
      expect(drift.length).toBeGreaterThan(0);
      const answer = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(scheduledTime.getTime() - 3_600_000),
          EndTime: new Date(scheduledTime.getTime() + 3_600_000),
          MetricDataQueries: drift.slice(0, 10).map((metric, i) => ({
            Id: `m${i}`,
            MetricStat: { Metric: metric, Period: 3600, Stat: 'SampleCount' },
          })),
        }),
      );
      for (const r of answer.MetricDataResults ?? [])
        expect((r.Values ?? []).reduce((a, b) => a + b, 0)).toBe(1);
    } finally {
      cloudwatch.destroy();
    }
    expect((await second.stop()).code).toBe(0);
  });
});

describe('Redis restarted under a worker', () => {
  it('while idle and while working: the worker reconnects and no scheduled execution is lost', async () => {
    const redis = await startPersistentRedis();
    redisServers.push(redis);
    const dir = mkdtempSync(join(tmpdir(), 'dw-restart-'));
    const data = await prepareMonitorData(dir, { records: 80_000, files: 16, windowStart });
    const settings = uniqueQueueSettings();
    const { path, monitors } = writeConfig(dir, settings, [
      // Every two seconds; windows with no traffic end as "Failed: no data" summaries, which is fine here.
      monitorEntry(data, {
        name: 'ticker',
        schedule: '*/2 * * * * *',
        window: { start: '-PT2S', end: '-PT0S' },
      }),
      monitorEntry(data, { name: 'heavy', splitThreshold: 1000 }),
    ]);
    const [ticker, heavy] = monitors as [MonitorConfig, MonitorConfig];
    const queue = openTestQueue(redis.url, settings);
    await syncSchedulers(queue, [ticker]);
    const worker = spawnWorker(
      ['--config', path, '--concurrency', '2', '--progress-interval-ms', '0'],
      serviceEnv(awsEndpoint(), redis.url),
    );
    workers.push(worker);

    const completedTicks = async () =>
      (await queue.getJobs(['completed'], 0, 1000))
        .filter((j) => j.name === jobNames.execution && j.data.execution.monitorName === 'ticker')
        .map((j) => new Date(j.data.execution.scheduledTime).getTime());
    const firstTimes = await waitFor(
      async () => ((await completedTicks()).length >= 2 ? completedTicks() : undefined),
      {
        what: 'two scheduled executions',
      },
    );
    const firstScheduled = Math.min(...firstTimes);

    // Idle: Redis goes away across at least two scheduled times, then comes back with its data.
    const stoppedAt = Date.now();
    await redis.stop();
    await waitFor(() => Date.now() >= stoppedAt + 5_000, {
      timeoutMs: 10_000,
      what: 'two scheduled times to pass',
    });
    await redis.start();
    const restartedAt = Date.now();
    await worker.waitForLog((l) => l.msg === 'worker connection error (retrying)');

    // Working: Redis restarts while a long execution is being profiled.
    const { id: heavyId } = await enqueueExecution(queue, heavy, scheduledTime, 'backfill');
    const heavyProgress = await waitFor(
      async () => {
        const p = (await queue.getJob(heavyId))?.progress as
          | { objectsDone?: number; objectsTotal?: number }
          | undefined;
        return (p?.objectsDone ?? 0) >= 1 ? p : undefined;
      },
      { intervalMs: 20, what: 'the heavy execution to make progress' },
    );
    expect(heavyProgress?.objectsDone).toBeLessThan(heavyProgress?.objectsTotal as number);
    await redis.stop();
    await redis.start();
    const heavyJob = await finished(queue, heavyId);
    expect(heavyJob.failedReason).toBeUndefined();
    expect((heavyJob.returnvalue as ExecutionResult).recordsRead).toBe(80_000);
    expect(worker.logs.filter((l) => l.jobId === heavyId && l.msg === 'execution started')).toHaveLength(1);

    // Every scheduled time from the first one seen until after the restarts has its execution.
    const until = Math.max(restartedAt, Date.now()) + 2_000;
    const expected: number[] = [];
    for (let t = firstScheduled; t <= until; t += 2_000) expected.push(t);
    await waitFor(
      async () => {
        const done = new Set(await completedTicks());
        return expected.every((t) => done.has(t));
      },
      {
        // An execution whose end could not be recorded while Redis was down runs again once its lock
        // expires and the stalled-job check finds it: up to lock duration + stalled interval (60 s).
        timeoutMs: 90_000,
        intervalMs: 200,
        what: 'an execution for every scheduled time',
        explain: async () => {
          const done = new Set(await completedTicks());
          const missing = expected.filter((t) => !done.has(t));
          const states = await Promise.all(
            missing.map(async (t) => {
              const job = await queue.getJob(executionJobId('data-quality', 'ticker', new Date(t)));
              const state = job ? await job.getState() : 'absent';
              return `${new Date(t).toISOString()} ${state}${job?.failedReason ? ` (${job.failedReason})` : ''}`;
            }),
          );
          const troubles = worker.logs
            .filter((l) => typeof l.level === 'number' && l.level >= 40)
            .map((l) => `${String(l.msg)} ${String(l.err && (l.err as { message?: string }).message)}`);
          return `missing ${states.join('; ')}; first ${new Date(firstScheduled).toISOString()}, restarted ${new Date(restartedAt).toISOString()}; worker warnings: ${troubles.slice(-20).join(' | ')}`;
        },
      },
    );
    for (const t of expected) {
      const job = await queue.getJob(executionJobId('data-quality', 'ticker', new Date(t)));
      expect(job?.finishedOn).toBeDefined();
    }
    expect(worker.child.exitCode).toBeNull();
    await syncSchedulers(queue, []);
    expect((await worker.stop()).code).toBe(0);
  }, 180_000);
});

describe('a split window on two worker processes', () => {
  it('gives the same reports as one process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-split-'));
    const data = await prepareMonitorData(dir, { records: 24_000, files: 6, windowStart });
    const settings = uniqueQueueSettings();
    const { path, monitors } = writeConfig(dir, settings, [
      monitorEntry(data, { name: 'split', splitThreshold: 2, maxParts: 3 }),
    ]);
    const monitor = monitors[0] as MonitorConfig;
    const queue = openTestQueue(redisUrl(), settings);
    const env = serviceEnv(awsEndpoint(), redisUrl());
    for (let i = 0; i < 2; i++) {
      const w = spawnWorker(['--config', path, '--concurrency', '2'], env);
      workers.push(w);
    }
    const { id } = await enqueueExecution(queue, monitor, scheduledTime, 'backfill');
    const job = await finished(queue, id);
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue).toMatchObject({ parts: 3, recordsRead: 24_000 });

    const storage = new RoutingStorage();
    const single = await runExecution(
      {
        monitorName: 'split',
        endpoint: data.endpoint,
        captureUri: data.captureUri,
        baselineUri: data.baselineUri,
        outputUri: join(dir, 'single'),
        scheduleName: 'split',
        windowStart: windowStart.toISOString(),
        windowEnd: scheduledTime.toISOString(),
        scheduledTime: scheduledTime.toISOString(),
        cloudwatch: false,
      },
      { storage, logger: silentLogger },
    );
    const flowDir = reportPrefix({
      outputUri: data.outputUri,
      endpoint: 'ep',
      scheduleName: 'split',
      scheduledTime: scheduledTime.toISOString(),
    });
    const flowSummary = JSON.parse(readFileSync(join(flowDir, 'execution.json'), 'utf8'));
    expect(flowSummary.recordsRead).toBe(single.recordsRead);
    expect(flowSummary.violations).toBe(single.violations);
    expect(flowSummary.inputs.map((o: { uri: string }) => o.uri)).toEqual(single.inputs.map((o) => o.uri));
    const read = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
    // Counts are exact; sums and moments agree to rounding; KLL sketches are approximations that depend on
    // the merge order, so the quantile sketch itself is not compared.
    expectSameStatistics(
      read(join(flowDir, 'statistics.json')),
      read(join(single.reportUri, 'statistics.json')),
    );
    const checks = (p: string) =>
      (read(p).violations as Array<{ feature_name: string; constraint_check_type: string }>)
        .map((v) => `${v.feature_name}/${v.constraint_check_type}`)
        .sort();
    expect(checks(join(flowDir, 'constraint_violations.json'))).toEqual(
      checks(join(single.reportUri, 'constraint_violations.json')),
    );
    // Two worker processes and a three-part flow: ~7 s alone, over 60 s once on a machine at load 12 that
    // ran other suites beside this one.
  }, 180_000);
});

function expectSameStatistics(actual: unknown, expected: unknown, path = 'statistics'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(actual, path).toBeCloseTo(
      expected,
      Math.max(0, 9 - Math.ceil(Math.log10(Math.abs(expected) + 1))),
    );
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, `${path}.length`).toBe(expected.length);
    for (const [i, e] of expected.entries())
      expectSameStatistics((actual as unknown[])[i], e, `${path}[${i}]`);
    return;
  }
  if (expected && typeof expected === 'object') {
    expect(actual && typeof actual === 'object', path).toBe(true);
    const keys = Object.keys(expected).filter((k) => k !== 'kll');
    expect(
      Object.keys(actual as object)
        .filter((k) => k !== 'kll')
        .sort(),
      path,
    ).toEqual(keys.sort());
    for (const k of keys) {
      expectSameStatistics(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
    }
    return;
  }
  expect(actual, path).toEqual(expected);
}

describe('SIGTERM', () => {
  it('lets the active execution finish, or hands it back after --shutdown-timeout-ms, and exits cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-sigterm-'));
    const data = await prepareMonitorData(dir, { records: 64_000, files: 16, windowStart });
    const settings = uniqueQueueSettings();
    const { path, monitors } = writeConfig(dir, settings, [
      monitorEntry(data, { name: 'finish', splitThreshold: 1000 }),
      monitorEntry(data, { name: 'handback', splitThreshold: 1000 }),
    ]);
    const [finish, handback] = monitors as [MonitorConfig, MonitorConfig];
    const queue = openTestQueue(redisUrl(), settings);
    const env = serviceEnv(awsEndpoint(), redisUrl());
    const progressOf = async (id: string) => {
      const p = (await queue.getJob(id))?.progress as
        | { objectsDone?: number; objectsTotal?: number }
        | undefined;
      return (p?.objectsDone ?? 0) >= 1 ? p : undefined;
    };

    // Generous timeout: the execution finishes, then the worker exits with 0.
    const patient = spawnWorker(['--config', path, '--progress-interval-ms', '0'], env);
    workers.push(patient);
    const a = await enqueueExecution(queue, finish, scheduledTime, 'manual');
    const progress = await waitFor(() => progressOf(a.id), { intervalMs: 20, what: 'progress' });
    expect(progress.objectsDone).toBeLessThan(progress.objectsTotal as number);
    expect((await patient.stop('SIGTERM')).code).toBe(0);
    const finished1 = await queue.getJob(a.id);
    expect(await finished1?.getState()).toBe('completed');
    expect(finished1?.returnvalue).toMatchObject({ recordsRead: 64_000 });
    expect(patient.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['execution finished', 'worker closed']),
    );

    // Short timeout: the execution is handed back (no attempt used) and another worker completes it.
    const hasty = spawnWorker(
      ['--config', path, '--progress-interval-ms', '0', '--shutdown-timeout-ms', '100'],
      env,
    );
    workers.push(hasty);
    const b = await enqueueExecution(queue, handback, scheduledTime, 'manual');
    await waitFor(() => progressOf(b.id), { intervalMs: 20, what: 'progress' });
    expect((await hasty.stop('SIGTERM')).code).toBe(0);
    expect(hasty.logs.some((l) => l.msg === 'handed the job back to the queue')).toBe(true);
    const handedBack = await queue.getJob(b.id);
    expect(['delayed', 'waiting']).toContain(await handedBack?.getState());
    expect(handedBack?.attemptsMade).toBe(0);
    const next = spawnWorker(['--config', path], env);
    workers.push(next);
    const done = await finished(queue, b.id);
    expect(done.failedReason).toBeUndefined();
    expect((done.returnvalue as ExecutionResult).recordsRead).toBe(64_000);
  });
});
