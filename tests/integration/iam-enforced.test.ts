/**
 * Issue 17, point 1: the policies `driftwatch iam-policy` prints are sufficient and least-privilege, shown on
 * a moto_server with IAM enforced (`POST /moto-api/reset-auth`, the runtime form of
 * `INITIAL_NO_AUTH_ACTION_COUNT`). Each role gets an IAM user whose only policy is the generated one:
 * - baseline, an execution from the CLI, an execution from the worker (with metrics published) and the
 *   alarm sync all succeed with exactly those permissions;
 * - an action outside them is denied;
 * - a worker policy with any one statement removed makes a run fail with one line naming the action (and the
 *   resource, for S3), and leaves no partial report set.
 * moto's gaps under IAM enforcement (SigV4 over the decoded URI, conditions, CloudWatch's action names and
 * alarm resources, XML errors for JSON calls) are closed in tests/support/moto_launcher.py: see its header.
 * Not enforceable on moto: KMS permissions (moto's S3 never calls KMS), and S3's 403-for-a-missing-object
 * without s3:ListBucket (moto answers 404 whatever the policy).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { writeCaptureHours, writeTrainingCsv } from '../../src/demo/traffic.js';
import { S3Storage } from '../../src/io/s3-storage.js';
import { createStorage } from '../../src/io/storage.js';
import type { PolicyDocument } from '../../src/security/iam-policy.js';
import { runCli } from '../support/cli.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitFor } from '../support/queues.js';
import { type RunningService, startMoto } from '../support/services.js';
import { spawnWorker } from '../support/worker-process.js';

const BUCKET = 'dw-iam';
const root = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const queue = uniqueQueueSettings();
const dir = mkdtempSync(join(tmpdir(), 'dw-iam-'));
const configPath = join(dir, 'monitors.yaml');
// Executions publish only windows younger than CloudWatch's 14 days: hours just before now.
const firstHour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 12 * 3_600_000);
const hourAt = (h: number) => new Date(firstHour.getTime() + h * 3_600_000);
const hourPath = (h: number) => hourAt(h).toISOString().slice(0, 13).replace(/[-T]/g, '/');

let moto: RunningService;
let s3: S3Client;
type Keys = { accessKeyId: string; secretAccessKey: string };
let admin: Keys;

/** An IAM Query API call to moto (made before enforcement starts, so its signature is not checked). */
async function iam(params: Record<string, string>): Promise<string> {
  const response = await fetch(`${moto.url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ ...params, Version: '2010-05-08' }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`IAM ${params.Action}: ${text}`);
  return text;
}

/** A user whose one inline policy is `policy`; its access keys. */
async function userWith(name: string, policy: PolicyDocument): Promise<Keys> {
  await iam({ Action: 'CreateUser', UserName: name });
  await iam({
    Action: 'PutUserPolicy',
    UserName: name,
    PolicyName: 'driftwatch',
    PolicyDocument: JSON.stringify(policy),
  });
  const xml = await iam({ Action: 'CreateAccessKey', UserName: name });
  return {
    accessKeyId: xml.match(/<AccessKeyId>(.*?)</)![1]!,
    secretAccessKey: xml.match(/<SecretAccessKey>(.*?)</)![1]!,
  };
}

function envOf(keys: Keys): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL: moto.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_DISABLE_REQUEST_COMPRESSION: 'true',
    // The SDK's own notice about Node 20 is not driftwatch's output.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    REDIS_URL: redisUrl(),
  };
}

async function policyOf(role: string, ...extra: string[]): Promise<PolicyDocument> {
  const r = await runCli(['iam-policy', '--config', configPath, '--role', role, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PolicyDocument;
}

/** Keys under the report prefix of scheduled hour `h` (window `h - 1`), listed as the admin user. */
async function reportKeys(h: number): Promise<string[]> {
  const client = new S3Client({
    endpoint: moto.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: admin,
  });
  try {
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `reports/ep/m/${hourPath(h)}/` }),
    );
    return (listed.Contents ?? []).map((o) => o.Key!.split('/').pop()!).sort();
  } finally {
    client.destroy();
  }
}

async function readAsAdmin(key: string): Promise<string> {
  const client = new S3Client({
    endpoint: moto.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: admin,
  });
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return await out.Body!.transformToString();
  } finally {
    client.destroy();
  }
}

const REPORT_SET = ['constraint_violations.json', 'constraints.json', 'execution.json', 'statistics.json'];
/** No partial report set: either no report file at all, or all of them with execution.json. */
function noPartialReportSet(keys: string[]): void {
  const reports = keys.filter((k) => REPORT_SET.includes(k));
  if (reports.length > 0) expect(reports).toEqual(REPORT_SET);
}

function runArgs(h: number): string[] {
  return [
    'run',
    '--baseline',
    `s3://${BUCKET}/baselines/m/`,
    '--capture',
    `s3://${BUCKET}/capture`,
    '--endpoint',
    'ep',
    '--schedule',
    'm',
    '--start',
    hourAt(h).toISOString(),
    '--end',
    hourAt(h + 1).toISOString(),
    '--out',
    `s3://${BUCKET}/reports`,
    '--cloudwatch',
    '--json',
  ];
}

