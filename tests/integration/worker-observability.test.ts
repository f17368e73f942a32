/**
 * The worker's HTTP endpoints on real Redis: `/metrics` counts a real data-quality execution (records,
 * bytes, statuses, queue depth), and is scraped during a run of several monitors (one held mid-read, one
 * without data, one failing for good, one retried after a transient error, CloudWatch on moto);
 * `/readyz` turns unready when Redis goes away and ready again when it returns, is unready while its
 * schedulers are missing and while the worker shuts down; `/healthz` answers throughout.
 */
import { appendFileSync, cpSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job, Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { cloudWatchPublisher } from '../../src/alerts/cloudwatch-publisher.js';
import { type MonitorConfig, parseMonitorsConfig, type QueueSettings } from '../../src/config/monitors.js';
import { RoutingStorage, type Storage } from '../../src/io/storage.js';
import { HealthServer } from '../../src/jobs/health-server.js';
import { WorkerMetrics } from '../../src/jobs/observability.js';
import { closeQueue, enqueueExecution, openQueue, syncSchedulers } from '../../src/jobs/queue.js';
import { WorkerService, type WorkerServiceOptions } from '../../src/jobs/service.js';
import { testCloudWatchClient } from '../support/aws.js';
import { FaultStorage } from '../support/fault-storage.js';
import { prepareMonitorData } from '../support/monitor-data.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitFor, waitForJob } from '../support/queues.js';
import { type RunningService, startRedis } from '../support/services.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startObservedWorker(
  url: string,
  settings: QueueSettings,
  options: Partial<WorkerServiceOptions> & { storage?: Storage; scheduledMonitors?: string[] } = {},
) {
  const metrics = new WorkerMetrics();
  const { scheduledMonitors, ...serviceOptions } = options;
  const service = new WorkerService({
    redis: url,
    queue: settings,
    storage: new RoutingStorage(),
    metrics,
    ...serviceOptions,
  });
  const server = new HealthServer({
    service,
    metrics,
    port: 0,
    ...(scheduledMonitors ? { scheduledMonitors } : {}),
  });
  const port = await server.listen();
  cleanups.push(async () => {
    await server.close();
    await service.close({ force: true });
  });
  await service.start();
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, text: await res.text() };
  };
  return { service, get };
}

/** The value of a sample line `name{labels} value` of a Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && line.split(' ')[0] !== name) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('worker /metrics', () => {
  it('counts a real data-quality execution', async () => {
    const settings = uniqueQueueSettings();
    const queue: Queue = openQueue({ redis: redisUrl(), queue: settings });
    cleanups.push(async () => {
      await closeQueue(queue);
      await cleanupQueue(settings);
    });
    const windowStart = new Date('2024-05-02T07:00:00Z');
    const data = await prepareMonitorData(mkdtempSync(join(tmpdir(), 'dw-obs-')), {
      records: 600,
      files: 3,
      features: 4,
      windowStart,
    });
    const [monitor] = parseMonitorsConfig({
      monitors: [
        {
          name: 'obs',
          endpoint: data.endpoint,
          capture: data.captureUri,
          baseline: data.baselineUri,
          output: data.outputUri,
          schedule: 'cron(0 * ? * * *)',
        },
      ],
    }).monitors as [MonitorConfig];
    const { get } = await startObservedWorker(redisUrl(), settings);
    expect((await get('/healthz')).status).toBe(200);
    const { id } = await enqueueExecution(queue, monitor, new Date('2024-05-02T08:00:00Z'), 'manual');
    const job = await waitForJob(queue, id, { timeoutMs: 30_000 });
    expect(job.returnvalue?.recordsRead).toBe(600);
    const labels = { monitor: 'obs', kind: 'data-quality' };
    // The worker's 'completed' event may land just after the job's state is final.
    const text = await waitFor(
      async () => {
        const t = (await get('/metrics')).text;
        return sample(t, 'driftwatch_executions_completed_total', labels) === 1 ? t : undefined;
      },
      { what: 'the completed execution in /metrics' },
    );
    expect(sample(text, 'driftwatch_executions_started_total', labels)).toBe(1);
    expect(sample(text, 'driftwatch_executions_failed_total', labels)).toBeUndefined();
    expect(sample(text, 'driftwatch_records_read_total', labels)).toBe(600);
    expect(sample(text, 'driftwatch_bytes_read_total', labels)).toBeGreaterThan(0);
    expect(sample(text, 'driftwatch_execution_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'driftwatch_last_success_timestamp_seconds', { monitor: 'obs' })).toBeGreaterThan(
      Date.now() / 1000 - 60,
    );
    expect(sample(text, 'driftwatch_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(sample(text, 'driftwatch_queue_jobs', { state: 'failed' })).toBe(0);
    expect(text).toContain('process_resident_memory_bytes');
  });
});

describe('worker /readyz', () => {
  it('is unready while Redis is away and ready again when it returns', async () => {
    let redis: RunningService = await startRedis();
    const port = redis.port;
    cleanups.push(async () => redis.stop());
    const { get } = await startObservedWorker(redis.url, uniqueQueueSettings());
    expect((await get('/readyz')).status).toBe(200);
    await redis.stop();
    await waitFor(async () => (await get('/readyz')).status === 503, {
      what: '/readyz 503',
      timeoutMs: 15_000,
    });
    const unready = JSON.parse((await get('/readyz')).text);
    expect(unready.checks.redis).toBe(false);
    expect((await get('/healthz')).status).toBe(200);
    // /metrics still answers (the queue depth is read within a bounded wait, then the last figures stay).
    const scrape = await get('/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.text).toContain('driftwatch_executions_started_total');
    redis = await startRedis(port);
    await waitFor(async () => (await get('/readyz')).status === 200, {
      what: '/readyz 200',
      timeoutMs: 20_000,
    });
  });
});

/** Sum of the sizes of every file below `dir`. */
function bytesBelow(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) n += statSync(join(entry.parentPath, entry.name)).size;
  }
  return n;
}

