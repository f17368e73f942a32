import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { alarmDifferences, type ExistingAlarm, planAlarms } from '../../src/alerts/alarm-plan.js';
import {
  alarmName,
  alarmPeriodSeconds,
  desiredAlarms,
  type MonitorAlarmInput,
} from '../../src/alerts/alarm-specs.js';
import { alarmSettingsSchema } from '../../src/config/alarms.js';
import { ConfigError } from '../../src/core/errors.js';

const topic = 'arn:aws:sns:us-east-1:123456789012:oncall';

function monitor(
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
    settings: alarmSettingsSchema.parse({ alarmActions: [topic], okActions: [topic], ...settings }),
    features: [
      { name: 'age', driftThreshold: 0.1, completeness: 1 },
      { name: 'plan type', driftThreshold: 0.2, completeness: 0.95 },
    ],
    ...overrides,
  };
}

/** What DescribeAlarms + ListTagsForResource would return after `desired` was written. */
function asExisting(m: MonitorAlarmInput): ExistingAlarm[] {
  return desiredAlarms(m).map((d) => ({
    alarm: {
      ...d.spec,
      AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${d.spec.AlarmName}`,
    } as MetricAlarm,
    tags: new Map(d.tags.map((t) => [t.Key as string, t.Value as string])),
  }));
}

describe('desiredAlarms', () => {
  it('gives a data-quality monitor drift and completeness alarms per feature and a stopped-reporting alarm', () => {
    const alarms = desiredAlarms(monitor());
    expect(alarms.map((a) => a.spec.AlarmName)).toEqual([
      'driftwatch-churn-drift-age',
      'driftwatch-churn-completeness-age',
      expect.stringMatching(/^driftwatch-churn-drift-plan_type_[0-9a-f]{8}$/),
      expect.stringMatching(/^driftwatch-churn-completeness-plan_type_[0-9a-f]{8}$/),
      'driftwatch-churn-stopped-reporting',
    ]);
    const drift = alarms[2]?.spec;
    expect(drift).toMatchObject({
      Namespace: 'aws/sagemaker/Endpoints/data-metrics',
      MetricName: expect.stringMatching(/^feature_baseline_drift_plan_type_[0-9a-f]{8}$/),
      Dimensions: [
        { Name: 'Endpoint', Value: 'churn-ep' },
        { Name: 'Feature', Value: 'plan type' },
        { Name: 'MonitoringSchedule', Value: 'churn-hourly' },
      ],
      Statistic: 'Maximum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 0.2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    expect(drift?.AlarmDescription).toContain('s3://reports/monitoring/churn-ep/churn-hourly/yyyy/mm/dd/hh/');
    expect(drift?.AlarmDescription).toContain('README.md#alerts-and-on-call-runbook');
    expect(drift?.AlarmDescription).toContain('"plan type"');
    expect(drift?.AlarmDescription.length).toBeLessThanOrEqual(1024);
    expect(alarms[3]?.spec).toMatchObject({
      Statistic: 'Minimum',
      Threshold: 0.95,
      ComparisonOperator: 'LessThanThreshold',
    });
    expect(alarms[4]?.spec).toMatchObject({
      MetricName: 'driftwatch_execution_completed',
      Dimensions: [
        { Name: 'Endpoint', Value: 'churn-ep' },
        { Name: 'MonitoringSchedule', Value: 'churn-hourly' },
      ],
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
    expect(alarms[0]?.tags).toEqual(expect.arrayContaining([{ Key: 'managed-by', Value: 'driftwatch' }]));
  });

  it('gives a baseline with a multivariate model one alarm on multivariate_drift_ratio >= 1 (unless disabled)', () => {
    const alarms = desiredAlarms(monitor({ multivariate: true })).filter((a) => a.kind === 'multivariate');
    expect(alarms.map((a) => a.spec.AlarmName)).toEqual(['driftwatch-churn-multivariate']);
    expect(alarms[0]?.spec).toMatchObject({
      Namespace: 'aws/sagemaker/Endpoints/data-metrics',
      MetricName: 'multivariate_drift_ratio',
      Dimensions: [
        { Name: 'Endpoint', Value: 'churn-ep' },
        { Name: 'MonitoringSchedule', Value: 'churn-hourly' },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarms[0]?.spec.AlarmDescription).toContain('multivariate_drift_check');
    expect(desiredAlarms(monitor()).some((a) => a.kind === 'multivariate')).toBe(false);
    expect(
      desiredAlarms(monitor({ multivariate: true }, { multivariate: false })).some(
        (a) => a.kind === 'multivariate',
      ),
    ).toBe(false);
  });

  it('alarms a calibrated feature on its score relative to the calibrated threshold (≥ 1)', () => {
    const [drift] = desiredAlarms(
      monitor({ features: [{ name: 'age', driftThreshold: 1, driftScore: 'ratio' }] }),
    ).filter((a) => a.kind === 'drift');
    expect(drift?.spec).toMatchObject({
      MetricName: 'feature_baseline_drift_ratio_age',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Statistic: 'Maximum',
    });
    expect(drift?.spec.AlarmDescription).toMatch(/drift score \/ calibrated threshold >= 1/);
  });

  it('follows the settings: disabled features, tolerance, no completeness, disabled monitor', () => {
    const m = monitor({}, { disabledFeatures: ['age'], completenessTolerance: 0.05, drift: false });
    expect(desiredAlarms(m).map((a) => [a.kind, a.subject, a.spec.Threshold])).toEqual([
      ['completeness', 'plan type', 0.95 - 0.05],
      ['stopped-reporting', undefined, 1],
    ]);
    expect(desiredAlarms(monitor({}, { enabled: false }))).toEqual([]);
    expect(desiredAlarms(monitor({ periodSeconds: undefined }))).toEqual([]);
    expect(
      desiredAlarms(monitor({}, { stoppedReporting: { enabled: false }, completeness: false })).map(
        (a) => a.kind,
      ),
    ).toEqual(['drift', 'drift']);
  });

  it('matches the period to the schedule and keeps Period × EvaluationPeriods within 7 days', () => {
    expect(alarmPeriodSeconds(3600)).toBe(3600);
    expect(alarmPeriodSeconds(86_400)).toBe(86_400);
    expect(alarmPeriodSeconds(90)).toBe(120);
    expect(alarmPeriodSeconds(7 * 86_400)).toBe(86_400);
    const weekly = desiredAlarms(monitor({ periodSeconds: 7 * 86_400 })).find(
      (a) => a.kind === 'stopped-reporting',
    );
    expect(weekly?.spec.Period).toBe(86_400);
    expect(weekly?.spec.EvaluationPeriods).toBe(7);
    const daily = desiredAlarms(
      monitor({ periodSeconds: 86_400 }, { stoppedReporting: { missedExecutions: 3 } }),
    ).find((a) => a.kind === 'stopped-reporting');
    expect(daily?.spec.EvaluationPeriods).toBe(3);
  });

  it('gives a model-quality monitor one alarm per constraint with its operator, in the model-metrics namespace', () => {
    const m = monitor({
      type: 'model-quality',
      endpoint: undefined,
      features: [],
      modelQuality: [
        { metric: 'f1', threshold: 0.7, comparisonOperator: 'LessThanThreshold' },
        { metric: 'false_positive_rate', threshold: 0.2, comparisonOperator: 'GreaterThanThreshold' },
        { metric: 'auc', threshold: 0.8, comparisonOperator: 'LessThanThreshold', prefix: 'estimated_' },
      ],
    });
    const alarms = desiredAlarms(m);
    expect(alarms.map((a) => a.spec.AlarmName)).toEqual([
      'driftwatch-churn-model-f1',
      'driftwatch-churn-model-false_positive_rate',
      'driftwatch-churn-model-estimated_auc',
      'driftwatch-churn-stopped-reporting',
    ]);
    expect(alarms[1]?.spec).toMatchObject({
      Namespace: 'aws/sagemaker/ModelMonitoring/model-metrics',
      MetricName: 'false_positive_rate',
      Dimensions: [{ Name: 'MonitoringSchedule', Value: 'churn-hourly' }],
      Statistic: 'Average',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0.2,
    });
    expect(alarms[3]?.spec.Namespace).toBe('aws/sagemaker/ModelMonitoring/model-metrics');
    const only = desiredAlarms({ ...m, settings: { ...m.settings, modelQualityMetrics: ['f1'] } });
    expect(only.map((a) => a.kind)).toEqual(['model', 'stopped-reporting']);
  });

  it('keeps alarm names within 255 characters for any feature name', () => {
    const long = 'ä'.repeat(1000);
    const name = alarmName('driftwatch', 'm'.repeat(200), 'completeness', long);
    expect(name.length).toBeLessThanOrEqual(255);
    expect(name).toMatch(/^[A-Za-z0-9_.-]+$/);
  });
});

describe('planAlarms', () => {
  it('creates everything on an empty account, then finds nothing to do', () => {
    const m = monitor();
    const first = planAlarms([m], []);
    expect(first.create).toHaveLength(5);
    expect(first.update).toEqual([]);
    const second = planAlarms([m], asExisting(m));
    expect(second.create).toEqual([]);
    expect(second.update).toEqual([]);
    expect(second.delete).toEqual([]);
    expect(second.unchanged).toHaveLength(5);
  });

  it('updates only the alarms whose fields changed, naming the fields', () => {
    const before = monitor();
    const after = monitor(
      { features: [{ name: 'age', driftThreshold: 0.15, completeness: 1 }] },
      { alarmActions: [] },
    );
    const plan = planAlarms([after], asExisting(before));
    expect(plan.update.map((u) => [u.alarm.spec.AlarmName, u.changes])).toEqual([
      ['driftwatch-churn-drift-age', ['AlarmDescription', 'AlarmActions', 'Threshold']],
      ['driftwatch-churn-completeness-age', ['AlarmActions']],
      ['driftwatch-churn-stopped-reporting', ['AlarmActions']],
    ]);
    expect(plan.delete).toEqual([
      expect.stringMatching(/^driftwatch-churn-completeness-plan_type_/),
      expect.stringMatching(/^driftwatch-churn-drift-plan_type_/),
    ]);
  });

  it('deletes the alarms of a removed monitor, but never an unmanaged alarm', () => {
    const a = monitor();
    const b = monitor({ monitorName: 'fraud', scheduleName: 'fraud-daily', periodSeconds: 86_400 });
    const unmanaged: ExistingAlarm = {
      alarm: { ...desiredAlarms(b)[0]?.spec, AlarmName: 'driftwatch-fraud-drift-age-by-hand' } as MetricAlarm,
      tags: new Map(),
    };
    const otherPrefix: ExistingAlarm = {
      alarm: { AlarmName: 'driftwatch-prod-x-drift-age' } as MetricAlarm,
      tags: new Map([
        ['managed-by', 'driftwatch'],
        ['driftwatch-prefix', 'driftwatch-prod'],
      ]),
    };
    const plan = planAlarms([a], [...asExisting(a), ...asExisting(b), unmanaged, otherPrefix]);
    expect(plan.delete).toHaveLength(5);
    expect(plan.delete.every((n) => n.startsWith('driftwatch-fraud-'))).toBe(true);
    expect(plan.ignored).toEqual(['driftwatch-fraud-drift-age-by-hand', 'driftwatch-prod-x-drift-age']);
    expect(plan.unchanged).toHaveLength(5);
  });

  it('reports a desired name held by an unmanaged alarm as a conflict, not an update', () => {
    const m = monitor();
    const [first, ...rest] = asExisting(m);
    const hand = { ...(first as ExistingAlarm), tags: new Map<string, string>() };
    const plan = planAlarms([m], [hand, ...rest]);
    expect(plan.conflicts).toEqual(['driftwatch-churn-drift-age']);
    expect(plan.update).toEqual([]);
    expect(plan.create).toEqual([]);
  });

  it('restores tags on a managed alarm whose kind tag was edited', () => {
    const m = monitor();
    const existing = asExisting(m);
    const e = existing[0] as ExistingAlarm;
    existing[0] = { ...e, tags: new Map([...e.tags, ['driftwatch-alarm-kind', 'x']]) };
    expect(planAlarms([m], existing).update.map((u) => u.changes)).toEqual([['Tags']]);
  });

  it('refuses two alarms with the same name and mixed prefixes', () => {
    const m = monitor({
      features: [
        { name: 'age', driftThreshold: 0.1 },
        { name: 'age', driftThreshold: 0.2 },
      ],
    });
    expect(() => planAlarms([m], [])).toThrow(ConfigError);
    expect(() => planAlarms([monitor(), monitor({ monitorName: 'b' }, { namePrefix: 'other' })], [])).toThrow(
      /prefixes/,
    );
  });
});

describe('alarmDifferences', () => {
  it('ignores the order of dimensions and actions and treats AWS defaults as equal', () => {
    const spec = desiredAlarms(monitor())[0]?.spec;
    if (!spec) throw new Error('no alarm');
    const existing: MetricAlarm = {
      ...spec,
      Dimensions: [...spec.Dimensions].reverse(),
      DatapointsToAlarm: undefined,
      InsufficientDataActions: undefined,
    };
    expect(alarmDifferences(spec, existing)).toEqual([]);
    expect(alarmDifferences(spec, { ...existing, Unit: 'Count' })).toEqual(['Unit']);
    expect(alarmDifferences(spec, { ...existing, TreatMissingData: undefined })).toEqual([
      'TreatMissingData',
    ]);
  });
});
