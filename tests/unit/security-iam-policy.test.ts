import { describe, expect, it } from 'vitest';
import { parseMonitorsConfig } from '../../src/config/monitors.js';
import { iamPolicy } from '../../src/security/iam-policy.js';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/abcd';
const config = parseMonitorsConfig({
  defaults: { capture: 's3://cap/data-capture', schedule: 'cron(0 * ? * * *)', sseKmsKeyId: KEY },
  monitors: [
    {
      name: 'churn',
      endpoint: 'churn-ep',
      baseline: 's3://ml/baselines/churn/',
      output: 's3://ml/monitoring/churn',
      cloudwatch: true,
      alarms: { namePrefix: 'dw' },
    },
    {
      name: 'fraud',
      endpoint: 'fraud-ep',
      baseline: 's3://ml/baselines/fraud/',
      output: 's3://ml/monitoring/fraud/',
      sseKmsKeyId: 'alias/fraud',
      preprocessor: 's3://ml/hooks/pre.mjs',
      preprocessorSha256: 'ab'.repeat(32),
    },
  ],
});

describe('driftwatch iam-policy', () => {
  it('worker: ListBucket by s3:prefix, GetObject on inputs, PutObject on report prefixes only, namespaced metrics, the keys', () => {
    const policy = iamPolicy(config, 'worker');
    const by = new Map(policy.Statement.map((s) => [s.Sid, s]));
    expect(by.get('Listcap')).toEqual({
      Sid: 'Listcap',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: 'arn:aws:s3:::cap',
      Condition: {
        StringLike: {
          's3:prefix': [
            'data-capture/churn-ep',
            'data-capture/churn-ep/*',
            'data-capture/fraud-ep',
            'data-capture/fraud-ep/*',
          ],
        },
      },
    });
    expect(by.get('Listml')!.Condition!.StringLike!['s3:prefix']).toContain('monitoring/churn/*');
    expect(by.get('ReadInputs')!.Resource).toEqual([
      'arn:aws:s3:::cap/data-capture/churn-ep/*',
      'arn:aws:s3:::cap/data-capture/fraud-ep/*',
      'arn:aws:s3:::ml/baselines/churn/*',
      'arn:aws:s3:::ml/baselines/fraud/*',
      'arn:aws:s3:::ml/hooks/pre.mjs',
      'arn:aws:s3:::ml/monitoring/churn/*',
      'arn:aws:s3:::ml/monitoring/fraud/*',
    ]);
    expect(by.get('WriteReports')).toMatchObject({
      Action: ['s3:PutObject'],
      Resource: ['arn:aws:s3:::ml/monitoring/churn/*', 'arn:aws:s3:::ml/monitoring/fraud/*'],
    });
    expect(by.get('PublishMetrics')!.Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': ['aws/sagemaker/Endpoints/data-metrics'] },
    });
    expect(by.get('KmsKeys')!.Resource).toEqual([KEY]);
    expect(by.get('KmsKeysByAlias')!.Condition).toEqual({
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/fraud'] },
    });
    // Nothing writable or deletable outside the report prefixes (a recomputed window replaces its report
    // set, proven necessary in tests/integration/iam-enforced.test.ts), no wildcards on S3 actions.
    expect(by.get('ReplaceReports')).toEqual({
      Sid: 'ReplaceReports',
      Effect: 'Allow',
      Action: ['s3:DeleteObject'],
      Resource: ['arn:aws:s3:::ml/monitoring/churn/*', 'arn:aws:s3:::ml/monitoring/fraud/*'],
    });
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions.filter((a) => a.startsWith('s3:')).sort()).toEqual([
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
      's3:ListBucket',
      's3:PutObject',
    ]);
  });

  it('alarms: alarm actions on the name prefix only; baseline: writes baseline prefixes, reads --dataset', () => {
    const alarms = iamPolicy(config, 'alarms');
    expect(alarms.Statement[0]!.Resource).toEqual([
      'arn:aws:cloudwatch:*:*:alarm:driftwatch-*',
      'arn:aws:cloudwatch:*:*:alarm:dw-*',
    ]);
    expect(alarms.Statement.find((s) => s.Sid === 'FindAndPruneOrphanAlarms')).toEqual({
      Sid: 'FindAndPruneOrphanAlarms',
      Effect: 'Allow',
      Action: ['cloudwatch:DeleteAlarms', 'cloudwatch:ListTagsForResource'],
      Resource: 'arn:aws:cloudwatch:*:*:alarm:*',
      Condition: { StringEquals: { 'aws:ResourceTag/managed-by': 'driftwatch' } },
    });
    // alarms sync also keeps dashboards and reads the baselines (proven in tests/integration/iam-enforced).
    const alarmsBy = new Map(alarms.Statement.map((s) => [s.Sid, s]));
    expect(alarmsBy.get('ManageDashboards')!.Resource).toContain('arn:aws:cloudwatch::*:dashboard/dw-*');
    expect(alarmsBy.get('ReadBaselines')!.Action).toEqual(['s3:GetObject']);
    expect(alarms.Statement.flatMap((s) => s.Action)).not.toContain('s3:PutObject');
    const baseline = iamPolicy(config, 'baseline', { datasets: ['s3://train/churn.csv'] });
    const by = new Map(baseline.Statement.map((s) => [s.Sid, s]));
    expect(by.get('WriteBaselines')!.Resource).toEqual([
      'arn:aws:s3:::ml/baselines/churn/*',
      'arn:aws:s3:::ml/baselines/fraud/*',
    ]);
    expect(by.get('ReadTrainingData')!.Resource).toContain('arn:aws:s3:::train/churn.csv');
    const dashboard = iamPolicy(config, 'dashboard');
    expect(dashboard.Statement.flatMap((s) => s.Action)).not.toContain('s3:PutObject');
  });
});
