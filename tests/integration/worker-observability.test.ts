/**
 * The worker's HTTP endpoints on real Redis: `/metrics` counts a real data-quality execution (records,
 * bytes, statuses, queue depth), `/readyz` turns unready when Redis goes away and ready again when it
 * returns, `/healthz` answers throughout.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { type MonitorConfig, parseMonitorsConfig, type QueueSettings } from '../../src/config/monitors.js';
import { RoutingStorage } from '../../src/io/storage.js';
import { HealthServer } from '../../src/jobs/health-server.js';
import { WorkerMetrics } from '../../src/jobs/observability.js';
import { closeQueue, enqueueExecution, openQueue } from '../../src/jobs/queue.js';
import { WorkerService } from '../../src/jobs/service.js';
import { prepareMonitorData } from '../support/monitor-data.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitFor, waitForJob } from '../support/queues.js';
import { type RunningService, startRedis } from '../support/services.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startObservedWorker(url: string, settings: QueueSettings) {
  const metrics = new WorkerMetrics();
  const service = new WorkerService({ redis: url, queue: settings, storage: new RoutingStorage(), metrics });
  const server = new HealthServer({ service, metrics, port: 0 });
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
    redis = await startRedis(port);
    await waitFor(async () => (await get('/readyz')).status === 200, {
      what: '/readyz 200',
      timeoutMs: 20_000,
    });
  });
});
