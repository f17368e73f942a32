/**
 * `alarms sync` with `dashboards: true`: one CloudWatch dashboard per monitor in moto (PutDashboard,
 * DeleteDashboards), graphs of every feature's drift and completeness and of the model metrics, an alarms
 * widget with the monitor's alarm ARNs; unchanged on a second sync, removed when turned off; a dashboard
 * under the prefix that driftwatch did not write is left alone.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  ListDashboardsCommand,
  PutDashboardCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, expect, it } from 'vitest';
import { createCloudWatchClient } from '../../src/alerts/client.js';
import { alarmsSync, formatAlarmPlans } from '../../src/cli/commands/alarms.js';
import { createStorage } from '../../src/io/storage.js';
import { awsEndpoint } from '../support/aws.js';

const cw: CloudWatchClient = createCloudWatchClient({
  endpoint: awsEndpoint(),
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});
const storage = createStorage();
const prefix = `dwd${randomUUID().slice(0, 8)}`;
let dir: string;

async function dashboards(): Promise<string[]> {
  const out = await cw.send(new ListDashboardsCommand({ DashboardNamePrefix: `${prefix}-` }));
  return (out.DashboardEntries ?? []).map((d) => d.DashboardName as string).sort();
}

afterAll(async () => {
  const names = await dashboards();
  if (names.length) await cw.send(new DeleteDashboardsCommand({ DashboardNames: names }));
  const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${prefix}-` }));
  const alarmNames = (alarms.MetricAlarms ?? []).map((a) => a.AlarmName as string);
  if (alarmNames.length) await cw.send(new DeleteAlarmsCommand({ AlarmNames: alarmNames }));
  cw.destroy();
  storage.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('keeps one dashboard per monitor with dashboards: true, and only its own', async () => {
  dir = await mkdtemp(join(tmpdir(), 'dw-dash-'));
  await mkdir(join(dir, 'dq'), { recursive: true });
  await mkdir(join(dir, 'mq'), { recursive: true });
  await writeFile(
    join(dir, 'dq', 'constraints.json'),
    JSON.stringify({
      version: 0,
      features: [
        { name: 'age', inferred_type: 'Integral', completeness: 1 },
        { name: 'plan type', inferred_type: 'String', completeness: 0.9 },
      ],
      monitoring_config: {
        distribution_constraints: { perform_comparison: 'Enabled', comparison_threshold: 0.1 },
      },
    }),
  );
  await writeFile(
    join(dir, 'mq', 'constraints.json'),
    JSON.stringify({
      binary_classification_constraints: {
        f1: { threshold: 0.7, comparison_operator: 'LessThanThreshold' },
      },
    }),
  );
  const config = (fraudDashboard: boolean) => `
defaults:
  capture: s3://capture/data
  output: s3://reports/monitoring/
  schedule: cron(0 * ? * * *)
  alarms: { namePrefix: ${prefix}, dashboards: true }
monitors:
  - { name: churn, endpoint: churn-ep, baseline: ${join(dir, 'dq')} }
  - name: fraud
    type: model-quality
    endpoint: fraud-ep
    baseline: ${join(dir, 'mq')}
    window: { start: -P1DT1H, end: -P1D }
    alarms: { dashboards: ${fraudDashboard} }
    modelQuality: { problemType: BinaryClassification, groundTruth: "s3://gt/fraud/", probabilityAttribute: "0" }
`;
  const path = join(dir, 'monitors.yaml');
  await writeFile(path, config(true));
  // Someone else's dashboard under the same prefix: never touched.
  await cw.send(
    new PutDashboardCommand({
      DashboardName: `${prefix}-handmade`,
      DashboardBody: JSON.stringify({
        widgets: [{ type: 'text', x: 0, y: 0, width: 6, height: 2, properties: { markdown: 'mine' } }],
      }),
    }),
  );

  const dry = await alarmsSync({ config: path, dryRun: true }, { client: cw, storage });
  expect(dry.dashboards[0]?.create).toEqual([`${prefix}-churn`, `${prefix}-fraud`]);
  expect(await dashboards()).toEqual([`${prefix}-handmade`]);

  const first = await alarmsSync({ config: path, dryRun: false }, { client: cw, storage });
  expect(formatAlarmPlans(first)).toContain(
    `dashboards ${prefix}-*: create 2, update 0, delete 0, unchanged 0`,
  );
  expect(await dashboards()).toEqual([`${prefix}-churn`, `${prefix}-fraud`, `${prefix}-handmade`]);
  const body = JSON.parse(
    (await cw.send(new GetDashboardCommand({ DashboardName: `${prefix}-churn` }))).DashboardBody as string,
  ) as { widgets: Array<{ type: string; properties: Record<string, unknown> }> };
  const titles = body.widgets.map((w) => w.properties.title);
  expect(titles).toEqual(
    expect.arrayContaining(['Alarms', 'Drift per feature', 'Completeness per feature', 'Executions']),
  );
  const drift = body.widgets.find((w) => w.properties.title === 'Drift per feature');
  const metrics = drift?.properties.metrics as unknown[][];
  expect(metrics.map((m) => (m[m.length - 1] as { label: string }).label)).toEqual(['age', 'plan type']);
  expect(metrics[0]?.[0]).toBe('aws/sagemaker/Endpoints/data-metrics');
  expect(drift?.properties.region).toBe('us-east-1');
  const alarmWidget = body.widgets.find((w) => w.type === 'alarm');
  const arns = alarmWidget?.properties.alarms as string[];
  expect(arns.length).toBeGreaterThanOrEqual(4);
  expect(arns.every((a) => a.startsWith('arn:aws:cloudwatch:') && a.includes(`${prefix}-churn`))).toBe(true);
  const fraud = JSON.parse(
    (await cw.send(new GetDashboardCommand({ DashboardName: `${prefix}-fraud` }))).DashboardBody as string,
  ) as { widgets: Array<{ properties: Record<string, unknown> }> };
  const model = fraud.widgets.find((w) => w.properties.title === 'Model metrics');
  expect(((model?.properties.metrics ?? []) as unknown[][]).map((m) => m[1])).toEqual(['f1']);
  expect(model?.properties.annotations).toEqual({ horizontal: [{ label: 'threshold', value: 0.7 }] });

  const again = await alarmsSync({ config: path, dryRun: false }, { client: cw, storage });
  expect(again.dashboards[0]).toMatchObject({ create: [], update: [], delete: [] });
  expect(again.dashboards[0]?.unchanged).toEqual([`${prefix}-churn`, `${prefix}-fraud`]);

  await writeFile(path, config(false));
  const off = await alarmsSync({ config: path, dryRun: false }, { client: cw, storage });
  expect(off.dashboards[0]?.delete).toEqual([`${prefix}-fraud`]);
  expect(await dashboards()).toEqual([`${prefix}-churn`, `${prefix}-handmade`]);
});
