/**
 * The least-privilege IAM policy of each driftwatch role, generated from the monitors config
 * (`driftwatch iam-policy --config monitors.yaml --role worker|baseline|alarms|dashboard`).
 *
 * - worker: runs executions. s3:ListBucket on each bucket, limited by `s3:prefix` to the capture,
 *   ground-truth, baseline and report prefixes (listing windows; and S3 answers 404 rather than 403 for a
 *   missing object only with it); s3:GetObject on those prefixes and on pinned preprocessor modules;
 *   s3:PutObject on report prefixes only; s3:DeleteObject on report prefixes (a recomputed window's report
 *   set is replaced: `--force`, a Failed window retried); cloudwatch:PutMetricData conditioned on the namespaces used;
 *   cloudwatch:GetMetricStatistics (resource `*`: it has no resource-level permission) to check a
 *   publication landed; kms:Decrypt/kms:GenerateDataKey on the configured `sseKmsKeyId` keys.
 * - baseline: s3:GetObject/ListBucket on `--dataset` (training data is not in the config) and baseline
 *   prefixes, s3:PutObject on baseline prefixes, the KMS keys.
 * - alarms (`alarms sync`): cloudwatch:PutMetricAlarm, DeleteAlarms, TagResource, ListTagsForResource on
 *   `arn:aws:cloudwatch:*:*:alarm:<namePrefix>-*`; cloudwatch:GetDashboard, PutDashboard, DeleteDashboards
 *   on `arn:aws:cloudwatch::*:dashboard/<namePrefix>-*` (the sync also removes dashboards no monitor wants
 *   any more); cloudwatch:DescribeAlarms and ListDashboards (resource `*`: no resource-level permission);
 *   s3:GetObject/ListBucket on the baseline prefixes (the alarms follow the baselines' features) and
 *   kms:Decrypt on the configured keys; ListTagsForResource and DeleteAlarms on any alarm tagged
 *   `managed-by=driftwatch` (orphans, `--prune`).
 * - dashboard: read-only: s3:ListBucket/GetObject on baseline and report prefixes, kms:Decrypt.
 */

import { executionHeartbeatDatum, metricNamespace } from '../alerts/data-quality-metrics.js';
import type { MonitorConfig, MonitorsConfig } from '../config/monitors.js';
import { parseUri } from '../core/uri.js';

export const iamRoles = ['worker', 'baseline', 'alarms', 'dashboard'] as const;
export type IamRole = (typeof iamRoles)[number];

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** Bucket → key prefixes (folders, ending in `/` unless the bucket root). Local paths need no IAM. */
class Prefixes {
  readonly byBucket = new Map<string, Set<string>>();
  add(uri: string | undefined, folder = true): this {
    if (!uri) return this;
    const parsed = parseUri(uri);
    if (parsed.kind !== 's3') return this;
    let key = parsed.key;
    if (folder && key !== '' && !key.endsWith('/')) key += '/';
    const set = this.byBucket.get(parsed.bucket) ?? new Set<string>();
    set.add(key);
    this.byBucket.set(parsed.bucket, set);
    return this;
  }
  get empty(): boolean {
    return this.byBucket.size === 0;
  }
  /** Object ARNs: `arn:aws:s3:::bucket/prefix*` (an object key: exact). */
  objectArns(): string[] {
    const out: string[] = [];
    for (const [bucket, keys] of this.byBucket)
      for (const key of keys)
        out.push(`arn:aws:s3:::${bucket}/${key}${key === '' || key.endsWith('/') ? '*' : ''}`);
    return out.sort();
  }
}

const safeSid = (text: string) => text.replace(/[^A-Za-z0-9]/g, '');

function listStatements(prefixes: Prefixes, sid: string): PolicyStatement[] {
  return [...prefixes.byBucket].map(([bucket, keys]) => {
    const patterns = new Set<string>();
    for (const key of keys) {
      if (key === '') patterns.add('*');
      else {
        patterns.add(`${key}*`);
        patterns.add(key.replace(/\/$/, '')); // the folder itself (a listing of `<prefix>` without the slash)
      }
    }
    return {
      Sid: `${sid}${safeSid(bucket)}`,
      Effect: 'Allow' as const,
      Action: ['s3:ListBucket'],
      Resource: `arn:aws:s3:::${bucket}`,
      Condition: { StringLike: { 's3:prefix': [...patterns].sort() } },
    };
  });
}

