/**
 * A stable worker id (`driftwatch worker --worker-id`), with real worker processes (the built CLI), real
 * Redis and CloudWatch on moto_server. Liveness is set to 20 s and the lock to 30 s, so that nothing but
 * the worker id can take a job over within the test's bounds:
 * - a worker SIGKILLed while it runs a job and restarted under the same id takes the job back as soon as
 *   it is connected (before it logs 'worker started'), not after the liveness TTL or the lock;
 * - a second live process started with an id in use takes the first one's job; the first stops (exit 2,
 *   one line saying why) and publishes nothing; the window has each metric once.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CloudWatchClient,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import type { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type MonitorConfig, parseMonitorsConfig, type QueueSettings } from '../../src/config/monitors.js';
import type { ExecutionResult } from '../../src/jobs/payloads.js';
import { closeQueue, enqueueExecution, openQueue } from '../../src/jobs/queue.js';
import { awsEndpoint, testCloudWatchClient } from '../support/aws.js';
import { type MonitorData, prepareMonitorData } from '../support/monitor-data.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitFor, waitForJob } from '../support/queues.js';
import { assertBuilt, serviceEnv, spawnWorker, type WorkerProcess } from '../support/worker-process.js';

const NAMESPACE = 'aws/sagemaker/Endpoints/data-metrics';
const yesterday = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
const windowStart = new Date(yesterday.getTime() + 11 * 3_600_000);
const scheduledTime = new Date(windowStart.getTime() + 3_600_000);
const LIVENESS_TTL_MS = 20_000;

const workers: WorkerProcess[] = [];
const queues: Array<{ queue: Queue; settings: QueueSettings }> = [];
let dir: string;
let data: MonitorData;
let cloudwatch: CloudWatchClient;

beforeAll(async () => {
  assertBuilt();
  cloudwatch = testCloudWatchClient();
  dir = mkdtempSync(join(tmpdir(), 'dw-worker-id-'));
  // Enough records that an execution is still running when the test stops its worker.
  data = await prepareMonitorData(dir, { records: 64_000, files: 16, windowStart });
}, 120_000);

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
  for (const { queue, settings } of queues.splice(0)) {
    await closeQueue(queue);
    await cleanupQueue(settings);
  }
});

afterAll(() => cloudwatch?.destroy());

/** A monitor of its own, its queue, and the worker arguments with `--worker-id <workerId>`. */
function setUp(workerId: string) {
  const name = `wid-${randomUUID().slice(0, 8)}`;
  const settings = uniqueQueueSettings();
  const document = {
    queue: settings,
    monitors: [
      {
        name,
        endpoint: data.endpoint,
        capture: data.captureUri,
        baseline: data.baselineUri,
        output: join(data.outputUri, name),
        schedule: 'cron(0 * ? * * *)',
        cloudwatch: true,
      },
    ],
  };
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, YAML.stringify(document));
  const monitor = parseMonitorsConfig(document, path).monitors[0] as MonitorConfig;
  const queue = openQueue({ redis: redisUrl(), queue: settings, role: 'worker' });
  queues.push({ queue, settings });
  const args = [
    '--config',
    path,
    '--worker-id',
    workerId,
    '--lock-duration-ms',
    '30000',
    '--liveness-ttl-ms',
    String(LIVENESS_TTL_MS),
    '--progress-interval-ms',
    '0',
  ];
  return { name, monitor, queue, args, env: serviceEnv(awsEndpoint(), redisUrl()) };
}

function start(args: string[], env: NodeJS.ProcessEnv): WorkerProcess {
  const worker = spawnWorker(args, env);
  workers.push(worker);
  return worker;
}

