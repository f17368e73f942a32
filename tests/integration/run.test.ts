import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { createCloudWatchClient } from '../../src/alerts/client.js';
import { cloudWatchPublisher } from '../../src/alerts/cloudwatch-publisher.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { silentLogger } from '../../src/core/log.js';
import { captureLine, rowGenerator, writeCaptureHours, writeTrainingCsv } from '../../src/demo/traffic.js';
import { RoutingStorage } from '../../src/io/storage.js';
import { runExecution } from '../../src/monitor/data-quality.js';
import { reportPrefix } from '../../src/monitor/report-prefix.js';
import type { DataQualityJob } from '../../src/monitor/types.js';
import { awsEndpoint, freshBucket, testS3Client } from '../support/aws.js';

const s3 = testS3Client();
const storage = new RoutingStorage({ client: s3 });
const cloudwatch = createCloudWatchClient({
  endpoint: awsEndpoint(),
  region: 'us-east-1',
  disableRequestCompression: true,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});
afterAll(() => {
  storage.destroy();
  cloudwatch.destroy();
});

// CloudWatch takes datapoints up to two weeks old: use yesterday.
const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
const ymd = day.toISOString().slice(0, 10).replaceAll('-', '/');

async function setup() {
  const bucket = await freshBucket('dw-run');
  const root = `s3://${bucket}`;
  await writeTrainingCsv(storage, `${root}/training/train.csv`, 5000);
  await buildBaseline(storage, { dataset: `${root}/training/train.csv`, out: `${root}/baseline` });
  await writeCaptureHours(storage, {
    captureUri: `${root}/capture`,
    endpoint: 'ep-1',
    start: day,
    hours: 2,
    recordsPerHour: 600,
    driftFrom: new Date(day.getTime() + 3_600_000),
    drift: { numericShift: { basket_value: 1.0 } },
  });
  return { bucket, root };
}

function jobFor(root: string, hour: number, schedule: string): DataQualityJob {
  const start = new Date(day.getTime() + hour * 3_600_000);
  const end = new Date(start.getTime() + 3_600_000);
  return {
    monitorName: schedule,
    endpoint: 'ep-1',
    captureUri: `${root}/capture`,
    baselineUri: `${root}/baseline`,
    outputUri: `${root}/reports`,
    scheduleName: schedule,
    windowStart: start.toISOString(),
    windowEnd: end.toISOString(),
    scheduledTime: end.toISOString(),
    cloudwatch: true,
  };
}