function kmsResources(keys: ReadonlySet<string>): { arns: string[]; aliases: string[] } {
  const arns: string[] = [];
  const aliases: string[] = [];
  for (const key of keys) {
    if (key.startsWith('arn:')) arns.push(key);
    else if (key.startsWith('alias/')) aliases.push(key);
    else arns.push(`arn:aws:kms:*:*:key/${key}`);
  }
  return { arns: arns.sort(), aliases: aliases.sort() };
}

function kmsStatements(keys: ReadonlySet<string>, actions: string[]): PolicyStatement[] {
  if (keys.size === 0) return [];
  const { arns, aliases } = kmsResources(keys);
  const out: PolicyStatement[] = [];
  if (arns.length > 0) out.push({ Sid: 'KmsKeys', Effect: 'Allow', Action: actions, Resource: arns });
  if (aliases.length > 0)
    out.push({
      Sid: 'KmsKeysByAlias',
      Effect: 'Allow',
      Action: actions,
      Resource: 'arn:aws:kms:*:*:key/*',
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } },
    });
  return out;
}

function namespacesOf(monitors: readonly MonitorConfig[]): string[] {
  const out = new Set<string>();
  for (const m of monitors) {
    if (!m.cloudwatch) continue;
    const id = { endpoint: m.endpoint, scheduleName: m.scheduleName ?? m.name, batch: false };
    out.add(metricNamespace(m.type, id));
    out.add(
      executionHeartbeatDatum({ ...id, type: m.type, status: 'Completed', timestamp: new Date(0) }).namespace,
    );
  }
  return [...out].sort();
}

