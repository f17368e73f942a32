/**
 * `driftwatch alarms sync` end to end: a monitors config and local baselines → alarms in moto's CloudWatch;
 * orphans of a prefix that left the config found by their tags and removed with `--prune`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudWatchClient } from '../../src/alerts/client.js';
import { alarmPlansJson, alarmsSync, formatAlarmPlans } from '../../src/cli/commands/alarms.js';
import { ConfigError } from '../../src/core/errors.js';
import { createStorage } from '../../src/io/storage.js';
import { awsEndpoint } from '../support/aws.js';

const topic = 'arn:aws:sns:us-east-1:123456789012:oncall';

function client(region = 'us-east-1'): CloudWatchClient {
  return createCloudWatchClient({
    endpoint: awsEndpoint(),
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

const dirs: string[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  const cw = client();
  for (const prefix of prefixes.splice(0)) {
    const names = (await alarmNames(cw, prefix)) as string[];
    if (names.length) await cw.send(new DeleteAlarmsCommand({ AlarmNames: names }));
  }
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function alarmNames(cw: CloudWatchClient, prefix: string) {
  const out = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${prefix}-` }));
  return (out.MetricAlarms ?? []).map((a) => a.AlarmName).sort();
}

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'dw-alarms-'));
  dirs.push(dir);
  const prefix = `dwc${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
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
        false_positive_rate: { threshold: 0.2, comparison_operator: 'GreaterThanThreshold' },
      },
    }),
  );
  const monitor = (name: string, type: string, baseline: string, schedule: string) => `
  - name: ${name}
    type: ${type}
    endpoint: ${name}-ep
    baseline: ${join(dir, baseline)}
    output: s3://reports/monitoring/
    schedule: "${schedule}"${
      type === 'model-quality'
        ? `
    window: { start: -P1DT1H, end: -P1D }
    modelQuality:
      problemType: BinaryClassification
      groundTruth: s3://ground-truth/${name}/
      probabilityAttribute: "0"
      estimationWindow: { start: -PT1H, end: -PT0H }`
        : ''
    }`;
  const config = (withFraud: boolean, threshold?: string) => `
defaults:
  capture: s3://capture/data
  alarms:
    namePrefix: ${prefix}
    alarmActions: [${topic}]
    ${threshold ?? ''}
monitors:${monitor('churn', 'data-quality', 'dq', 'cron(0 * ? * * *)')}${withFraud ? monitor('fraud', 'model-quality', 'mq', 'cron(0 5 ? * * *)') : ''}
`;
  const path = join(dir, 'monitors.yaml');
  return { dir, prefix, path, config, write: (text: string) => writeFile(path, text) };
}

describe('driftwatch alarms sync', () => {
  it('syncs the alarms of every configured monitor, and removes those of a removed monitor', async () => {
    const cw = client();
    const storage = createStorage();
    const s = await setup();
    await s.write(s.config(true));

    const dry = await alarmsSync({ config: s.path, dryRun: true }, { client: cw, storage });
    expect(dry.plans.map((p) => p.create.length)).toEqual([9]);
    expect(await alarmNames(cw, s.prefix)).toEqual([]);
    expect(formatAlarmPlans(dry)).toMatch(/would create 9.*\n {2}\+ .*-churn-drift-age\n/);

    const first = await alarmsSync({ config: s.path, dryRun: false }, { client: cw, storage });
    expect(first.exitCode).toBe(0);
    expect(await alarmNames(cw, s.prefix)).toEqual([
      `${s.prefix}-churn-completeness-age`,
      expect.stringMatching(new RegExp(`^${s.prefix}-churn-completeness-plan_type_[0-9a-f]{8}$`)),
      `${s.prefix}-churn-drift-age`,
      expect.stringMatching(new RegExp(`^${s.prefix}-churn-drift-plan_type_[0-9a-f]{8}$`)),
      `${s.prefix}-churn-stopped-reporting`,
      `${s.prefix}-fraud-model-estimated_f1`,
      `${s.prefix}-fraud-model-f1`,
      `${s.prefix}-fraud-model-false_positive_rate`,
      `${s.prefix}-fraud-stopped-reporting`,
    ]);
    const fraud = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [`${s.prefix}-fraud-model-f1`] }));
    expect(fraud.MetricAlarms?.[0]).toMatchObject({
      Namespace: 'aws/sagemaker/Endpoints/model-metrics',
      Period: 86_400,
      MetricName: 'f1',
      Statistic: 'Average',
      Threshold: 0.7,
      ComparisonOperator: 'LessThanThreshold',
      AlarmActions: [topic],
      Dimensions: [
        { Name: 'Endpoint', Value: 'fraud-ep' },
        { Name: 'MonitoringSchedule', Value: 'fraud' },
      ],
    });
    expect(fraud.MetricAlarms?.[0]?.AlarmDescription).toContain(
      's3://reports/monitoring/fraud-ep/fraud/yyyy/mm/dd/hh/',
    );

    const again = await alarmsSync({ config: s.path, dryRun: false }, { client: cw, storage });
    expect(again.plans[0]).toMatchObject({ create: [], update: [], delete: [] });

    await s.write(s.config(false, 'completenessTolerance: 0.05'));
    const changed = await alarmsSync({ config: s.path, dryRun: false }, { client: cw, storage });
    const json = alarmPlansJson(changed) as {
      plans: Array<{ update: Array<{ changes: string[] }>; delete: string[] }>;
    };
    expect(json.plans[0]?.delete).toEqual([
      `${s.prefix}-fraud-model-estimated_f1`,
      `${s.prefix}-fraud-model-f1`,
      `${s.prefix}-fraud-model-false_positive_rate`,
      `${s.prefix}-fraud-stopped-reporting`,
    ]);
    expect(json.plans[0]?.update).toHaveLength(2);
    expect(json.plans[0]?.update.every((u) => u.changes.includes('Threshold'))).toBe(true);
    expect(await alarmNames(cw, s.prefix)).toHaveLength(5);
    storage.destroy();
  });

  it('stops with a ConfigError naming the file when a baseline is missing (and deletes nothing)', async () => {
    const cw = client();
    const storage = createStorage();
    const s = await setup();
    await s.write(s.config(true));
    await alarmsSync({ config: s.path, dryRun: false }, { client: cw, storage });
    await rm(join(s.dir, 'mq', 'constraints.json'));
    const failing = alarmsSync({ config: s.path, dryRun: false }, { client: cw, storage });
    await expect(failing).rejects.toBeInstanceOf(ConfigError);
    await expect(failing).rejects.toThrow(/mq\/constraints\.json/);
    expect(await alarmNames(cw, s.prefix)).toHaveLength(9);
    storage.destroy();
  });

  it('reports the managed alarms of a prefix that left the config, and --prune deletes only them', async () => {
    // A region of its own: the orphan search reads every alarm of the account and region, and other
    // test files sync alarms in moto's us-east-1 at the same time.
    const cw = client('ap-southeast-3');
    const storage = createStorage();
    const s = await setup();
    const moved = `${s.prefix}b`;
    const all = async () =>
      ((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map((a) => a.AlarmName).sort();
    try {
      await s.write(s.config(true));
      await alarmsSync({ config: s.path, dryRun: false }, { client: cw, storage });
      const old = (await all()) as string[];
      expect(old).toHaveLength(9);
      // Not ours: named like a driftwatch alarm but untagged; tagged as ours but named under another prefix.
      const decoy = {
        MetricName: 'm',
        Namespace: 'n',
        Statistic: 'Maximum' as const,
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold' as const,
      };
      await cw.send(new PutMetricAlarmCommand({ ...decoy, AlarmName: 'other-svc-stopped-reporting' }));
      await cw.send(
        new PutMetricAlarmCommand({
          ...decoy,
          AlarmName: 'renamed-churn-drift-age',
          Tags: [
            { Key: 'managed-by', Value: 'driftwatch' },
            { Key: 'driftwatch-prefix', Value: 'gone' },
          ],
        }),
      );

      // The monitors move to another prefix: the old one's alarms (stopped-reporting included) are orphans.
      await s.write(s.config(true).replace(`namePrefix: ${s.prefix}`, `namePrefix: ${moved}`));
      const kept = await alarmsSync({ config: s.path, dryRun: false }, { client: cw, storage });
      expect(kept.plans.map((p) => [p.namePrefix, p.create.length, p.delete.length])).toEqual([
        [moved, 9, 0],
      ]);
      expect(kept.orphans).toEqual([{ namePrefix: s.prefix, alarms: old }]);
      expect(kept.pruned).toEqual([]);
      const text = formatAlarmPlans(kept);
      expect(text).toContain(
        `alarms ${s.prefix}-*: 9 ORPHANED (no monitor of the config uses this prefix; kept: --prune deletes them)`,
      );
      expect(text).toContain(`  ? ${s.prefix}-churn-stopped-reporting\n`);
      expect(await all()).toHaveLength(9 + 9 + 2);

      const dry = await alarmsSync({ config: s.path, dryRun: true, prune: true }, { client: cw, storage });
      expect(dry.plans.map((p) => [p.namePrefix, p.delete])).toEqual([
        [s.prefix, old],
        [moved, []],
      ]);
      expect(await all()).toHaveLength(20);

      const pruned = await alarmsSync(
        { config: s.path, dryRun: false, prune: true },
        { client: cw, storage },
      );
      expect(pruned.pruned).toEqual([s.prefix]);
      expect(pruned.orphans).toEqual([]);
      expect(formatAlarmPlans(pruned)).toContain(
        `alarms ${s.prefix}-*: create 0, update 0, delete 9, unchanged 0`,
      );
      const left = (await all()) as string[];
      expect(left.filter((n) => n.startsWith(`${moved}-`))).toHaveLength(9);
      expect(left.filter((n) => !n.startsWith(`${moved}-`))).toEqual([
        'other-svc-stopped-reporting',
        'renamed-churn-drift-age',
      ]);
      const again = await alarmsSync({ config: s.path, dryRun: false, prune: true }, { client: cw, storage });
      expect(again.pruned).toEqual([]);
    } finally {
      const names = (await all()) as string[];
      if (names.length) await cw.send(new DeleteAlarmsCommand({ AlarmNames: names }));
      storage.destroy();
    }
  });
});