describe('a data-quality execution against S3 and CloudWatch (moto)', () => {
  it('writes the reports to S3 and the metrics to CloudWatch, once', async () => {
    const { root } = await setup();
    const schedule = `sched-${Date.now()}`;
    const quiet = await runExecution(jobFor(root, 0, schedule), {
      storage,
      publisher: cloudWatchPublisher(cloudwatch),
      logger: silentLogger,
    });
    expect(quiet.status).toBe('Completed');
    expect(quiet.message).toBe('Completed: Job completed successfully with no violations.');
    const job = jobFor(root, 1, schedule);
    const summary = await runExecution(job, {
      storage,
      publisher: cloudWatchPublisher(cloudwatch),
      logger: silentLogger,
    });
    expect(summary.status).toBe('CompletedWithViolations');
    expect(summary.driftedFeatures).toContain('basket_value');
    expect(summary.recordsRead).toBe(600);
    expect(summary.inputs.length).toBe(4);
    expect(summary.inputs[0]!.etag).toMatch(/\w+/);
    expect(summary.baseline.map((b) => b.uri)).toEqual([
      `${root}/baseline/statistics.json`,
      `${root}/baseline/constraints.json`,
      `${root}/baseline/sensitive.json`,
    ]);

    const prefix = reportPrefix(job);
    expect(prefix).toBe(`${root}/reports/ep-1/${schedule}/${ymd}/02/`);
    const violations = JSON.parse(await storage.readText(`${prefix}constraint_violations.json`));
    expect(
      violations.violations.some(
        (v: { feature_name: string; constraint_check_type: string }) =>
          v.feature_name === 'basket_value' && v.constraint_check_type === 'baseline_drift_check',
      ),
    ).toBe(true);
    const stats = JSON.parse(await storage.readText(`${prefix}statistics.json`));
    expect(stats.dataset.item_count).toBe(600);
    expect(summary.metricsPublished).toBeGreaterThan(50);

    const dims = [
      { Name: 'Endpoint', Value: 'ep-1' },
      { Name: 'Feature', Value: 'basket_value' },
      { Name: 'MonitoringSchedule', Value: schedule },
    ];
    const listed = await cloudwatch.send(
      new ListMetricsCommand({
        Namespace: 'aws/sagemaker/Endpoints/data-metrics',
        MetricName: 'feature_baseline_drift_basket_value',
      }),
    );
    expect(listed.Metrics?.some((m) => m.Dimensions?.some((d) => d.Value === schedule))).toBe(true);
    const query = async () =>
      cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(day.getTime()),
          EndTime: new Date(day.getTime() + 4 * 3_600_000),
          MetricDataQueries: [
            {
              Id: 'drift',
              MetricStat: {
                Metric: {
                  Namespace: 'aws/sagemaker/Endpoints/data-metrics',
                  MetricName: 'feature_baseline_drift_basket_value',
                  Dimensions: dims,
                },
                Period: 3600,
                Stat: 'SampleCount',
              },
            },
            {
              Id: 'data',
              MetricStat: {
                Metric: {
                  Namespace: 'aws/sagemaker/Endpoints/data-metrics',
                  MetricName: 'feature_data_basket_value',
                  Dimensions: dims,
                },
                Period: 3600,
                Stat: 'SampleCount',
              },
            },
            {
              Id: 'maxdrift',
              MetricStat: {
                Metric: {
                  Namespace: 'aws/sagemaker/Endpoints/data-metrics',
                  MetricName: 'feature_baseline_drift_basket_value',
                  Dimensions: dims,
                },
                Period: 3600,
                Stat: 'Maximum',
              },
            },
          ],
        }),
      );
    const first = await query();
    const byId = new Map(first.MetricDataResults?.map((r) => [r.Id, r]));
    expect(byId.get('drift')!.Values!.reduce((a, b) => a + b, 0)).toBe(2);
    expect(byId.get('data')!.Values!.reduce((a, b) => a + b, 0)).toBe(1200);
    expect(Math.max(...byId.get('maxdrift')!.Values!)).toBeCloseTo(
      summary.violatedChecks
        ? (summary.violatedChecks as Array<{ feature: string; currentValue?: number }>).find(
            (v) => v.feature === 'basket_value',
          )!.currentValue!
        : 0,
      9,
    );

    // A retry of the same window returns the stored summary, marked as stored, and publishes nothing more.
    const again = await runExecution(job, {
      storage,
      publisher: cloudWatchPublisher(cloudwatch),
      logger: silentLogger,
    });
    expect(again).toEqual({
      ...summary,
      storedResult: expect.objectContaining({ computedAt: summary.computedAt }),
    });
    const second = await query();
    expect(
      new Map(second.MetricDataResults?.map((r) => [r.Id, r]))
        .get('drift')!
        .Values!.reduce((a, b) => a + b, 0),
    ).toBe(2);
  });

  it('counts malformed capture lines and still completes; fails clearly on an empty window', async () => {
    const bucket = await freshBucket('dw-bad');
    const root = `s3://${bucket}`;
    await writeTrainingCsv(storage, `${root}/training/train.csv`, 2000);
    await buildBaseline(storage, { dataset: `${root}/training/train.csv`, out: `${root}/baseline` });
    const next = rowGenerator(3);
    const t = new Date(day.getTime() + 5 * 3_600_000 + 600_000);
    const good = Array.from({ length: 50 }, (_, i) =>
      captureLine(next(), new Date(t.getTime() + i * 1000), `e${i}`),
    );
    const lines = [
      ...good,
      'not json',
      '{"captureData":{}}',
      captureLine(['0.5', '1', '2'], t, 'short'),
      `{"eventMetadata":{"eventId":"x","inferenceTime":"${new Date(t.getTime() + 60_000).toISOString().slice(0, 19)}Z"},"captureData":{"endpointInput":{"data":"%%%","encoding":"BASE64","observedContentType":"text/csv","mode":"INPUT"}}}`,
    ];
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `capture/ep-2/AllTraffic/${ymd}/05/10-00-000-x.jsonl`,
        Body: lines.join('\n'),
      }),
    );
    const job: DataQualityJob = {
      ...jobFor(root, 5, 'bad-input'),
      endpoint: 'ep-2',
      cloudwatch: false,
    };
    const summary = await runExecution(job, { storage, logger: silentLogger });
    expect(summary.status).not.toBe('Failed');
    expect(summary.issues.total).toBeGreaterThanOrEqual(3);
    expect(summary.issues.samples[0]!.source).toContain('10-00-000-x.jsonl');
    expect(summary.issues.samples.some((s) => s.line === 51)).toBe(true);

    const empty = await runExecution(
      {
        ...job,
        windowStart: new Date(day.getTime() + 8 * 3_600_000).toISOString(),
        windowEnd: new Date(day.getTime() + 9 * 3_600_000).toISOString(),
        scheduledTime: new Date(day.getTime() + 9 * 3_600_000).toISOString(),
      },
      { storage, logger: silentLogger },
    );
    expect(empty.status).toBe('Failed');
    expect(empty.failureReason).toMatch(/No captured data in the window/);
  });

  it('stops with one clear error naming the file and field of a bad baseline', async () => {
    const bucket = await freshBucket('dw-badbase');
    const root = `s3://${bucket}`;
    await storage.write(
      `${root}/baseline/statistics.json`,
      '{"version":0,"dataset":{"item_count":-3},"features":[]}',
    );
    await storage.write(`${root}/baseline/constraints.json`, '{"version":0,"features":[]}');
    await expect(
      runExecution({ ...jobFor(root, 0, 'x'), cloudwatch: false }, { storage, logger: silentLogger }),
    ).rejects.toThrow(/statistics.json: dataset.item_count: expected a count >= 0/);
  });
});
