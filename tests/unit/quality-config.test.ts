/** The `modelQuality` block of the monitors config and its mapping to an execution job. */
import { describe, expect, it } from 'vitest';
import { modelQualitySettingsSchema } from '../../src/config/model-quality.js';
import { parseMonitorsConfig } from '../../src/config/monitors.js';
import { ConfigError } from '../../src/core/errors.js';
import { executionFor } from '../../src/jobs/payloads.js';

const base = {
  name: 'mq',
  type: 'model-quality',
  endpoint: 'ep',
  capture: 's3://bucket-a/capture',
  baseline: 's3://bucket-a/baseline/',
  output: 's3://bucket-a/out/',
  schedule: 'cron(0 * ? * * *)',
  window: { start: '-P1DT1H', end: '-P1D' },
};

function fieldOf(modelQuality: unknown): string | undefined {
  try {
    parseMonitorsConfig({ monitors: [{ ...base, modelQuality }] });
  } catch (error) {
    if (error instanceof ConfigError) return error.field;
    throw error;
  }
  return undefined;
}

describe('modelQuality settings', () => {
  it('applies the defaults', () => {
    const s = modelQualitySettingsSchema.parse({
      problemType: 'BinaryClassification',
      groundTruth: 's3://b/gt',
    });
    expect(s).toMatchObject({
      probabilityThresholdAttribute: 0.5,
      positiveLabel: '1',
      negativeLabel: '0',
      joinPartitions: 256,
      joinMemoryMiB: 32,
      maxCurvePoints: 1000,
    });
  });

  it('names the offending field', () => {
    const gt = 's3://bucket-a/gt/';
    expect(fieldOf({ problemType: 'Ranking', groundTruth: gt })).toBe('monitors[0].modelQuality.problemType');
    expect(fieldOf({ problemType: 'Regression' })).toBe('monitors[0].modelQuality.groundTruth');
    expect(fieldOf({ problemType: 'Regression', groundTruth: gt, probabilityAttribute: '1' })).toBe(
      'monitors[0].modelQuality.probabilityAttribute',
    );
    expect(
      fieldOf({
        problemType: 'BinaryClassification',
        groundTruth: gt,
        positiveLabel: 'x',
        negativeLabel: 'x',
      }),
    ).toBe('monitors[0].modelQuality.negativeLabel');
    expect(
      fieldOf({
        problemType: 'BinaryClassification',
        groundTruth: gt,
        estimationWindow: { start: '-PT1H', end: '+PT1H' },
      }),
    ).toBe('monitors[0].modelQuality.estimationWindow.end');
    expect(
      fieldOf({
        problemType: 'BinaryClassification',
        groundTruth: gt,
        estimationWindow: { start: '-PT1H', end: '-PT2H' },
      }),
    ).toBe('monitors[0].modelQuality.estimationWindow');
    expect(
      fieldOf({
        problemType: 'MulticlassClassification',
        groundTruth: gt,
        estimationWindow: { start: '-PT1H', end: '-PT0H' },
      }),
    ).toBe('monitors[0].modelQuality.estimationWindow');
    expect(fieldOf({ problemType: 'Regression', groundTruth: gt, surprise: 1 })).toBe(
      'monitors[0].modelQuality.surprise',
    );
    expect(fieldOf({ problemType: 'Regression', groundTruth: gt, inferenceAttribute: '0' })).toBeUndefined();
  });

  it('maps a monitor and a scheduled time to a job: offset window, estimation window, join settings', () => {
    const [monitor] = parseMonitorsConfig({
      monitors: [
        {
          ...base,
          modelQuality: {
            problemType: 'BinaryClassification',
            groundTruth: 's3://bucket-a/gt/',
            probabilityAttribute: 'score',
            estimationWindow: { start: '-PT1H', end: '-PT0H' },
            joinMemoryMiB: 2,
          },
        },
      ],
    }).monitors;
    if (!monitor) throw new Error('no monitor');
    const payload = executionFor(monitor, new Date('2024-05-02T08:00:00.000Z'), 'manual').data;
    expect(payload.kind).toBe('model-quality');
    const job = payload.execution;
    expect(job).toMatchObject({
      groundTruthUri: 's3://bucket-a/gt/',
      problemType: 'BinaryClassification',
      probabilityAttribute: 'score',
      probabilityThresholdAttribute: 0.5,
      estimationWindowStart: '2024-05-02T07:00:00.000Z',
      estimationWindowEnd: '2024-05-02T08:00:00.000Z',
      joinMemoryBytes: 2 * 1024 * 1024,
      windowStart: '2024-05-01T07:00:00.000Z',
    });
  });
});
