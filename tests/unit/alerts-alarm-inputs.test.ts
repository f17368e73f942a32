import { describe, expect, it } from 'vitest';
import {
  dataQualityAlarmFeatures,
  modelQualityAlarmConstraints,
  scheduleIntervalSeconds,
} from '../../src/alerts/alarm-inputs.js';
import { parseConstraints } from '../../src/baseline/constraints.js';
import { parseSchedule } from '../../src/config/schedule.js';
import { ConfigError } from '../../src/core/errors.js';

describe('scheduleIntervalSeconds', () => {
  it.each([
    ['cron(0 * ? * * *)', 3600],
    ['cron(0 5 ? * * *)', 86_400],
    ['cron(0 0/6 ? * * *)', 6 * 3600],
    // 2, 7, 12, 17, 22, then 2 the next day: gaps of 5 h and one of 4 h
    ['cron(0 2/5 ? * * *)', 5 * 3600],
    ['*/15 * * * *', 900],
    ['0 9 * * 1', 7 * 86_400],
  ])('%s → %d s', (expression, seconds) => {
    expect(scheduleIntervalSeconds(parseSchedule(expression))).toBe(seconds);
  });

  it('gives no period for a one-off schedule', () => {
    expect(scheduleIntervalSeconds(parseSchedule('NOW'))).toBeUndefined();
  });

  it('evaluates plain cron in its time zone', () => {
    expect(scheduleIntervalSeconds(parseSchedule('0 3 * * *', 'Europe/Paris'))).toBe(86_400);
    expect(scheduleIntervalSeconds(parseSchedule('30 8 * * 1-5', 'America/New_York'))).toBe(3 * 86_400);
  });
});

const constraintsJson = JSON.stringify({
  version: 0,
  features: [
    { name: 'age', inferred_type: 'Integral', completeness: 0.99 },
    { name: 'plan', inferred_type: 'String', completeness: 1, string_constraints: { domains: ['a', 'b'] } },
    {
      name: 'city',
      inferred_type: 'String',
      monitoringConfigOverrides: { categorical_drift_method: 'ChiSquared' },
    },
    {
      name: 'muted',
      inferred_type: 'Fractional',
      completeness: 1,
      monitoringConfigOverrides: { emit_metrics: 'Disabled' },
    },
    {
      name: 'unchecked',
      inferred_type: 'Fractional',
      completeness: 1,
      monitoringConfigOverrides: { evaluate_constraints: 'Disabled' },
    },
    { name: 'blob', inferred_type: 'Unknown', completeness: 0.5 },
  ],
  monitoring_config: {
    evaluate_constraints: 'Enabled',
    emit_metrics: 'Enabled',
    distribution_constraints: {
      perform_comparison: 'Enabled',
      comparison_threshold: 0.1,
      comparison_method: 'Robust',
      categorical_comparison_threshold: 0.2,
    },
  },
});

describe('dataQualityAlarmFeatures', () => {
  it('takes thresholds as the checks apply them', () => {
    expect(dataQualityAlarmFeatures(parseConstraints(constraintsJson, 'constraints.json'))).toEqual([
      { name: 'age', driftThreshold: 0.1, driftScore: 'distance', completeness: 0.99 },
      { name: 'plan', driftThreshold: 0.2, driftScore: 'distance', completeness: 1 },
      { name: 'city', driftThreshold: 0.2, driftScore: 'p-value' },
      { name: 'unchecked' },
      { name: 'blob', completeness: 0.5 },
    ]);
  });

  it('watches the score relative to its threshold for calibrated features (drift_mode calibrated)', () => {
    const calibrated = JSON.parse(constraintsJson);
    calibrated.monitoring_config.distribution_constraints.drift_mode = 'calibrated';
    const features = dataQualityAlarmFeatures(parseConstraints(JSON.stringify(calibrated), 'c.json'));
    const age = features.find((f) => f.name === 'age');
    expect(age).toMatchObject({ driftThreshold: 1, driftScore: 'ratio' });
  });

  it('gives no drift thresholds when comparison is disabled', () => {
    const off = JSON.parse(constraintsJson);
    off.monitoring_config.distribution_constraints.perform_comparison = 'Disabled';
    const features = dataQualityAlarmFeatures(parseConstraints(JSON.stringify(off), 'c.json'));
    expect(features.some((f) => f.driftThreshold !== undefined)).toBe(false);
  });
});

describe('modelQualityAlarmConstraints', () => {
  it('reads the metric constraints of any problem type', () => {
    const text = JSON.stringify({
      version: 0,
      regression_constraints: {
        mae: { threshold: 4.2, comparison_operator: 'GreaterThanThreshold' },
        r2: { threshold: 0.62, comparison_operator: 'LessThanThreshold' },
      },
    });
    expect(modelQualityAlarmConstraints(text, 'c.json')).toEqual([
      { metric: 'mae', threshold: 4.2, comparisonOperator: 'GreaterThanThreshold' },
      { metric: 'r2', threshold: 0.62, comparisonOperator: 'LessThanThreshold' },
    ]);
  });

  it('names file and field when the file is wrong', () => {
    const bad = JSON.stringify({
      binary_classification_constraints: { f1: { threshold: 'x', comparison_operator: 'LessThanThreshold' } },
    });
    expect(() => modelQualityAlarmConstraints(bad, 's3://b/c.json')).toThrow(
      /s3:\/\/b\/c\.json: binary_classification_constraints\.f1\.threshold/,
    );
    expect(() => modelQualityAlarmConstraints('{', 'c.json')).toThrow(ConfigError);
    expect(() => modelQualityAlarmConstraints('{"features": []}', 'c.json')).toThrow(/exactly one of/);
  });
});