let worker: PolicyDocument;
const keys: Record<string, Keys> = {};

beforeAll(async () => {
  moto = await startMoto({ enforcePolicies: true });
  s3 = new S3Client({ endpoint: moto.url, region: 'us-east-1', forcePathStyle: true, credentials: root });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const local = createStorage();
  await writeTrainingCsv(local, join(dir, 'train.csv'), 300);
  const storage = new S3Storage({ client: s3 });
  await storage.write(`s3://${BUCKET}/train/train.csv`, readFileSync(join(dir, 'train.csv'), 'utf8'));
  await writeCaptureHours(storage, {
    captureUri: `s3://${BUCKET}/capture`,
    endpoint: 'ep',
    start: firstHour,
    hours: 10,
    recordsPerHour: 60,
    filesPerHour: 1,
  });
  writeFileSync(
    configPath,
    YAML.stringify({
      queue,
      monitors: [
        {
          name: 'm',
          endpoint: 'ep',
          capture: `s3://${BUCKET}/capture`,
          baseline: `s3://${BUCKET}/baselines/m/`,
          output: `s3://${BUCKET}/reports`,
          schedule: 'cron(0 * ? * * *)',
          cloudwatch: true,
          alarms: { namePrefix: 'dwiam', dashboards: true },
        },
      ],
    }),
  );
  worker = await policyOf('worker');
  keys.baseline = await userWith(
    'baseline',
    await policyOf('baseline', '--dataset', `s3://${BUCKET}/train/train.csv`),
  );
  keys.worker = await userWith('worker', worker);
  keys.alarms = await userWith('alarms', await policyOf('alarms'));
  keys.dashboard = await userWith('dashboard', await policyOf('dashboard'));
  for (const [i, statement] of worker.Statement.entries())
    keys[`without-${statement.Sid}`] = await userWith(`without${i}`, {
      ...worker,
      Statement: worker.Statement.filter((s) => s !== statement),
    });
  const alarms = await policyOf('alarms');
  for (const [i, statement] of alarms.Statement.entries())
    keys[`alarms-without-${statement.Sid}`] = await userWith(`alarmswithout${i}`, {
      ...alarms,
      Statement: alarms.Statement.filter((s) => s !== statement),
    });
  admin = await userWith('admin', {
    Version: '2012-10-17',
    Statement: [{ Sid: 'All', Effect: 'Allow', Action: ['*'], Resource: '*' }],
  });
  // From here on every request is authenticated and authorized.
  const reset = await fetch(`${moto.url}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  expect(reset.ok).toBe(true);
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
  await cleanupQueue(queue);
  rmSync(dir, { recursive: true, force: true });
});

describe('the generated IAM policies under moto with IAM enforced', () => {
  it('the worker policy has the statements the README describes', () => {
    expect(worker.Statement.map((s) => s.Sid)).toEqual([
      'Listdwiam',
      'ReadInputs',
      'WriteReports',
      'ReplaceReports',
      'PublishMetrics',
      'CheckPublication',
    ]);
  });

  it('baseline, a CLI execution with metrics, a worker execution and the alarm sync run with exactly them', async () => {
    const baseline = await runCli(
      ['baseline', '--dataset', `s3://${BUCKET}/train/train.csv`, '--out', `s3://${BUCKET}/baselines/m/`],
      { env: envOf(keys.baseline!) },
    );
    expect(baseline.code, baseline.stderr).toBe(0);

    const run = await runCli(runArgs(0), { env: envOf(keys.worker!) });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(summary.status).toMatch(/^Completed/);
    expect(summary.metricsPublished).toBeGreaterThan(0);
    expect(await reportKeys(1)).toEqual(expect.arrayContaining([...REPORT_SET, 'report.html']));
    // The audit trail names the principal (STS GetCallerIdentity: allowed without any permission).
    expect(summary.audit.caller).toEqual({
      arn: 'arn:aws:iam::123456789012:user/worker',
      account: '123456789012',
      userId: expect.any(String),
    });

    // The worker, with the same keys: one backfilled hour.
    const proc = spawnWorker(['--config', configPath], { ...process.env, ...envOf(keys.worker!) });
    try {
      const filled = await runCli(
        [
          'backfill',
          '--config',
          configPath,
          '--monitor',
          'm',
          '--from',
          hourAt(3).toISOString(),
          '--to',
          new Date(hourAt(3).getTime() + 1_800_000).toISOString(),
        ],
        { env: { REDIS_URL: redisUrl() } },
      );
      expect(filled.code, filled.stderr).toBe(0);
      await waitFor(async () => (await reportKeys(3)).includes('execution.json'), {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: 'the worker execution',
      });
    } finally {
      await proc.stop();
    }
    expect(proc.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    const stored = JSON.parse(await readAsAdmin(`reports/ep/m/${hourPath(3)}/execution.json`));
    expect([stored.status, stored.audit.caller.arn, stored.audit.jobId]).toEqual([
      expect.stringMatching(/^Completed/),
      'arn:aws:iam::123456789012:user/worker',
      expect.stringMatching(/^dq__m__/),
    ]);

    const sync = await runCli(['alarms', 'sync', '--config', configPath, '--json'], {
      env: envOf(keys.alarms!),
    });
    expect(sync.code, sync.stderr).toBe(0);
    const cw = new CloudWatchClient({ endpoint: moto.url, region: 'us-east-1', credentials: admin });
    try {
      const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'dwiam-' }));
      expect((alarms.MetricAlarms ?? []).length).toBeGreaterThan(0);
    } finally {
      cw.destroy();
    }
  }, 180_000);

  it('an action outside the policy is denied, in one line naming the action and resource', async () => {
    // The worker role may not write baselines.
    const r = await runCli(
      ['baseline', '--dataset', `s3://${BUCKET}/train/train.csv`, '--out', `s3://${BUCKET}/baselines/x/`],
      { env: envOf(keys.worker!) },
    );
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/access denied.*s3:(GetObject|PutObject) on arn:aws:s3:::dw-iam\//);
  }, 60_000);

  it.each([
    ['Listdwiam', /s3:ListBucket on arn:aws:s3:::dw-iam/],
    ['ReadInputs', /s3:GetObject on arn:aws:s3:::dw-iam\//],
    ['WriteReports', /s3:PutObject on arn:aws:s3:::dw-iam\/reports\//],
    ['PublishMetrics', /cloudwatch:PutMetricData/],
  ])(
    'without statement %s a run fails in one line naming it, with no partial report set',
    async (sid, named) => {
      const h = 4 + ['Listdwiam', 'ReadInputs', 'WriteReports', 'PublishMetrics'].indexOf(sid);
      const r = await runCli(runArgs(h), { env: envOf(keys[`without-${sid}`]!) });
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(named);
      noPartialReportSet(await reportKeys(h + 1));
    },
    60_000,
  );

  it('after a refused PutMetricData, a rerun needs ReplaceReports; with the full policy it completes the window', async () => {
    const h = 4 + 3; // the PublishMetrics case above: a Failed execution.json, replaced by this run
    expect(await reportKeys(h + 1)).toContain('execution.json');
    const denied = await runCli(runArgs(h), { env: envOf(keys['without-ReplaceReports']!) });
    expect(denied.code).toBe(2);
    expect(denied.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /access denied.*s3:DeleteObject on arn:aws:s3:::dw-iam\/reports\/.*execution\.json$/,
      ),
    ]);
    noPartialReportSet(await reportKeys(h + 1));
    const started = Date.now();
    const r = await runCli(runArgs(h), { env: envOf(keys.worker!) });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect([summary.status, summary.metricsPublished > 0]).toEqual(['Completed', true]);
    // The Failed report set is replaced (ReplaceReports), metrics published without waiting (180 s) for a
    // marker that cannot be in CloudWatch.
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);

  it('without CheckPublication, resuming a publication an earlier attempt left in doubt fails naming it', async () => {
    const h = 8;
    const crashed = await runCli(runArgs(h), {
      env: { ...envOf(keys.worker!), DRIFTWATCH_TEST_CRASH_AT: 'publish:before-first-call' },
    });
    expect(crashed.code).toBeNull(); // killed at the crash point: claim written, nothing sent
    const r = await runCli(runArgs(h), { env: envOf(keys['without-CheckPublication']!) });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/cloudwatch:GetMetricStatistics/);
    noPartialReportSet(await reportKeys(h + 1));
  }, 90_000);

  it('alarm sync: without any one statement of the alarms policy it fails in one line naming the action', async () => {
    const alarms = await policyOf('alarms');
    expect(alarms.Statement.map((s) => s.Sid)).toEqual([
      'ManageAlarms',
      'ManageDashboards',
      'FindAlarms',
      'Listdwiam',
      'ReadBaselines',
      'FindAndPruneOrphanAlarms',
    ]);
    const failures: string[] = [];
    // Not shown necessary here: s3:ListBucket only turns S3's 403 for a missing optional baseline file into
    // a 404 (moto answers 404 whatever the policy); FindAndPruneOrphanAlarms acts on alarms of retired
    // prefixes only (none here) and its aws:ResourceTag condition is not evaluated by moto.
    const shown = alarms.Statement.filter((s) => !['Listdwiam', 'FindAndPruneOrphanAlarms'].includes(s.Sid));
    for (const statement of shown) {
      const r = await runCli(['alarms', 'sync', '--config', configPath, '--prefix', 'dwiamx'], {
        env: envOf(keys[`alarms-without-${statement.Sid}`]!),
      });
      const lines = r.stderr.trim().split('\n');
      expect([statement.Sid, r.code, lines.length], r.stderr).toEqual([statement.Sid, 2, 1]);
      failures.push(`${statement.Sid}: ${lines[0]}`);
    }
    expect(failures.join('\n')).toMatch(
      /ManageAlarms: .*cloudwatch:(PutMetricAlarm|DeleteAlarms|TagResource|ListTagsForResource)/,
    );
    expect(failures.join('\n')).toMatch(
      /ManageDashboards: .*cloudwatch:(PutDashboard|GetDashboard|DeleteDashboards)/,
    );
    expect(failures.join('\n')).toMatch(/FindAlarms: .*cloudwatch:(DescribeAlarms|ListDashboards)/);
    expect(failures.join('\n')).toMatch(/ReadBaselines: .*s3:GetObject/);
  }, 120_000);

  it('the dashboard role reads every report and baseline it shows (a static export), and may write nothing', async () => {
    const site = join(dir, 'site');
    const r = await runCli(['dashboard', '--config', configPath, '--export', site], {
      env: envOf(keys.dashboard!),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/access denied/i);
    const written = await runCli(
      ['dashboard', '--config', configPath, '--export', `s3://${BUCKET}/reports/site/`],
      { env: envOf(keys.dashboard!) },
    );
    expect(written.code).toBe(2);
    expect(written.stderr.trim().split('\n')).toEqual([expect.stringMatching(/access denied.*s3:PutObject/)]);
  }, 90_000);
});
