/**
 * A backfill of a `cloudwatch: true` monitor over a window older than 14 days (issue 12): CloudWatch refuses
 * datums that old, so `backfill` says so before enqueuing, and the worker's execution writes its reports,
 * sends nothing and records `metricsNotPublished` in its own field (not as an input problem); a window of
 * yesterday in the same monitor publishes as usual. Real Redis, CloudWatch on moto.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Queue } from 'bullmq';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { generateCaptureFiles } from '../../bench/capture.js';
import { cloudWatchPublisher } from '../../src/alerts/cloudwatch-publisher.js';
import { parseMonitorsConfig, type QueueSettings } from '../../src/config/monitors.js';
import { RoutingStorage } from '../../src/io/storage.js';
import { executionJobId } from '../../src/jobs/ids.js';
import { closeQueue, openQueue } from '../../src/jobs/queue.js';
import { WorkerService } from '../../src/jobs/service.js';
import { readExecutionSummary } from '../../src/monitor/execution.js';
import { reportPrefix } from '../../src/monitor/report-prefix.js';
import { testCloudWatchClient } from '../support/aws.js';
import { runCli } from '../support/cli.js';
import { prepareMonitorData } from '../support/monitor-data.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitForJob } from '../support/queues.js';
import { assertBuilt } from '../support/worker-process.js';

const HOUR = 3_600_000;
const thisHour = Math.floor(Date.now() / HOUR) * HOUR;
const oldWindow = new Date(thisHour - 20 * 24 * HOUR); // 20 days ago
const freshWindow = new Date(thisHour - 24 * HOUR); // yesterday

let settings: QueueSettings;
let queue: Queue;
let dir: string;
let worker: WorkerService | undefined;
let cloudwatch: CloudWatchClient | undefined;

beforeAll(() => assertBuilt());
afterEach(async () => {
  await worker?.close({ force: true });
  cloudwatch?.destroy();
  await closeQueue(queue);
  await cleanupQueue(settings);
  rmSync(dir, { recursive: true, force: true });
});

describe('backfill of a window older than 14 days with cloudwatch: true', () => {
  it('warns before enqueuing; the execution writes its reports, publishes nothing and says why', async () => {
    settings = uniqueQueueSettings();
    queue = openQueue({ redis: redisUrl(), queue: settings });
    dir = mkdtempSync(join(tmpdir(), 'dw-backfill-old-'));
    const data = await prepareMonitorData(dir, { records: 300, files: 2, windowStart: oldWindow });
    await generateCaptureFiles(data.captureUri, 300, 8, freshWindow, {
      endpoint: 'ep',
      recordsPerFile: 150,
      minutesPerFile: 30,
    });
    const name = `old-${randomUUID().slice(0, 8)}`;
    const document = {
      queue: settings,
      monitors: [
        {
          name,
          endpoint: data.endpoint,
          capture: data.captureUri,
          baseline: data.baselineUri,
          output: data.outputUri,
          schedule: 'cron(0 * ? * * *)',
          cloudwatch: true,
          retry: { attempts: 1, backoffMs: 10 },
        },
      ],
    };
    const path = join(dir, 'monitors.yaml');
    writeFileSync(path, YAML.stringify(document));
    parseMonitorsConfig(document, path); // the file is valid

    const backfill = (from: Date) =>
      runCli(
        [
          'backfill',
          '--config',
          path,
          '--monitor',
          name,
          '--from',
          from.toISOString(),
          '--to',
          new Date(from.getTime() + HOUR).toISOString(),
        ],
        { env: { REDIS_URL: redisUrl() } },
      );
    // Scheduled at the end of each window (-PT1H .. -PT0H).
    const old = await backfill(new Date(oldWindow.getTime() + HOUR));
    expect(old.code, old.stderr).toBe(0);
    expect(old.stderr).toContain('warning: metrics not published for scheduled times before');
    expect(old.stderr).toContain('window older than 14 days');
    const fresh = await backfill(new Date(freshWindow.getTime() + HOUR));
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).not.toContain('warning');

    cloudwatch = testCloudWatchClient();
    worker = new WorkerService({
      redis: redisUrl(),
      queue: settings,
      storage: new RoutingStorage(),
      publisher: cloudWatchPublisher(cloudwatch),
      progressIntervalMs: 0,
    });
    await worker.start();
    const storage = new RoutingStorage();
    const summaries = [];
    for (const window of [oldWindow, freshWindow]) {
      const at = new Date(window.getTime() + HOUR);
      const job = await waitForJob(queue, executionJobId('data-quality', name, at), { timeoutMs: 60_000 });
      expect(job.failedReason).toBeUndefined();
      const summary = await readExecutionSummary(storage, job.data.execution);
      expect(summary?.recordsRead).toBe(300);
      summaries.push({ summary, prefix: reportPrefix(job.data.execution) });
    }
    const [older, newer] = summaries;
    // Old: the reports are there, no datum was sent (no publication claim), and the summary says why.
    expect(older?.summary?.metricsNotPublished).toBe('window older than 14 days');
    expect(older?.summary?.metricsPublished).toBe(0);
    expect(Object.keys(older?.summary?.issues.counts ?? {})).not.toContain('metric-datum-invalid');
    expect(existsSync(join(older?.prefix ?? '', 'statistics.json'))).toBe(true);
    expect(existsSync(join(older?.prefix ?? '', '.metrics-claim'))).toBe(false);
    // Yesterday's window of the same monitor publishes.
    expect(newer?.summary?.metricsNotPublished).toBeUndefined();
    expect(newer?.summary?.metricsPublished).toBeGreaterThan(0);
  });
});
