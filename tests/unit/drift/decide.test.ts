import { describe, expect, it } from 'vitest';
import { desiredAlarms, type MonitorAlarmInput } from '../../../src/alerts/alarm-specs.js';
import { alarmSettingsSchema } from '../../../src/config/alarms.js';
import { breaches } from '../../../src/metrics/comparison.js';
import { driftComparisonOperator, isDrift } from '../../../src/metrics/drift/decide.js';

describe('the drift decision at the threshold (decide.ts, the one place)', () => {
  it('a distance exactly at the threshold is drift; just below is not', () => {
    expect(isDrift('distance', 0.1, 0.1)).toBe(true);
    expect(isDrift('distance', 0.1 - 1e-12, 0.1)).toBe(false);
    expect(isDrift('distance', 0.1 + 1e-12, 0.1)).toBe(true);
  });

  it('a p-value exactly at α is drift; just above is not', () => {
    expect(isDrift('p_value', 0.05, 0.05)).toBe(true);
    expect(isDrift('p_value', 0.05 + 1e-12, 0.05)).toBe(false);
    expect(isDrift('p_value', 0.05 - 1e-12, 0.05)).toBe(true);
  });

  it('a missing or NaN score is never drift', () => {
    expect(isDrift('distance', null, 0.1)).toBe(false);
    expect(isDrift('distance', Number.NaN, 0.1)).toBe(false);
    expect(isDrift('p_value', 0.01, Number.NaN)).toBe(false);
  });

  it('the CloudWatch operator decides the same as the report, equality included', () => {
    expect(driftComparisonOperator('distance')).toBe('GreaterThanOrEqualToThreshold');
    expect(driftComparisonOperator('p_value')).toBe('LessThanOrEqualToThreshold');
    for (const score of ['distance', 'p_value'] as const) {
      for (const [value, threshold] of [
        [0.1, 0.1],
        [0.05, 0.1],
        [0.2, 0.1],
        [0, 0],
      ] as const) {
        expect(breaches(value, driftComparisonOperator(score), threshold)).toBe(
          isDrift(score, value, threshold),
        );
      }
    }
  });

  it('drift alarms use that operator for distances and p-values', () => {
    const monitor: MonitorAlarmInput = {
      monitorName: 'churn',
      type: 'data-quality',
      endpoint: 'churn-ep',
      scheduleName: 'churn-hourly',
      periodSeconds: 3600,
      reportUri: 's3://reports/monitoring/churn-ep/churn-hourly/',
      settings: alarmSettingsSchema.parse({}),
      features: [
        { name: 'age', driftThreshold: 0.1, driftScore: 'distance' },
        { name: 'plan', driftThreshold: 0.05, driftScore: 'p-value' },
      ],
    };
    const drift = desiredAlarms(monitor).filter((a) => a.kind === 'drift');
    expect(drift.map((a) => [a.subject, a.spec.ComparisonOperator])).toEqual([
      ['age', 'GreaterThanOrEqualToThreshold'],
      ['plan', 'LessThanOrEqualToThreshold'],
    ]);
    expect(drift[0]?.spec.AlarmDescription).toContain('drift distance >= 0.1');
    expect(drift[1]?.spec.AlarmDescription).toContain('p-value <= 0.05');
  });
});
