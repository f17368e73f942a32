/**
 * Issue 13 "Done when", end to end on moto_server (S3, CloudWatch) and real Redis, run by the worker
 * service from monitors-config entries:
 * - a `type: bias` monitor over a day of generated traffic in which the female positive prediction rate
 *   drops for the second half of the day: bias_drift_check violations for DPPL and DI in exactly those
 *   hours, `bias_metric_<NAME>` in CloudWatch for every hour, and the bias alarm that `alarms sync`
 *   creates breaching exactly in those hours (its metric read back as DescribeAlarms defines it);
 * - a `type: attribution` monitor whose top two features swap importance: NDCG below 0.9 and a
 *   feature_attribution_drift_check violation in the shifted hours only, above 0.9 in the stable ones.
 */
import { randomUUID } from 'node:crypto';
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import type { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { monitorAlarmInput } from '../../src/alerts/alarm-inputs.js';
import { syncAlarms } from '../../src/alerts/alarms.js';
import { cloudWatchPublisher } from '../../src/alerts/cloudwatch-publisher.js';
import { type MonitorConfig, parseMonitorsConfig, type QueueSettings } from '../../src/config/monitors.js';
import { hourPath } from '../../src/core/hours.js';
import { joinUri, RoutingStorage } from '../../src/io/storage.js';
import { executionJobId } from '../../src/jobs/ids.js';
import { closeQueue, enqueueExecution, openQueue } from '../../src/jobs/queue.js';
import { WorkerService } from '../../src/jobs/service.js';
import type { AttributionSummary } from '../../src/monitor/attribution.js';
import type { BiasSummary } from '../../src/monitor/bias.js';
import { readExecutionSummary } from '../../src/monitor/execution.js';
import {
  attributionBaselineJson,
  writeAttributionTraffic,
  writeBiasBaseline,
  writeBiasTraffic,
} from '../fixtures/clarify/traffic.js';
import { freshBucket, testCloudWatchClient, testS3Client } from '../support/aws.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitForJob } from '../support/queues.js';

const HOUR = 3_600_000;
// CloudWatch keeps datapoints two weeks: yesterday's day.
const DAY_START = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
const BIAS_HOURS = 24;
const DEGRADED_FROM = 12;
const ATTR_HOURS = 6;
const SHIFTED_FROM = 3;

describe('Clarify monitors in the worker, on S3 and CloudWatch', () => {
  const storage = new RoutingStorage({ client: testS3Client() });
  let cloudwatch: CloudWatchClient;
  let root: string;
  let settings: QueueSettings;
  let queue: Queue;
  let worker: WorkerService | undefined;
  const alarmPrefixes: string[] = [];

  beforeAll(async () => {
    cloudwatch = testCloudWatchClient();
    root = `s3://${await freshBucket('dw-clarify')}`;
    await writeBiasBaseline(storage, root);
    await writeBiasTraffic({
      storage,
      captureUri: joinUri(root, 'capture'),
      groundTruthUri: joinUri(root, 'gt'),
      endpoint: 'credit',
      start: DAY_START,
      hours: BIAS_HOURS,
      perHour: 160,
      degraded: (h) => h >= DEGRADED_FROM,
      labelDelayHours: 1,
    });
    await storage.write(joinUri(root, 'attr-baseline', 'analysis.json'), attributionBaselineJson());
    await writeAttributionTraffic({
      storage,
      captureUri: joinUri(root, 'capture'),
      endpoint: 'explained',
      start: DAY_START,
      hours: ATTR_HOURS,
      perHour: 100,
      shifted: (h) => h >= SHIFTED_FROM,
    });
  }, 120_000);

  afterEach(async () => {
    await worker?.close({ force: true });
    worker = undefined;
    await closeQueue(queue);
    await cleanupQueue(settings);
    for (const prefix of alarmPrefixes.splice(0)) {
      const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${prefix}-` }));
      const names = (out.MetricAlarms ?? []).map((a) => a.AlarmName as string);
      if (names.length) await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: names }));
    }
  });

  afterAll(() => {
    cloudwatch?.destroy();
    storage.destroy();
  });

  function monitorOf(entry: Record<string, unknown>): MonitorConfig {
    const [monitor] = parseMonitorsConfig({
      monitors: [
        {
          capture: joinUri(root, 'capture'),
          output: joinUri(root, 'reports'),
          schedule: 'cron(0 * ? * * *)',
          cloudwatch: true,
          retry: { attempts: 2, backoffMs: 100 },
          ...entry,
        },
      ],
    }).monitors;
    if (!monitor) throw new Error('no monitor');
    return monitor;
  }

  /** Runs the monitor's executions at `scheduled` on a worker; their summaries in order. */
  async function runAll(monitor: MonitorConfig, scheduled: Date[]) {
    settings = uniqueQueueSettings();
    queue = openQueue({ redis: redisUrl(), queue: settings });
    const ids: string[] = [];
    for (const at of scheduled) ids.push((await enqueueExecution(queue, monitor, at, 'backfill')).id);
    worker = new WorkerService({
      redis: redisUrl(),
      queue: settings,
      storage,
      publisher: cloudWatchPublisher(cloudwatch),
      progressIntervalMs: 0,
    });
    await worker.start();
    const summaries = [];
    for (const id of ids) {
      const job = await waitForJob(queue, id, { timeoutMs: 120_000 });
      expect(job.failedReason).toBeUndefined();
      const summary = await readExecutionSummary(storage, job.data.execution);
      if (!summary) throw new Error(`no execution.json for ${id}`);
      summaries.push(summary);
    }
    return summaries;
  }

  /** The alarm's metric, per hour of the day, read with the alarm's own statistic. */
  async function alarmSeries(alarm: MetricAlarm, from: Date, hours: number): Promise<Map<number, number>> {
    const answer = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: alarm.Namespace,
        MetricName: alarm.MetricName,
        Dimensions: alarm.Dimensions,
        StartTime: from,
        EndTime: new Date(from.getTime() + hours * HOUR),
        Period: alarm.Period,
        Statistics: [alarm.Statistic ?? 'Maximum'],
      }),
    );
    const stat = alarm.Statistic ?? 'Maximum';
    return new Map(
      (answer.Datapoints ?? []).map((p) => [
        Math.round(((p.Timestamp as Date).getTime() - from.getTime()) / HOUR),
        p[stat] as number,
      ]),
    );
  }

  it('bias: DPPL/DI violations in exactly the degraded hours, metrics in CloudWatch, the alarm breaching then', async () => {
    const name = `bias-${randomUUID().slice(0, 6)}`;
    const monitor = monitorOf({
      name,
      type: 'bias',
      endpoint: 'credit',
      baseline: joinUri(root, 'bias-baseline'),
      window: { start: '-PT2H', end: '-PT1H' },
      bias: { groundTruth: joinUri(root, 'gt') },
    });
    // Hour h is evaluated at h + 2 (its labels were collected at h + 1).
    const scheduled = Array.from(
      { length: BIAS_HOURS },
      (_, h) => new Date(DAY_START.getTime() + (h + 2) * HOUR),
    );
    const summaries = await runAll(monitor, scheduled);
    summaries.forEach((summary, h) => {
      const details = (summary as BiasSummary).bias;
      expect(details.join).toMatchObject({ predictions: 160, matched: 160 });
      const violated = new Set(details.violatedMetrics);
      if (h < DEGRADED_FROM) {
        expect(summary.status).toBe('Completed');
        expect(violated.size).toBe(0);
      } else {
        expect(summary.status).toBe('CompletedWithViolations');
        for (const v of ['gender=female:DPPL', 'gender=male:DPPL', 'gender=male:DI'])
          expect(violated).toContain(v);
      }
      expect(summary.metricsPublished).toBeGreaterThan(40);
    });

    // bias_metric_DPPL of the female entry, one datum per hour (published once).
    const dims = [
      { Name: 'Endpoint', Value: 'credit' },
      { Name: 'MonitoringSchedule', Value: name },
      { Name: 'BiasStage', Value: 'Post-Training' },
      { Name: 'Label', Value: 'Target' },
      { Name: 'LabelValue', Value: '1' },
      { Name: 'Facet', Value: 'gender' },
      { Name: 'FacetValue', Value: 'female' },
    ];
    const dppl = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'aws/sagemaker/Endpoints/bias-metrics',
        MetricName: 'bias_metric_DPPL',
        Dimensions: dims,
        StartTime: DAY_START,
        EndTime: new Date(DAY_START.getTime() + (BIAS_HOURS + 2) * HOUR),
        Period: 3600,
        Statistics: ['SampleCount', 'Maximum'],
      }),
    );
    const points = dppl.Datapoints ?? [];
    expect(points).toHaveLength(BIAS_HOURS);
    expect(points.every((p) => p.SampleCount === 1)).toBe(true);
    // Healthy: both genders accepted at 50 % → 0; degraded: 0.5 − 0.125.
    const byHour = new Map(
      points.map((p) => [((p.Timestamp as Date).getTime() - DAY_START.getTime()) / HOUR - 2, p.Maximum]),
    );
    for (let h = 0; h < BIAS_HOURS; h++) expect(byHour.get(h)).toBe(h < DEGRADED_FROM ? 0 : 0.375);

    // alarms sync: one bias alarm per facet metric; the DI alarm of the male entry breaches in the degraded hours.
    const prefix = `dwt${randomUUID().slice(0, 8)}`;
    alarmPrefixes.push(prefix);
    const input = await monitorAlarmInput(monitor, storage);
    input.settings = { ...input.settings, namePrefix: prefix };
    await syncAlarms(cloudwatch, [input], { dryRun: false, namePrefix: prefix });
    const described = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${prefix}-` }));
    const alarms = described.MetricAlarms ?? [];
    const biasAlarms = alarms.filter((a) => a.AlarmName?.startsWith(`${prefix}-${name}-bias-`));
    // 2 facet values × (8 pre-training − CDDL (null) + 12 post-training − CDDPL (null)) metrics.
    expect(biasAlarms).toHaveLength(2 * (7 + 11));
    expect(alarms.some((a) => a.AlarmName === `${prefix}-${name}-stopped-reporting`)).toBe(true);
    const di = biasAlarms.find((a) => a.AlarmName === `${prefix}-${name}-bias-gender-male-post-DI`);
    expect(di).toMatchObject({
      Namespace: 'aws/sagemaker/Endpoints/bias-metrics',
      MetricName: 'bias_drift_DI',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const series = await alarmSeries(di as MetricAlarm, new Date(DAY_START.getTime() + 2 * HOUR), BIAS_HOURS);
    expect(series.size).toBe(BIAS_HOURS);
    for (let h = 0; h < BIAS_HOURS; h++) expect((series.get(h) as number) >= 1).toBe(h >= DEGRADED_FROM);
  }, 300_000);

  it('attribution: NDCG below 0.9 when two features swap, above on stable hours; metrics and alarm', async () => {
    const name = `attr-${randomUUID().slice(0, 6)}`;
    const monitor = monitorOf({
      name,
      type: 'attribution',
      endpoint: 'explained',
      baseline: joinUri(root, 'attr-baseline'),
      attribution: {},
    });
    const scheduled = Array.from(
      { length: ATTR_HOURS },
      (_, h) => new Date(DAY_START.getTime() + (h + 1) * HOUR),
    );
    const summaries = await runAll(monitor, scheduled);
    summaries.forEach((summary, h) => {
      const d = (summary as AttributionSummary).attribution;
      const ndcg = d.labels[0]?.ndcg as number;
      if (h < SHIFTED_FROM) {
        expect(summary.status).toBe('Completed');
        expect(ndcg).toBeGreaterThan(0.9);
      } else {
        expect(summary.status).toBe('CompletedWithViolations');
        expect(ndcg).toBeLessThan(0.9);
        expect(d.violatedLabels).toEqual(['label0']);
      }
    });
    const feature = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'aws/sagemaker/Endpoints/explainability-metrics',
        MetricName: 'feature_income',
        Dimensions: [
          { Name: 'Endpoint', Value: 'explained' },
          { Name: 'MonitoringSchedule', Value: name },
          { Name: 'ExplainabilityMethod', Value: 'KernelShap' },
          { Name: 'Label', Value: 'label0' },
          { Name: 'ValueType', Value: 'GlobalShapValues' },
        ],
        StartTime: DAY_START,
        EndTime: new Date(DAY_START.getTime() + (ATTR_HOURS + 1) * HOUR),
        Period: 3600,
        Statistics: ['Maximum'],
      }),
    );
    expect(feature.Datapoints).toHaveLength(ATTR_HOURS);

    const prefix = `dwt${randomUUID().slice(0, 8)}`;
    alarmPrefixes.push(prefix);
    const input = await monitorAlarmInput(monitor, storage);
    input.settings = { ...input.settings, namePrefix: prefix };
    await syncAlarms(cloudwatch, [input], { dryRun: false, namePrefix: prefix });
    const described = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [`${prefix}-${name}-attribution-label0`] }),
    );
    const alarm = described.MetricAlarms?.[0];
    expect(alarm).toMatchObject({
      MetricName: 'attribution_ndcg',
      Threshold: 0.9,
      ComparisonOperator: 'LessThanThreshold',
    });
    const series = await alarmSeries(alarm as MetricAlarm, new Date(DAY_START.getTime() + HOUR), ATTR_HOURS);
    for (let h = 0; h < ATTR_HOURS; h++) expect((series.get(h) as number) < 0.9).toBe(h >= SHIFTED_FROM);
  }, 300_000);

  it('bias: a window that failed for lack of labels is retried at later ticks, until retryMissingLabelsFor', async () => {
    const name = `bias-late-${randomUUID().slice(0, 6)}`;
    const staged = joinUri(root, `late-${name}`, 'staged-gt');
    const gt = joinUri(root, `late-${name}`, 'gt');
    // Two hours of traffic; their labels are written aside (collected one hour later) and moved into the
    // monitor's ground truth only for the first hour, after its first execution.
    await writeBiasTraffic({
      storage,
      captureUri: joinUri(root, 'capture'),
      groundTruthUri: staged,
      endpoint: name,
      start: DAY_START,
      hours: 2,
      perHour: 160,
      degraded: () => false,
      labelDelayHours: 1,
    });
    const monitor = monitorOf({
      name,
      type: 'bias',
      endpoint: name,
      baseline: joinUri(root, 'bias-baseline'),
      window: { start: '-PT2H', end: '-PT1H' },
      cloudwatch: false,
      catchUp: 0,
      retry: { attempts: 1, backoffMs: 10 },
      bias: { groundTruth: gt, retryMissingLabelsFor: 'PT2H' },
    });
    settings = uniqueQueueSettings();
    queue = openQueue({ redis: redisUrl(), queue: settings });
    worker = new WorkerService({ redis: redisUrl(), queue: settings, storage, progressIntervalMs: 0 });
    await worker.start();
    const at = (hours: number) => new Date(DAY_START.getTime() + hours * HOUR);
    const tick = async (scheduled: Date): Promise<string[]> => {
      const job = await queue.add(
        'tick',
        { monitor },
        { jobId: `tick-${scheduled.getTime()}`, prevMillis: scheduled.getTime() },
      );
      const done = await waitForJob(queue, job.id as string, { timeoutMs: 60_000 });
      expect(done.failedReason).toBeUndefined();
      return (done.returnvalue as { executions: string[] }).executions;
    };
    const idAt = (hours: number) => executionJobId('bias', name, at(hours));
    const noLabels = async (id: string) =>
      expect((await waitForJob(queue, id, { timeoutMs: 60_000 })).returnvalue).toMatchObject({
        status: 'Failed',
        failureReason: expect.stringMatching(/^No ground truth to merge/),
      });

    // 02:00: the window of hour 0 has no labels yet.
    expect(await tick(at(2))).toEqual([idAt(2)]);
    await noLabels(idAt(2));
    // Hour 0's labels arrive (in the 01:00 folder, as collected); hour 1's never do.
    for await (const object of storage.list(joinUri(staged, hourPath(at(1)))))
      await storage.write(object.uri.replace(staged, gt), await storage.readText(object.uri));
    // 03:00: hour 0's window is enqueued again beside the new one and completes with the late labels.
    expect(await tick(at(3))).toEqual([idAt(3), idAt(2)]);
    const again = await waitForJob(queue, idAt(2), { timeoutMs: 60_000 });
    expect(again.data.trigger).toBe('label-retry');
    expect(again.returnvalue).toMatchObject({ status: 'Completed' });
    const summary = (await readExecutionSummary(storage, again.data.execution)) as BiasSummary;
    expect(summary.bias.join).toMatchObject({ predictions: 160, matched: 160 });
    expect(summary.storedResult).toBeUndefined();
    // Hour 1's window (scheduled 03:00) is retried at 04:00 and 05:00, its deadline, then left failed.
    await noLabels(idAt(3));
    expect(await tick(at(4))).toEqual([idAt(4), idAt(3)]);
    await noLabels(idAt(3));
    await waitForJob(queue, idAt(4), { timeoutMs: 60_000 });
    expect(await tick(at(5))).toEqual([idAt(5), idAt(3)]);
    await noLabels(idAt(3));
    await waitForJob(queue, idAt(5), { timeoutMs: 60_000 });
    expect(await tick(at(6))).toEqual([idAt(6)]);
  }, 300_000);

  it('fails a bias execution at once when its analysis_config.json is missing (permanent, not retried)', async () => {
    const monitor = monitorOf({
      name: `bias-broken-${randomUUID().slice(0, 6)}`,
      type: 'bias',
      endpoint: 'credit',
      baseline: joinUri(root, 'bias-baseline'),
      retry: { attempts: 3, backoffMs: 100 },
      bias: {
        groundTruth: joinUri(root, 'gt'),
        analysisConfig: joinUri(root, 'nowhere', 'analysis_config.json'),
      },
    });
    settings = uniqueQueueSettings();
    queue = openQueue({ redis: redisUrl(), queue: settings });
    const { id } = await enqueueExecution(queue, monitor, new Date(DAY_START.getTime() + 3 * HOUR), 'manual');
    worker = new WorkerService({
      redis: redisUrl(),
      queue: settings,
      storage,
      publisher: cloudWatchPublisher(cloudwatch),
      progressIntervalMs: 0,
    });
    await worker.start();
    const job = await waitForJob(queue, id, { states: ['failed'], timeoutMs: 60_000 });
    expect(job.failedReason).toMatch(
      /analysis_config\.json: the bias monitor needs its Clarify analysis_config\.json here/,
    );
    expect(job.attemptsMade).toBe(1);
  });
});