/** The policy document of `role` for the monitors of `config`. */
export function iamPolicy(
  config: Pick<MonitorsConfig, 'monitors'>,
  role: IamRole,
  options: { datasets?: readonly string[] } = {},
): PolicyDocument {
  const monitors = config.monitors;
  const keys = new Set(monitors.flatMap((m) => (m.sseKmsKeyId ? [m.sseKmsKeyId] : [])));
  const statements: PolicyStatement[] = [];
  const reports = new Prefixes();
  const baselines = new Prefixes();
  const inputs = new Prefixes();
  const modules = new Prefixes();
  for (const m of monitors) {
    reports.add(m.output);
    baselines.add(m.baseline);
    inputs.add(`${m.capture.replace(/\/$/, '')}/${m.endpoint}`);
    inputs.add(m.modelQuality?.groundTruth);
    inputs.add(m.bias?.groundTruth);
    inputs.add(m.attribution?.attributions);
    modules.add(m.preprocessor, false);
    // A Clarify analysis_config.json outside the baseline prefix (one object).
    modules.add(m.bias?.analysisConfig, false);
    modules.add(m.attribution?.analysisConfig, false);
  }
  if (role === 'worker') {
    const listed = new Prefixes();
    for (const p of [inputs, baselines, reports])
      for (const [bucket, set] of p.byBucket) for (const key of set) listed.add(`s3://${bucket}/${key}`);
    statements.push(...listStatements(listed, 'List'));
    const readable = [
      ...inputs.objectArns(),
      ...baselines.objectArns(),
      ...reports.objectArns(),
      ...modules.objectArns(),
    ];
    if (readable.length > 0)
      statements.push({
        Sid: 'ReadInputs',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [...new Set(readable)].sort(),
      });
    if (!reports.empty)
      statements.push(
        {
          Sid: 'WriteReports',
          Effect: 'Allow',
          Action: ['s3:PutObject'],
          Resource: reports.objectArns(),
        },
        {
          // A recomputed window (`--force`, a Failed window retried) replaces its report set: the stored
          // one is deleted first, execution.json first (monitor/stored.ts clearReportSet).
          Sid: 'ReplaceReports',
          Effect: 'Allow',
          Action: ['s3:DeleteObject'],
          Resource: reports.objectArns(),
        },
      );
    const namespaces = namespacesOf(monitors);
    if (namespaces.length > 0) {
      statements.push({
        Sid: 'PublishMetrics',
        Effect: 'Allow',
        Action: ['cloudwatch:PutMetricData'],
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': namespaces } },
      });
      statements.push({
        Sid: 'CheckPublication',
        Effect: 'Allow',
        Action: ['cloudwatch:GetMetricStatistics'],
        Resource: '*',
      });
    }
    statements.push(...kmsStatements(keys, ['kms:Decrypt', 'kms:GenerateDataKey']));
  } else if (role === 'baseline') {
    const datasets = new Prefixes();
    for (const d of options.datasets ?? []) datasets.add(d, !/\.[A-Za-z0-9]+$/.test(d));
    const listed = new Prefixes();
    for (const p of [datasets, baselines])
      for (const [bucket, set] of p.byBucket)
        for (const key of set) listed.add(`s3://${bucket}/${key}`, false);
    statements.push(...listStatements(listed, 'List'));
    const readable = [...datasets.objectArns(), ...baselines.objectArns()];
    if (readable.length > 0)
      statements.push({
        Sid: 'ReadTrainingData',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: readable,
      });
    if (!baselines.empty)
      statements.push({
        Sid: 'WriteBaselines',
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: baselines.objectArns(),
      });
    statements.push(...kmsStatements(keys, ['kms:Decrypt', 'kms:GenerateDataKey']));
  } else if (role === 'alarms') {
    const prefixes = new Set(
      monitors.filter((m) => m.alarms?.enabled !== false).map((m) => m.alarms?.namePrefix ?? 'driftwatch'),
    );
    if (prefixes.size > 0) {
      statements.push({
        Sid: 'ManageAlarms',
        Effect: 'Allow',
        Action: [
          'cloudwatch:DeleteAlarms',
          'cloudwatch:ListTagsForResource',
          'cloudwatch:PutMetricAlarm',
          'cloudwatch:TagResource',
        ],
        Resource: [...prefixes].sort().map((p) => `arn:aws:cloudwatch:*:*:alarm:${p}-*`),
      });
      statements.push({
        Sid: 'ManageDashboards',
        Effect: 'Allow',
        Action: ['cloudwatch:DeleteDashboards', 'cloudwatch:GetDashboard', 'cloudwatch:PutDashboard'],
        Resource: [...prefixes].sort().map((p) => `arn:aws:cloudwatch::*:dashboard/${p}-*`),
      });
      statements.push({
        Sid: 'FindAlarms',
        Effect: 'Allow',
        Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListDashboards'],
        Resource: '*',
      });
      // The alarms follow each baseline's features (statistics.json, constraints.json).
      const listed = new Prefixes();
      for (const [bucket, set] of baselines.byBucket)
        for (const key of set) listed.add(`s3://${bucket}/${key}`);
      statements.push(...listStatements(listed, 'List'));
      if (!baselines.empty)
        statements.push({
          Sid: 'ReadBaselines',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: baselines.objectArns(),
        });
      statements.push(...kmsStatements(keys, ['kms:Decrypt']));
    }
    // Orphans (alarms sync [--prune]): managed alarms under prefixes the config no longer names, found and
    // deleted by their tag. Tags of other alarms are refused, which the search takes as "not ours".
    statements.push({
      Sid: 'FindAndPruneOrphanAlarms',
      Effect: 'Allow',
      Action: ['cloudwatch:DeleteAlarms', 'cloudwatch:ListTagsForResource'],
      Resource: 'arn:aws:cloudwatch:*:*:alarm:*',
      Condition: { StringEquals: { 'aws:ResourceTag/managed-by': 'driftwatch' } },
    });
    if (prefixes.size === 0)
      statements.push({
        Sid: 'FindAlarms',
        Effect: 'Allow',
        Action: ['cloudwatch:DescribeAlarms'],
        Resource: '*',
      });
  } else {
    const listed = new Prefixes();
    for (const p of [baselines, reports])
      for (const [bucket, set] of p.byBucket) for (const key of set) listed.add(`s3://${bucket}/${key}`);
    statements.push(...listStatements(listed, 'List'));
    const readable = [...baselines.objectArns(), ...reports.objectArns()];
    if (readable.length > 0)
      statements.push({ Sid: 'ReadReports', Effect: 'Allow', Action: ['s3:GetObject'], Resource: readable });
    statements.push(...kmsStatements(keys, ['kms:Decrypt']));
  }
  return { Version: '2012-10-17', Statement: statements };
}
