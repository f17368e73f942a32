/**
 * `driftwatch baseline --analysis model-quality` and `driftwatch run-quality` end to end on moto (S3 and
 * CloudWatch, real AWS SDK): the commands run in-process through commander, as main.ts registers them.
 */
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { register as registerBaseline } from '../../src/cli/commands/baseline.js';
import { register as registerRunQuality } from '../../src/cli/commands/run-quality.js';
import { RoutingStorage } from '../../src/io/storage.js';
import type { ModelQualitySummary } from '../../src/monitor/model-quality.js';

import {
  baselineCsv,
  type TrafficRecord,
  writeCapture,
  writeGroundTruth,
} from '../fixtures/quality/traffic.js';
import { freshBucket, testCloudWatchClient, testS3Client } from '../support/aws.js';

const HOUR = 3_600_000;
// CloudWatch keeps datapoints up to two weeks old: traffic of two days ago, labels of yesterday.
const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000);

async function cli(args: string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
  const program = new Command('driftwatch').exitOverride();
  registerBaseline(program);
  registerRunQuality(program);
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'driftwatch', ...args]);
    return { stdout: chunks.join(''), exitCode: process.exitCode as number | undefined };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}

function lastJson<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string) as T;
}

describe('model-quality CLI on S3 and CloudWatch', () => {
  const storage = new RoutingStorage({ client: testS3Client() });
  const cloudwatch = testCloudWatchClient();
  let root: string;
  let byHour: TrafficRecord[][];

  beforeAll(async () => {
    root = `s3://${await freshBucket('dw-quality')}`;
    await storage.write(`${root}/validation/validation.csv`, baselineCsv(1500));
    byHour = await writeCapture({
      storage,
      captureUri: `${root}/capture`,
      groundTruthUri: `${root}/ground-truth`,
      endpoint: 'churn',
      start: day,
      hours: 2,
      perHour: 300,
      degradeFromHour: 1,
    });
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => {
    storage.destroy();
    cloudwatch.destroy();
  });

  it('builds a model-quality baseline with statistics, constraints and a calibration', async () => {
    const { stdout } = await cli([
      'baseline',
      '--analysis',
      'model-quality',
      '--dataset',
      `${root}/validation/validation.csv`,
      '--out',
      `${root}/baseline`,
      '--problem-type',
      'BinaryClassification',
      '--ground-truth-attribute',
      'label',
      '--probability-attribute',
      'probability',
      '--json',
    ]);
    const summary = lastJson<{ itemCount: number; metrics: Record<string, number>; calibration: string }>(
      stdout,
    );
    expect(summary.itemCount).toBe(1500);
    expect(summary.metrics.f1).toBeGreaterThan(0.8);
    const stats = JSON.parse(await storage.readText(`${root}/baseline/statistics.json`));
    expect(stats.version).toBe(0);
    expect(stats.dataset.item_count).toBe(1500);
    expect(Object.keys(stats.binary_classification_metrics)).toContain(
      'receiver_operating_characteristic_curve',
    );
    expect(typeof stats.binary_classification_metrics.auc.standard_deviation).toBe('number');
    const constraints = JSON.parse(await storage.readText(`${root}/baseline/constraints.json`));
    expect(constraints.binary_classification_constraints.f1).toEqual({
      threshold: summary.metrics.f1,
      comparison_operator: 'LessThanThreshold',
    });
    expect(constraints.binary_classification_constraints.false_positive_rate.comparison_operator).toBe(
      'GreaterThanThreshold',
    );
    expect(summary.calibration).toBe(`${root}/baseline/model_quality_calibration.json`);
  });

  it('fails clearly when the window has no ground truth, still estimating and publishing', async () => {
    const { stdout, exitCode } = await cli(
      runArgs(0, 'mq-nolabels', `${new Date(day.getTime() + HOUR).toISOString()}`),
    );
    const summary = lastJson<ModelQualitySummary>(stdout);
    expect(exitCode).toBe(1);
    expect(summary.status).toBe('Failed');
    expect(summary.failureReason).toContain('No ground truth to merge: no ground-truth objects in');
    const details = summary.modelQuality;
    expect(details.estimated?.estimate.item_count).toBe(300);
    expect(summary.metricsPublished).toBeGreaterThan(0);
  });

  it('joins late labels, flags the degraded hour and publishes realised and estimated metrics', async () => {
    for (let h = 0; h < 2; h++) {
      await writeGroundTruth(
        storage,
        `${root}/ground-truth`,
        new Date(day.getTime() + h * HOUR + 86_400_000),
        byHour[h] as TrafficRecord[],
      );
    }
    const until = new Date(day.getTime() + 2 * 86_400_000).toISOString();
    const healthy = lastJson<ModelQualitySummary>((await cli(runArgs(0, 'mq-labels', until))).stdout);
    const degraded = lastJson<ModelQualitySummary>((await cli(runArgs(1, 'mq-labels', until))).stdout);
    // Suggested thresholds equal the baseline values (SageMaker's rule), so even a healthy hour may breach
    // some by sampling noise; the degraded hour breaches f1 and auc by far.
    expect(healthy.modelQuality.metrics.f1).toBeGreaterThan(0.75);
    expect(degraded.status).toBe('CompletedWithViolations');
    expect(degraded.modelQuality.metrics.f1).toBeLessThan(0.7);
    const d = degraded.modelQuality;
    expect(d.join.matched).toBe(300);
    expect(d.violatedMetrics).toContain('f1');
    expect(d.violatedMetrics).toContain('auc');
    const violations = JSON.parse(await storage.readText(`${degraded.reportUri}constraint_violations.json`));
    const f1 = violations.violations.find((v: { metric_name: string }) => v.metric_name === 'f1');
    expect(f1.constraint_check_type).toBe('LessThanThreshold');
    expect(f1.description).toMatch(/^Metric f1 with [0-9.]+ was LessThanThreshold [0-9.]+$/);

    const listed = await cloudwatch.send(
      new ListMetricsCommand({
        Namespace: 'aws/sagemaker/Endpoints/model-metrics',
        Dimensions: [
          { Name: 'Endpoint', Value: 'churn' },
          { Name: 'MonitoringSchedule', Value: 'mq-labels' },
        ],
      }),
    );
    const names = new Set((listed.Metrics ?? []).map((m) => m.MetricName));
    for (const name of [
      'f1',
      'f2',
      'auc',
      'accuracy',
      'recall_best_constant_classifier',
      'estimated_f1',
      'estimated_f1_lower',
      'estimated_auc',
    ]) {
      expect(names.has(name), name).toBe(true);
    }
    // Rerun: the stored execution, nothing published again.
    const again = lastJson<ModelQualitySummary>((await cli(runArgs(1, 'mq-labels', until))).stdout);
    expect(again).toEqual({
      ...degraded,
      storedResult: expect.objectContaining({ computedAt: degraded.computedAt }),
    });
  });

  function runArgs(hour: number, schedule: string, until: string): string[] {
    const start = new Date(day.getTime() + hour * HOUR);
    return [
      'run-quality',
      '--baseline',
      `${root}/baseline`,
      '--capture',
      `${root}/capture`,
      '--endpoint',
      'churn',
      '--ground-truth',
      `${root}/ground-truth`,
      '--start',
      start.toISOString(),
      '--end',
      new Date(start.getTime() + HOUR).toISOString(),
      '--ground-truth-until',
      until,
      '--out',
      `${root}/reports`,
      '--schedule',
      schedule,
      '--problem-type',
      'BinaryClassification',
      '--probability-attribute',
      '0',
      '--cloudwatch',
      '--json',
    ];
  }
});
