/** Alarm sync against moto_server's CloudWatch with the real SDK: DescribeAlarms shows exactly what we expect. */
import { randomUUID } from 'node:crypto';
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitorAlarmInput } from '../../src/alerts/alarm-specs.js';
import { syncAlarms } from '../../src/alerts/alarms.js';
import { createCloudWatchClient } from '../../src/alerts/client.js';
import { alarmSettingsSchema } from '../../src/config/alarms.js';
import { awsEndpoint } from '../support/aws.js';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const alarmTopic = 'arn:aws:sns:us-east-1:123456789012:oncall';
const okTopic = 'arn:aws:sns:us-east-1:123456789012:oncall-ok';

function client(): CloudWatchClient {
  return createCloudWatchClient({
    endpoint: awsEndpoint(),
    region: 'us-east-1',
    credentials,
    disableRequestCompression: true,
  });
}

const cleanup: Array<{ prefix: string }> = [];
afterEach(async () => {
  const cw = client();
  for (const { prefix } of cleanup.splice(0)) {
    const names = (await describe_(cw, prefix)).map((a) => a.AlarmName as string);
    if (names.length) await cw.send(new DeleteAlarmsCommand({ AlarmNames: names }));
  }
});

async function describe_(cw: CloudWatchClient, prefix: string): Promise<MetricAlarm[]> {
  const out = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${prefix}-` }));
  return (out.MetricAlarms ?? []).sort((a, b) => (a.AlarmName ?? '').localeCompare(b.AlarmName ?? ''));
}

function freshPrefix(): string {
  const prefix = `dwt${randomUUID().slice(0, 8)}`;
  cleanup.push({ prefix });
  return prefix;
}

function churn(
  prefix: string,
  overrides: Partial<MonitorAlarmInput> = {},
  settings: Record<string, unknown> = {},
): MonitorAlarmInput {
  return {
    monitorName: 'churn',
    type: 'data-quality',
    endpoint: 'churn-ep',
    scheduleName: 'churn-hourly',
    periodSeconds: 3600,
    reportUri: 's3://reports/monitoring/churn-ep/churn-hourly/',
    settings: alarmSettingsSchema.parse({
      namePrefix: prefix,
      alarmActions: [alarmTopic],
      okActions: [okTopic],
      ...settings,
    }),
    features: [
      { name: 'age', driftThreshold: 0.1, completeness: 1 },
      { name: 'plan', driftThreshold: 0.2 },
    ],
    ...overrides,
  };
}

function fraud(prefix: string): MonitorAlarmInput {
  return {
    monitorName: 'fraud',
    type: 'model-quality',
    endpoint: 'fraud-ep',
    scheduleName: 'fraud-daily',
    periodSeconds: 86_400,
    reportUri: 's3://reports/monitoring/fraud-ep/fraud-daily/',
    settings: alarmSettingsSchema.parse({ namePrefix: prefix, alarmActions: [alarmTopic] }),
    features: [],
    modelQuality: [
      { metric: 'f1', threshold: 0.7, comparisonOperator: 'LessThanThreshold' },
      { metric: 'false_positive_rate', threshold: 0.05, comparisonOperator: 'GreaterThanThreshold' },
    ],
  };
}

/** The fields on-call depends on, as DescribeAlarms reports them. */
function summary(a: MetricAlarm) {
  return {
    name: a.AlarmName,
    namespace: a.Namespace,
    metric: a.MetricName,
    dimensions: a.Dimensions,
    statistic: a.Statistic,
    period: a.Period,
    evaluationPeriods: a.EvaluationPeriods,
    threshold: a.Threshold,
    operator: a.ComparisonOperator,
    missing: a.TreatMissingData,
    alarmActions: a.AlarmActions,
    okActions: a.OKActions,
  };
}

const dqDims = (feature?: string) => [
  { Name: 'Endpoint', Value: 'churn-ep' },
  ...(feature ? [{ Name: 'Feature', Value: feature }] : []),
  { Name: 'MonitoringSchedule', Value: 'churn-hourly' },
];

describe('syncAlarms against moto CloudWatch', () => {
  it('creates exactly the expected alarms, then a second sync changes nothing', async () => {
    const cw = client();
    const prefix = freshPrefix();
    const plan = await syncAlarms(cw, [churn(prefix), fraud(prefix)], { dryRun: false, namePrefix: prefix });
    expect(plan.create).toHaveLength(7);

    const alarms = await describe_(cw, prefix);
    const common = { alarmActions: [alarmTopic], okActions: [okTopic], evaluationPeriods: 1 };
    expect(alarms.map(summary)).toEqual([
      {
        ...common,
        name: `${prefix}-churn-completeness-age`,
        namespace: 'aws/sagemaker/Endpoints/data-metrics',
        metric: 'feature_completeness_age',
        dimensions: dqDims('age'),
        statistic: 'Minimum',
        period: 3600,
        threshold: 1,
        operator: 'LessThanThreshold',
        missing: 'notBreaching',
      },
      {
        ...common,
        name: `${prefix}-churn-drift-age`,
        namespace: 'aws/sagemaker/Endpoints/data-metrics',
        metric: 'feature_baseline_drift_age',
        dimensions: dqDims('age'),
        statistic: 'Maximum',
        period: 3600,
        threshold: 0.1,
        operator: 'GreaterThanOrEqualToThreshold',
        missing: 'notBreaching',
      },
      {
        ...common,
        name: `${prefix}-churn-drift-plan`,
        namespace: 'aws/sagemaker/Endpoints/data-metrics',
        metric: 'feature_baseline_drift_plan',
        dimensions: dqDims('plan'),
        statistic: 'Maximum',
        period: 3600,
        threshold: 0.2,
        operator: 'GreaterThanOrEqualToThreshold',
        missing: 'notBreaching',
      },
      {
        ...common,
        name: `${prefix}-churn-stopped-reporting`,
        namespace: 'aws/sagemaker/Endpoints/data-metrics',
        metric: 'driftwatch_execution_completed',
        dimensions: dqDims(),
        statistic: 'Maximum',
        period: 3600,
        evaluationPeriods: 2,
        threshold: 1,
        operator: 'LessThanThreshold',
        missing: 'breaching',
      },
      {
        ...common,
        okActions: [],
        name: `${prefix}-fraud-model-f1`,
        namespace: 'aws/sagemaker/Endpoints/model-metrics',
        metric: 'f1',
        dimensions: [
          { Name: 'Endpoint', Value: 'fraud-ep' },
          { Name: 'MonitoringSchedule', Value: 'fraud-daily' },
        ],
        statistic: 'Average',
        period: 86_400,
        threshold: 0.7,
        operator: 'LessThanThreshold',
        missing: 'notBreaching',
      },
      expect.objectContaining({
        name: `${prefix}-fraud-model-false_positive_rate`,
        metric: 'false_positive_rate',
        threshold: 0.05,
        operator: 'GreaterThanThreshold',
      }),
      expect.objectContaining({
        name: `${prefix}-fraud-stopped-reporting`,
        namespace: 'aws/sagemaker/Endpoints/model-metrics',
        period: 86_400,
        evaluationPeriods: 2,
        missing: 'breaching',
      }),
    ]);
    expect(alarms[1]?.AlarmDescription).toContain(
      's3://reports/monitoring/churn-ep/churn-hourly/yyyy/mm/dd/hh/',
    );
    const tags = await cw.send(new ListTagsForResourceCommand({ ResourceARN: alarms[1]?.AlarmArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'managed-by', Value: 'driftwatch' },
        { Key: 'driftwatch-prefix', Value: prefix },
        { Key: 'driftwatch-monitor', Value: 'churn' },
      ]),
    );

    const again = await syncAlarms(cw, [churn(prefix), fraud(prefix)], { dryRun: false, namePrefix: prefix });
    expect(again).toMatchObject({ create: [], update: [], delete: [], conflicts: [] });
    expect(again.unchanged).toHaveLength(7);
    const after = await describe_(cw, prefix);
    expect(after.map((a) => a.AlarmConfigurationUpdatedTimestamp)).toEqual(
      alarms.map((a) => a.AlarmConfigurationUpdatedTimestamp),
    );
  });

  it('follows a config change (threshold, actions, removed feature) and a removed monitor', async () => {
    const cw = client();
    const prefix = freshPrefix();
    await syncAlarms(cw, [churn(prefix), fraud(prefix)], { dryRun: false, namePrefix: prefix });

    const changed = churn(
      prefix,
      { features: [{ name: 'age', driftThreshold: 0.15, completeness: 1 }] },
      { alarmActions: [okTopic], okActions: [] },
    );
    const plan = await syncAlarms(cw, [changed], { dryRun: false, namePrefix: prefix });
    expect(plan.update.map((u) => u.alarm.spec.AlarmName).sort()).toEqual([
      `${prefix}-churn-completeness-age`,
      `${prefix}-churn-drift-age`,
      `${prefix}-churn-stopped-reporting`,
    ]);
    expect(plan.delete).toEqual([
      `${prefix}-churn-drift-plan`,
      `${prefix}-fraud-model-f1`,
      `${prefix}-fraud-model-false_positive_rate`,
      `${prefix}-fraud-stopped-reporting`,
    ]);

    const alarms = await describe_(cw, prefix);
    expect(alarms.map((a) => a.AlarmName)).toEqual([
      `${prefix}-churn-completeness-age`,
      `${prefix}-churn-drift-age`,
      `${prefix}-churn-stopped-reporting`,
    ]);
    expect(alarms[1]).toMatchObject({ Threshold: 0.15, AlarmActions: [okTopic], OKActions: [] });
    expect(alarms.every((a) => a.AlarmActions?.[0] === okTopic && a.OKActions?.length === 0)).toBe(true);
    const third = await syncAlarms(cw, [changed], { dryRun: false, namePrefix: prefix });
    expect(third.unchanged).toHaveLength(3);
    expect(third.update).toEqual([]);
  });

  it('never touches alarms driftwatch does not manage, even with a similar name', async () => {
    const cw = client();
    const prefix = freshPrefix();
    const handMade = {
      AlarmName: `${prefix}-churn-drift-age-by-hand`,
      Namespace: 'aws/sagemaker/Endpoints/data-metrics',
      MetricName: 'feature_baseline_drift_age',
      Statistic: 'Maximum' as const,
      Period: 300,
      EvaluationPeriods: 3,
      Threshold: 0.5,
      ComparisonOperator: 'GreaterThanThreshold' as const,
    };
    await cw.send(new PutMetricAlarmCommand(handMade));
    // taken name: same as a desired alarm, but not tagged as ours
    await cw.send(new PutMetricAlarmCommand({ ...handMade, AlarmName: `${prefix}-churn-drift-plan` }));
    // tagged by another driftwatch prefix
    await cw.send(
      new PutMetricAlarmCommand({
        ...handMade,
        AlarmName: `${prefix}-other-x`,
        Tags: [
          { Key: 'managed-by', Value: 'driftwatch' },
          { Key: 'driftwatch-prefix', Value: `${prefix}-other` },
        ],
      }),
    );

    const plan = await syncAlarms(cw, [churn(prefix)], { dryRun: false, namePrefix: prefix });
    expect(plan.ignored).toEqual([`${prefix}-churn-drift-age-by-hand`, `${prefix}-other-x`]);
    expect(plan.conflicts).toEqual([`${prefix}-churn-drift-plan`]);
    await syncAlarms(cw, [], { dryRun: false, namePrefix: prefix });

    const alarms = await describe_(cw, prefix);
    expect(alarms.map((a) => [a.AlarmName, a.Period, a.Threshold, a.EvaluationPeriods])).toEqual([
      [`${prefix}-churn-drift-age-by-hand`, 300, 0.5, 3],
      [`${prefix}-churn-drift-plan`, 300, 0.5, 3],
      [`${prefix}-other-x`, 300, 0.5, 3],
    ]);
  });

  it('dry-run plans without writing', async () => {
    const cw = client();
    const prefix = freshPrefix();
    const plan = await syncAlarms(cw, [churn(prefix)], { dryRun: true, namePrefix: prefix });
    expect(plan.create).toHaveLength(4);
    expect(await describe_(cw, prefix)).toEqual([]);

    await syncAlarms(cw, [churn(prefix)], { dryRun: false, namePrefix: prefix });
    const before = await describe_(cw, prefix);
    const removal = await syncAlarms(cw, [], { dryRun: true, namePrefix: prefix });
    expect(removal.delete).toHaveLength(4);
    expect(await describe_(cw, prefix)).toEqual(before);
  });
});