/** Every metric of the schedule's window: one datapoint each (one datum), the completion marker once. */
async function expectOnePublication(name: string, result: ExecutionResult) {
  const counts = new Map<string, { points: number; SampleCount: number }>();
  let token: string | undefined;
  do {
    const listed = await cloudwatch.send(
      new ListMetricsCommand({
        Namespace: NAMESPACE,
        Dimensions: [{ Name: 'MonitoringSchedule', Value: name }],
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
          Statistics: ['SampleCount'],
        }),
      );
      const key = `${metric.MetricName}|${JSON.stringify(metric.Dimensions)}`;
      const points = answer.Datapoints ?? [];
      counts.set(key, {
        points: points.length,
        SampleCount: points.reduce((n, p) => n + (p.SampleCount ?? 0), 0),
      });
    }
    token = listed.NextToken;
  } while (token);
  expect(counts.size).toBeGreaterThan(30);
  for (const [key, n] of counts) expect(n.points, key).toBe(1);
  const completed = [...counts].filter(([key]) => key.startsWith('driftwatch_execution_completed|'));
  expect(completed.map(([, n]) => n.SampleCount)).toEqual([1]);
  expect(result.metricsPublished).toBe(counts.size);
}

describe('driftwatch worker --worker-id', () => {
  it('restarted after SIGKILL under the same id, a worker takes its job back at once', async () => {
    const { name, monitor, queue, args, env } = setUp('pod-0');
    const first = start(args, env);
    await first.waitForLog((l) => l.msg === 'worker started');
    const { id } = await enqueueExecution(queue, monitor, scheduledTime, 'backfill');
    await first.waitForLog((l) => l.jobId === id && l.msg === 'execution started');
    first.child.kill('SIGKILL');
    await first.exited;
    const restartedAt = Date.now();
    const second = start(args, env);
    const released = await second.waitForLog(
      (l) => l.jobId === id && String(l.msg).includes('previous process of this worker id held this job'),
      LIVENESS_TTL_MS,
    );
    const started = await second.waitForLog((l) => l.msg === 'worker started');
    // Taken back before taking jobs, i.e. within the restart itself: not after the 20 s TTL or 30 s lock.
    expect(released.time as number).toBeLessThanOrEqual(started.time as number);
    const takeoverMs = (released.time as number) - restartedAt;
    console.log(`takeover by the restarted worker: ${takeoverMs} ms after its spawn`);
    expect(takeoverMs).toBeLessThan(LIVENESS_TTL_MS / 2);
    const job = await waitForJob(queue, id, { timeoutMs: 90_000, intervalMs: 100 });
    expect(job.failedReason).toBeUndefined();
    expect(job.processedBy).toBe('pod-0');
    expect(second.logs.some((l) => l.jobId === id && l.msg === 'execution finished')).toBe(true);
    await expectOnePublication(name, job.returnvalue as ExecutionResult);
  }, 180_000);

  it('a second live process with the same id takes the job; the first stops and publishes nothing', async () => {
    const { name, monitor, queue, args, env } = setUp('pod-1');
    const first = start(args, env);
    await first.waitForLog((l) => l.msg === 'worker started');
    const { id } = await enqueueExecution(queue, monitor, scheduledTime, 'backfill');
    await first.waitForLog((l) => l.jobId === id && l.msg === 'execution started');
    // Paused while the second one starts, so that it is still mid-execution (and alive) when the id is
    // taken; far less than the liveness TTL.
    first.child.kill('SIGSTOP');
    const second = start(args, env);
    await second.waitForLog(
      (l) => l.jobId === id && String(l.msg).includes('previous process of this worker id held this job'),
      LIVENESS_TTL_MS,
    );
    first.child.kill('SIGCONT');
    await first.waitForLog(
      (l) => l.level === 50 && String(l.msg).startsWith('another process started with this worker id'),
      LIVENESS_TTL_MS,
    );
    const exit = await waitFor(() => first.child.exitCode !== null && first.exited, {
      timeoutMs: 30_000,
      what: 'the first worker to exit',
    });
    expect(exit).toEqual({ code: 2, signal: null });
    expect(first.stderr.join('\n')).toContain('driftwatch: another process started with --worker-id pod-1');
    const job = await waitForJob(queue, id, { timeoutMs: 90_000, intervalMs: 100 });
    expect(job.failedReason).toBeUndefined();
    expect(first.logs.some((l) => l.msg === 'execution finished')).toBe(false);
    expect(second.logs.some((l) => l.jobId === id && l.msg === 'execution finished')).toBe(true);
    await expectOnePublication(name, job.returnvalue as ExecutionResult);
  }, 180_000);
});
