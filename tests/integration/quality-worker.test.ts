/**
 * A `type: model-quality` monitor run by the real worker service on Redis: the monitors-config entry
 * (with its `modelQuality` block and a -P1D offset window) → an execution job → runModelQualityExecution.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildModelQualityBaseline } from '../../src/baseline/model-quality.js';
import { parseMonitorsConfig, type QueueSettings } from '../../src/config/monitors.js';
import { RoutingStorage } from '../../src/io/storage.js';
import { closeQueue, enqueueExecution, openQueue } from '../../src/jobs/queue.js';
import { WorkerService } from '../../src/jobs/service.js';
import { readExecutionSummary } from '../../src/monitor/execution.js';
import type { ModelQualitySummary } from '../../src/monitor/model-quality.js';
import {
  baselineCsv,
  type TrafficRecord,
  writeCapture,
  writeGroundTruth,
} from '../fixtures/quality/traffic.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitForJob } from '../support/queues.js';

const HOUR = 3_600_000;
const START = new Date('2025-03-10T00:00:00Z');

describe('model-quality monitors in the worker', () => {
  let settings: QueueSettings;
  let queue: Queue;
  let dir: string;
  let worker: WorkerService | undefined;
  const storage = new RoutingStorage();

  beforeEach(async () => {
    settings = uniqueQueueSettings();
    queue = openQueue({ redis: redisUrl(), queue: settings });
    dir = await mkdtemp(join(tmpdir(), 'dw-mq-worker-'));
  });

  afterEach(async () => {
    await worker?.close({ force: true });
    await closeQueue(queue);
    await cleanupQueue(settings);
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a scheduled model-quality execution over the offset window, estimating the latest hour', async () => {
    await storage.write(join(dir, 'validation.csv'), baselineCsv(800));
    await buildModelQualityBaseline(storage, {
      dataset: join(dir, 'validation.csv'),
      out: join(dir, 'baseline'),
      problemType: 'BinaryClassification',
      groundTruthAttribute: 'label',
      probabilityAttribute: 'probability',
    });
    // Traffic over two days: day 1 hour 0 (labels arrive on day 2), and day 2 hour 0 (no labels yet).
    const day1 = await writeCapture({
      storage,
      captureUri: join(dir, 'capture'),
      groundTruthUri: join(dir, 'gt'),
      endpoint: 'ep',
      start: START,
      hours: 1,
      perHour: 200,
      degradeFromHour: 99,
    });
    await writeCapture({
      storage,
      captureUri: join(dir, 'capture'),
      groundTruthUri: join(dir, 'gt'),
      endpoint: 'ep',
      start: new Date(START.getTime() + 24 * HOUR),
      hours: 1,
      perHour: 150,
      degradeFromHour: 0,
      seed: 9,
    });
    await writeGroundTruth(
      storage,
      join(dir, 'gt'),
      new Date(START.getTime() + 20 * HOUR),
      day1[0] as TrafficRecord[],
    );

    const [monitor] = parseMonitorsConfig({
      monitors: [
        {
          name: 'ep-quality',
          type: 'model-quality',
          endpoint: 'ep',
          capture: join(dir, 'capture'),
          baseline: join(dir, 'baseline'),
          output: join(dir, 'out'),
          schedule: 'cron(0 * ? * * *)',
          window: { start: '-P1DT1H', end: '-P1D' },
          retry: { attempts: 1, backoffMs: 10 },
          modelQuality: {
            problemType: 'BinaryClassification',
            groundTruth: join(dir, 'gt'),
            probabilityAttribute: '0',
            estimationWindow: { start: '-PT1H', end: '-PT0H' },
          },
        },
      ],
    }).monitors;
    if (!monitor) throw new Error('no monitor');
    const scheduled = new Date(START.getTime() + 25 * HOUR);
    const { id } = await enqueueExecution(queue, monitor, scheduled, 'manual');
    worker = new WorkerService({ redis: redisUrl(), queue: settings, storage, progressIntervalMs: 0 });
    await worker.start();
    const job = await waitForJob(queue, id, { timeoutMs: 30_000 });
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue).toMatchObject({ status: expect.stringMatching(/^Completed/) });

    const payload = job.data.execution;
    const summary = (await readExecutionSummary(storage, payload)) as ModelQualitySummary;
    const details = summary.modelQuality;
    expect(summary?.windowStart).toBe(START.toISOString());
    // The release that wrote it, as package.json says (every kind's summary is stored by storeSummaryOnce).
    expect(summary?.driftwatchVersion).toBe(
      JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version,
    );
    expect(details.join).toMatchObject({ predictions: 200, matched: 200 });
    expect(details.estimatedRecent).toMatchObject({
      windowStart: new Date(START.getTime() + 24 * HOUR).toISOString(),
      recordsRead: 150,
    });
    // The degraded latest hour is estimated below the healthy, labelled one.
    expect(details.estimatedRecent?.estimate.metrics.f1.value).toBeLessThan(
      (details.estimated?.estimate.metrics.f1.value as number) - 0.15,
    );
  });

  it('fails a model-quality execution at once when its baseline is missing (permanent)', async () => {
    const [monitor] = parseMonitorsConfig({
      monitors: [
        {
          name: 'broken',
          type: 'model-quality',
          endpoint: 'ep',
          capture: join(dir, 'capture'),
          baseline: join(dir, 'nowhere'),
          output: join(dir, 'out'),
          schedule: 'cron(0 * ? * * *)',
          retry: { attempts: 3, backoffMs: 10 },
          modelQuality: { problemType: 'Regression', groundTruth: join(dir, 'gt'), inferenceAttribute: '0' },
        },
      ],
    }).monitors;
    if (!monitor) throw new Error('no monitor');
    const { id } = await enqueueExecution(queue, monitor, START, 'manual');
    worker = new WorkerService({ redis: redisUrl(), queue: settings, storage, progressIntervalMs: 0 });
    await worker.start();
    const job = await waitForJob(queue, id, { states: ['failed'], timeoutMs: 30_000 });
    expect(job.failedReason).toMatch(/constraints\.json: no model-quality baseline constraints here/);
    expect(job.attemptsMade).toBe(1);
  });

  it('retries a window that failed for lack of labels at later ticks, until retryMissingLabelsFor', async () => {
    await storage.write(join(dir, 'validation.csv'), baselineCsv(800));
    await buildModelQualityBaseline(storage, {
      dataset: join(dir, 'validation.csv'),
      out: join(dir, 'baseline'),
      problemType: 'BinaryClassification',
      groundTruthAttribute: 'label',
      probabilityAttribute: 'probability',
    });
    const [records] = await writeCapture({
      storage,
      captureUri: join(dir, 'capture'),
      groundTruthUri: join(dir, 'gt'),
      endpoint: 'ep',
      start: START,
      hours: 2,
      perHour: 200,
      degradeFromHour: 99,
    });
    const [monitor] = parseMonitorsConfig({
      monitors: [
        {
          name: 'late-labels',
          type: 'model-quality',
          endpoint: 'ep',
          capture: join(dir, 'capture'),
          baseline: join(dir, 'baseline'),
          output: join(dir, 'out'),
          schedule: 'cron(0 * ? * * *)',
          window: { start: '-P1DT1H', end: '-P1D' },
          catchUp: 0,
          retry: { attempts: 1, backoffMs: 10 },
          modelQuality: {
            problemType: 'BinaryClassification',
            groundTruth: join(dir, 'gt'),
            probabilityAttribute: '0',
            retryMissingLabelsFor: 'PT2H',
          },
        },
      ],
    }).monitors;
    if (!monitor) throw new Error('no monitor');
    worker = new WorkerService({ redis: redisUrl(), queue: settings, storage, progressIntervalMs: 0 });
    await worker.start();
    const tick = async (at: Date): Promise<string[]> => {
      const job = await queue.add(
        'tick',
        { monitor },
        { jobId: `tick-${at.getTime()}`, prevMillis: at.getTime() },
      );
      const done = await waitForJob(queue, job.id as string, { timeoutMs: 30_000 });
      expect(done.failedReason).toBeUndefined();
      return (done.returnvalue as { executions: string[] }).executions;
    };
    const id = 'mq__late-labels__20250311T010000Z';
    // 01:00 on day 2: the window (day 1, 00:00-01:00) has no labels yet.
    expect(await tick(new Date(START.getTime() + 25 * HOUR))).toEqual([id]);
    const first = await waitForJob(queue, id, { timeoutMs: 30_000 });
    expect(first.returnvalue).toMatchObject({
      status: 'Failed',
      failureReason: expect.stringMatching(/^No ground truth to merge/),
    });
    // The labels are collected at 01:xx on day 2, after that execution read the folders.
    await writeGroundTruth(
      storage,
      join(dir, 'gt'),
      new Date(START.getTime() + 25 * HOUR),
      records as TrafficRecord[],
    );
    // 02:00: the failed window is enqueued again beside the new one, and completes with the late labels.
    expect(await tick(new Date(START.getTime() + 26 * HOUR))).toEqual([
      'mq__late-labels__20250311T020000Z',
      id,
    ]);
    const again = await waitForJob(queue, id, { timeoutMs: 30_000 });
    expect(again.data.trigger).toBe('label-retry');
    expect(again.returnvalue).toMatchObject({ status: expect.stringMatching(/^Completed/) });
    const summary = (await readExecutionSummary(storage, again.data.execution)) as ModelQualitySummary;
    expect(summary.modelQuality.join).toMatchObject({ matched: 200 });
    expect(summary?.storedResult).toBeUndefined();
    // The next window (day 1, 01:00-02:00) has predictions whose labels never come: retried at 03:00 and
    // 04:00 (its deadline, 2 h after it was scheduled), then left failed.
    const t02 = 'mq__late-labels__20250311T020000Z';
    const stillFailed = async (jobId: string) =>
      expect((await waitForJob(queue, jobId, { timeoutMs: 30_000 })).returnvalue).toMatchObject({
        status: 'Failed',
        failureReason: expect.stringMatching(/^No ground truth to merge/),
      });
    await stillFailed(t02);
    expect(await tick(new Date(START.getTime() + 27 * HOUR))).toEqual([
      'mq__late-labels__20250311T030000Z',
      t02,
    ]);
    await stillFailed(t02);
    await waitForJob(queue, 'mq__late-labels__20250311T030000Z', { timeoutMs: 30_000 });
    expect(await tick(new Date(START.getTime() + 28 * HOUR))).toEqual([
      'mq__late-labels__20250311T040000Z',
      t02,
    ]);
    await stillFailed(t02);
    await waitForJob(queue, 'mq__late-labels__20250311T040000Z', { timeoutMs: 30_000 });
    expect(await tick(new Date(START.getTime() + 29 * HOUR))).toEqual(['mq__late-labels__20250311T050000Z']);
  });
});