describe('worker /metrics during a run', () => {
  it('counts started, completed by status, retried and failed executions, what they read and published, and the queue', async () => {
    const settings = uniqueQueueSettings();
    const queue: Queue = openQueue({ redis: redisUrl(), queue: settings });
    cleanups.push(async () => {
      await closeQueue(queue);
      await cleanupQueue(settings);
    });
    const dir = mkdtempSync(join(tmpdir(), 'dw-obs-run-'));
    // A recent window: CloudWatch takes datums of the last 14 days only.
    const scheduled = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const windowStart = new Date(scheduled.getTime() - 3_600_000);
    const data = await prepareMonitorData(dir, { records: 600, files: 3, features: 4, windowStart });
    // One malformed capture line: an input problem of the window.
    const first = readdirSync(data.captureUri, { withFileTypes: true, recursive: true }).find((e) =>
      e.isFile(),
    );
    if (!first) throw new Error('no capture file');
    appendFileSync(join(first.parentPath, first.name), '{"captureData": not json\n');
    const captureBytes = bytesBelow(data.captureUri);
    const flakyCapture = join(dir, 'flaky-capture');
    cpSync(data.captureUri, flakyCapture, { recursive: true });
    const common = {
      endpoint: data.endpoint,
      baseline: data.baselineUri,
      schedule: 'cron(0 * ? * * *)',
      retry: { attempts: 3, backoffMs: 10 },
    };
    const monitors = parseMonitorsConfig({
      monitors: [
        { ...common, name: 'obs', capture: data.captureUri, output: join(dir, 'out-obs'), cloudwatch: true },
        { ...common, name: 'empty', capture: join(dir, 'no-capture'), output: join(dir, 'out-empty') },
        {
          ...common,
          name: 'broken',
          capture: data.captureUri,
          baseline: join(dir, 'no-baseline'),
          output: join(dir, 'out-broken'),
        },
        { ...common, name: 'flaky', capture: flakyCapture, output: join(dir, 'out-flaky') },
      ],
    }).monitors as MonitorConfig[];
    const storage = new FaultStorage();
    const held = storage.hold(data.captureUri);
    storage.failTransiently(flakyCapture);
    const cloudwatch = testCloudWatchClient();
    cleanups.push(async () => cloudwatch.destroy());
    const { get } = await startObservedWorker(redisUrl(), settings, {
      storage,
      publisher: cloudWatchPublisher(cloudwatch),
    });
    const startedAt = Date.now() / 1000;
    const ids: string[] = [];
    for (const m of monitors) ids.push((await enqueueExecution(queue, m, scheduled, 'manual')).id);
    const [obsId, emptyId, brokenId, flakyId] = ids as [string, string, string, string];
    const dq = (monitor: string) => ({ monitor, kind: 'data-quality' });

    // Mid-run: obs is reading its capture (held), the three others wait behind it (concurrency 1).
    await held.reached;
    const during = (await get('/metrics')).text;
    expect(sample(during, 'driftwatch_executions_started_total', dq('obs'))).toBe(1);
    expect(sample(during, 'driftwatch_executions_completed_total', dq('obs'))).toBeUndefined();
    expect(sample(during, 'driftwatch_records_read_total', dq('obs'))).toBeUndefined();
    expect(sample(during, 'driftwatch_queue_jobs', { state: 'active' })).toBe(1);
    expect(sample(during, 'driftwatch_queue_jobs', { state: 'waiting' })).toBe(3);
    expect(sample(during, 'driftwatch_last_success_timestamp_seconds', { monitor: 'obs' })).toBeUndefined();
    expect((await get('/readyz')).status).toBe(200);
    held.release();

    const jobs = new Map<string, Job>();
    for (const id of ids) jobs.set(id, await waitForJob(queue, id, { timeoutMs: 60_000 }));
    const obs = jobs.get(obsId) as Job;
    expect(obs.returnvalue).toMatchObject({ recordsRead: 600 });
    expect(obs.returnvalue.status).not.toBe('Failed');
    expect(obs.returnvalue.metricsPublished).toBeGreaterThan(0);
    expect(jobs.get(emptyId)?.returnvalue).toMatchObject({ status: 'Failed', recordsRead: 0 });
    expect(await jobs.get(brokenId)?.getState()).toBe('failed');
    expect(jobs.get(flakyId)?.attemptsMade).toBe(2);
    expect(jobs.get(flakyId)?.returnvalue).toMatchObject({ recordsRead: 600 });
    const summary = JSON.parse(
      await new RoutingStorage().readText(`${obs.returnvalue.reportUri.replace(/\/$/, '')}/execution.json`),
    ) as { issues: { counts: Record<string, number> }; metricsPublished: number };
    expect(Object.values(summary.issues.counts).reduce((a, b) => a + b, 0)).toBe(1);

    // The workers' events may land just after the jobs' states are final.
    const text = await waitFor(
      async () => {
        const t = (await get('/metrics')).text;
        const done =
          sample(t, 'driftwatch_executions_failed_total', dq('broken')) === 1 &&
          sample(t, 'driftwatch_executions_completed_total', dq('flaky')) === 1 &&
          sample(t, 'driftwatch_executions_completed_total', dq('empty')) === 1 &&
          sample(t, 'driftwatch_executions_completed_total', dq('obs')) === 1;
        return done ? t : undefined;
      },
      { what: 'every execution in /metrics' },
    );
    const completed = (monitor: string, status: string) =>
      sample(text, 'driftwatch_executions_completed_total', { ...dq(monitor), status });
    // Started: each attempt; completed by SageMaker status; failed for good; retried attempts.
    expect(sample(text, 'driftwatch_executions_started_total', dq('obs'))).toBe(1);
    expect(completed('obs', obs.returnvalue.status)).toBe(1);
    expect(completed('empty', 'Failed')).toBe(1);
    expect(sample(text, 'driftwatch_executions_started_total', dq('broken'))).toBe(1);
    expect(sample(text, 'driftwatch_executions_retried_total', dq('broken'))).toBeUndefined();
    expect(sample(text, 'driftwatch_executions_completed_total', dq('broken'))).toBeUndefined();
    expect(sample(text, 'driftwatch_executions_started_total', dq('flaky'))).toBe(2);
    expect(sample(text, 'driftwatch_executions_retried_total', dq('flaky'))).toBe(1);
    expect(sample(text, 'driftwatch_executions_failed_total', dq('flaky'))).toBeUndefined();
    for (const m of ['obs', 'empty', 'broken', 'flaky'])
      expect(sample(text, 'driftwatch_execution_duration_seconds_count', dq(m)), m).toBe(1);
    // What they read: records, and bytes = the capture files' sizes.
    expect(sample(text, 'driftwatch_records_read_total', dq('obs'))).toBe(600);
    expect(sample(text, 'driftwatch_records_read_total', dq('flaky'))).toBe(600);
    expect(sample(text, 'driftwatch_records_read_total', dq('empty'))).toBe(0);
    expect(sample(text, 'driftwatch_bytes_read_total', dq('obs'))).toBe(captureBytes);
    expect(sample(text, 'driftwatch_bytes_read_total', dq('flaky'))).toBe(captureBytes);
    for (const [problem, n] of Object.entries(summary.issues.counts))
      expect(sample(text, 'driftwatch_input_problems_total', { ...dq('obs'), problem })).toBe(n);
    // Published to CloudWatch (moto) by obs only.
    expect(sample(text, 'driftwatch_metrics_published_total', dq('obs'))).toBe(summary.metricsPublished);
    expect(sample(text, 'driftwatch_metrics_published_total', dq('flaky'))).toBe(0);
    // Last success: set by executions that completed without status Failed.
    for (const m of ['obs', 'flaky'])
      expect(
        sample(text, 'driftwatch_last_success_timestamp_seconds', { monitor: m }),
      ).toBeGreaterThanOrEqual(Math.floor(startedAt));
    for (const m of ['empty', 'broken'])
      expect(sample(text, 'driftwatch_last_success_timestamp_seconds', { monitor: m })).toBeUndefined();
    expect(sample(text, 'driftwatch_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(sample(text, 'driftwatch_queue_jobs', { state: 'active' })).toBe(0);
    expect(sample(text, 'driftwatch_queue_jobs', { state: 'delayed' })).toBe(0);
    expect(sample(text, 'driftwatch_queue_jobs', { state: 'failed' })).toBe(1);
  });
});

describe('worker /readyz while starting up and shutting down', () => {
  it('is unready until its schedulers exist, and from the moment a shutdown begins', async () => {
    const settings = uniqueQueueSettings();
    const queue: Queue = openQueue({ redis: redisUrl(), queue: settings });
    cleanups.push(async () => {
      await closeQueue(queue);
      await cleanupQueue(settings);
    });
    const dir = mkdtempSync(join(tmpdir(), 'dw-obs-ready-'));
    const windowStart = new Date('2024-05-02T07:00:00Z');
    const data = await prepareMonitorData(dir, { records: 100, files: 1, features: 2, windowStart });
    const [monitor] = parseMonitorsConfig({
      monitors: [
        {
          name: 'ready',
          endpoint: data.endpoint,
          capture: data.captureUri,
          baseline: data.baselineUri,
          output: data.outputUri,
          schedule: '0 3 1 1 *', // once a year: no tick fires during the test
        },
      ],
    }).monitors as [MonitorConfig];
    const storage = new FaultStorage();
    const held = storage.hold(data.captureUri);
    const { service, get } = await startObservedWorker(redisUrl(), settings, {
      storage,
      scheduledMonitors: ['ready'],
      shutdownTimeoutMs: 60_000,
    });
    const missing = await get('/readyz');
    expect(missing.status).toBe(503);
    expect(JSON.parse(missing.text)).toMatchObject({
      checks: { redis: true, running: true, schedulers: false },
      missingSchedulers: ['ready'],
    });
    await syncSchedulers(queue, [monitor]);
    expect((await get('/readyz')).status).toBe(200);

    // A job is running (held mid-read) when the graceful shutdown begins: unready at once, still alive.
    const { id } = await enqueueExecution(queue, monitor, new Date('2024-05-02T08:00:00Z'), 'manual');
    await held.reached;
    const closing = service.close();
    const unready = await get('/readyz');
    expect(unready.status).toBe(503);
    expect(JSON.parse(unready.text).checks).toMatchObject({ redis: true, running: false });
    expect((await get('/healthz')).status).toBe(200);
    expect(sample((await get('/metrics')).text, 'driftwatch_queue_jobs', { state: 'active' })).toBe(1);
    held.release();
    await closing;
    // The running job finished during the graceful shutdown.
    expect(await queue.getJobState(id)).toBe('completed');
    expect((await get('/readyz')).status).toBe(503);
  });
});
