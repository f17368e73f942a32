/**
 * `driftwatch lineage` (issue 17): from an execution's report folder, the training data, the baseline files
 * (ETag, SHA-256), the execution and its audit, its metric dimensions and the CloudWatch alarms watching
 * them (moto); from a baseline, the executions that used it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCaptureHours, writeTrainingCsv } from '../../src/demo/traffic.js';
import { createStorage } from '../../src/io/storage.js';
import { awsEndpoint, testCloudWatchClient } from '../support/aws.js';
import { lastJson, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-lineage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('driftwatch lineage', () => {
  it('execution → baseline → training data, metrics and alarms; baseline → executions', async () => {
    const storage = createStorage();
    await writeTrainingCsv(storage, join(dir, 'train.csv'), 300);
    const endpoint = `ep-${randomUUID().slice(0, 8)}`;
    await writeCaptureHours(storage, {
      captureUri: join(dir, 'capture'),
      endpoint,
      start: new Date('2026-06-01T00:00:00Z'),
      hours: 2,
      recordsPerHour: 100,
      filesPerHour: 1,
    });
    const baseline = join(dir, 'baseline');
    expect((await runCli(['baseline', '--dataset', join(dir, 'train.csv'), '--out', baseline])).code).toBe(0);
    const reports: string[] = [];
    for (const hour of ['00', '01']) {
      const run = await runCli([
        'run',
        '--baseline',
        baseline,
        '--capture',
        join(dir, 'capture'),
        '--endpoint',
        endpoint,
        '--schedule',
        'lin',
        '--start',
        `2026-06-01T${hour}:00:00Z`,
        '--end',
        `2026-06-01T${hour === '00' ? '01' : '02'}:00:00Z`,
        '--out',
        join(dir, 'reports'),
        '--json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      reports.push(lastJson<{ reportUri: string }>(run.stdout).reportUri);
    }
    const cw = testCloudWatchClient();
    try {
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName: `lin-${endpoint}-drift-x`,
          Namespace: 'aws/sagemaker/Endpoints/data-metrics',
          MetricName: 'feature_baseline_drift_x',
          Dimensions: [
            { Name: 'Endpoint', Value: endpoint },
            { Name: 'Feature', Value: 'x' },
            { Name: 'MonitoringSchedule', Value: 'lin' },
          ],
          Statistic: 'Maximum',
          Period: 3600,
          EvaluationPeriods: 1,
          Threshold: 0.1,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
    } finally {
      cw.destroy();
    }
    const env = {
      AWS_ENDPOINT_URL: awsEndpoint(),
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_DISABLE_REQUEST_COMPRESSION: 'true',
    };
    const result = await runCli(['lineage', '--execution', reports[1]!, '--json'], { env });
    expect(result.code, result.stderr).toBe(0);
    const lineage = lastJson<{
      training: { dataset: string; rows: number };
      baseline: { prefix: string; files: Array<{ uri: string; sha256: string }> };
      execution: { status: string; endpoint: string; schedule: string; audit: { settingsSha256: string } };
      metrics: { dimensions: Record<string, string> };
      alarms: Array<{ name: string; metric: string }>;
    }>(result.stdout);
    expect(lineage.training).toEqual({ dataset: join(dir, 'train.csv'), rows: 300 });
    expect(lineage.baseline.prefix).toBe(`${baseline}/`);
    for (const file of lineage.baseline.files)
      expect(file.sha256).toBe(createHash('sha256').update(readFileSync(file.uri)).digest('hex'));
    expect([lineage.execution.endpoint, lineage.execution.schedule]).toEqual([endpoint, 'lin']);
    expect(lineage.execution.status).toMatch(/^Completed/);
    expect(lineage.execution.audit.settingsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(lineage.metrics.dimensions).toEqual({ Endpoint: endpoint, MonitoringSchedule: 'lin' });
    expect(lineage.alarms).toEqual([
      expect.objectContaining({ name: `lin-${endpoint}-drift-x`, metric: 'feature_baseline_drift_x' }),
    ]);
    // The text form names every step.
    const text = await runCli(['lineage', '--execution', reports[1]!], { env });
    expect(text.stdout).toContain(`training data  ${join(dir, 'train.csv')} (300 rows)`);
    expect(text.stdout).toContain(`alarms         lin-${endpoint}-drift-x`);

    const back = await runCli([
      'lineage',
      '--baseline',
      baseline,
      '--reports',
      join(dir, 'reports'),
      '--json',
    ]);
    expect(back.code, back.stderr).toBe(0);
    expect(
      lastJson<{ executions: Array<{ reportUri: string }> }>(back.stdout).executions.map((e) => e.reportUri),
    ).toEqual(reports);
  }, 120_000);
});
