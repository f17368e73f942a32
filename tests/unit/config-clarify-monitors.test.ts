/** `type: bias` / `type: attribution` monitors: their settings blocks, payloads and job ids, IAM inputs. */
import { describe, expect, it } from 'vitest';
import { parseMonitorsConfig } from '../../src/config/monitors.js';
import { ConfigError } from '../../src/core/errors.js';
import { executionFor } from '../../src/jobs/payloads.js';
import { iamPolicy } from '../../src/security/iam-policy.js';

const base = {
  name: 'm',
  endpoint: 'ep',
  capture: 's3://bucket-a/capture',
  baseline: 's3://bucket-a/baselines/m/',
  output: 's3://bucket-a/out/',
  schedule: 'cron(0 * ? * * *)',
};

function fieldOf(doc: unknown): string | undefined {
  try {
    parseMonitorsConfig(doc);
  } catch (error) {
    if (error instanceof ConfigError) return error.field;
    throw error;
  }
  return undefined;
}

describe('Clarify monitor kinds in the config', () => {
  it('needs the bias block for type bias, and keeps each block on its own type', () => {
    expect(fieldOf({ monitors: [{ ...base, type: 'bias' }] })).toBe('monitors[0].bias');
    expect(fieldOf({ monitors: [{ ...base, bias: { groundTruth: 's3://bucket-a/gt/' } }] })).toBe(
      'monitors[0].bias',
    );
    expect(
      fieldOf({
        monitors: [{ ...base, type: 'bias', attribution: {}, bias: { groundTruth: 's3://bucket-a/gt/' } }],
      }),
    ).toBe('monitors[0].attribution');
    expect(
      fieldOf({
        monitors: [{ ...base, type: 'bias', bias: { groundTruth: 's3://bucket-a/gt/', check: 'interval' } }],
      }),
    ).toBe('monitors[0].bias.check');
    expect(fieldOf({ monitors: [{ ...base, type: 'attribution', preprocessor: '/tmp/p.mjs' }] })).toBe(
      'monitors[0].preprocessor',
    );
    expect(
      fieldOf({ monitors: [{ ...base, type: 'attribution', attribution: { ndcgThreshold: 1.5 } }] }),
    ).toBe('monitors[0].attribution.ndcgThreshold');
    // An attribution monitor needs no settings at all.
    expect(parseMonitorsConfig({ monitors: [{ ...base, type: 'attribution' }] }).monitors[0]?.type).toBe(
      'attribution',
    );
  });

  it('builds each kind’s payload once, with its own job id prefix and defaults', () => {
    const config = parseMonitorsConfig({
      monitors: [
        {
          ...base,
          name: 'b',
          type: 'bias',
          bias: { groundTruth: 's3://bucket-a/gt/', probabilityAttribute: '0' },
        },
        { ...base, name: 'a', type: 'attribution', attribution: { aggMethod: 'median' } },
      ],
    });
    const at = new Date('2026-03-01T05:00:00Z');
    const [bias, attribution] = config.monitors.map((m) => executionFor(m, at, 'manual'));
    expect(bias?.id).toBe('mb__b__20260301T050000Z');
    expect(bias?.data).toMatchObject({
      kind: 'bias',
      execution: {
        groundTruthUri: 's3://bucket-a/gt/',
        analysisConfigUri: 's3://bucket-a/baselines/m/analysis_config.json',
        probabilityAttribute: '0',
        check: 'point',
        flipTestMaxRows: 2000,
        groundTruthHorizonMs: 3 * 86_400_000,
        windowStart: '2026-03-01T04:00:00.000Z',
      },
    });
    expect(attribution?.id).toBe('me__a__20260301T050000Z');
    expect(attribution?.data).toMatchObject({
      kind: 'attribution',
      execution: { aggMethod: 'median', ndcgThreshold: 0.9 },
    });
  });

  it('lets the worker read a bias monitor’s ground truth and publish to the Clarify namespaces', () => {
    const config = parseMonitorsConfig({
      monitors: [
        { ...base, name: 'b', type: 'bias', cloudwatch: true, bias: { groundTruth: 's3://bucket-g/gt/' } },
        { ...base, name: 'a', type: 'attribution', cloudwatch: true },
      ],
    });
    const text = JSON.stringify(iamPolicy(config, 'worker'));
    expect(text).toContain('arn:aws:s3:::bucket-g/gt/*');
    expect(text).toContain('aws/sagemaker/Endpoints/bias-metrics');
    expect(text).toContain('aws/sagemaker/Endpoints/explainability-metrics');
  });
});
