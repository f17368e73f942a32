/**
 * Issue 17 on the worker path (not only the CLI): a split execution run by `driftwatch worker` honours the
 * monitor's `pii: redact` and `sseKmsKeyId`, and its partial profiles, which travel through Redis as the part
 * jobs' results, carry no raw sensitive value (security/pii.ts protectPartialProfile).
 * Checked on everything the queue left in Redis (job hashes, lists, sorted sets, the events stream), on the
 * report objects (each under the key, against a bucket policy that refuses anything else) and their text.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { captureLine } from '../../src/demo/traffic.js';
import { redisOptionsFromUrl } from '../../src/jobs/redis.js';
import { runCli } from '../support/cli.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitFor } from '../support/queues.js';
import { type RunningService, startMoto } from '../support/services.js';
import { serviceEnv, spawnWorker } from '../support/worker-process.js';

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/99999999-2222-3333-4444-555555555555';
const BUCKET = 'dw-worker-sec';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const queue = uniqueQueueSettings();
const dir = mkdtempSync(join(tmpdir(), 'dw-wsec-'));
const emails = ['jane@example.com', 'bob@corp.io', 'li.wei@mail.example.org'];
const phones = ['+44 20 7946 0958', '+1 202-555-0143'];
const scheduled = new Date('2026-05-01T11:00:00.000Z');
let moto: RunningService;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMoto({ enforcePolicies: true });
  s3 = new S3Client({ endpoint: moto.url, region: 'us-east-1', forcePathStyle: true, credentials });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: BUCKET,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyOtherThanTheKey',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${BUCKET}/*`,
            Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY } },
          },
        ],
      }),
    }),
  );
  // Training data: e-mail addresses in `email` (hashed in the baseline); `contact` harmless.
  const rows: string[][] = [];
  for (let i = 0; i < 300; i++)
    rows.push([String((i % 10) / 10), emails[i % 3]!, ['gold', 'silver'][i % 2]!, 'none']);
  writeFileSync(
    join(dir, 'train.csv'),
    `score,email,plan,contact\n${rows.map((r) => r.join(',')).join('\n')}\n`,
  );
  const built = await runCli([
    'baseline',
    '--dataset',
    join(dir, 'train.csv'),
    '--out',
    join(dir, 'baseline'),
  ]);
  expect(built.code, built.stderr).toBe(0);
  // The window: three capture files (three parts), the same e-mails, phone numbers now in `contact`.
  const hour = join(dir, 'capture', 'ep', 'AllTraffic', '2026', '05', '01', '10');
  mkdirSync(hour, { recursive: true });
  for (let f = 0; f < 3; f++) {
    const lines = rows
      .slice(f * 100, f * 100 + 100)
      .map((r, i) =>
        captureLine(
          [r[0]!, r[1]!, r[2]!, i % 4 === 0 ? phones[i % 2]! : r[3]!],
          new Date(Date.parse('2026-05-01T10:00:00Z') + (f * 100 + i) * 1000),
          `e${f}-${i}`,
        ),
      );
    writeFileSync(join(hour, `0${f}-00-000-part.jsonl`), `${lines.join('\n')}\n`);
  }
  writeFileSync(
    join(dir, 'monitors.yaml'),
    YAML.stringify({
      queue,
      monitors: [
        {
          name: 'sec',
          endpoint: 'ep',
          capture: join(dir, 'capture'),
          baseline: join(dir, 'baseline'),
          output: `s3://${BUCKET}/reports`,
          schedule: 'cron(0 * ? * * *)',
          pii: 'redact',
          sseKmsKeyId: KEY,
          splitThreshold: 1,
          maxParts: 3,
        },
      ],
    }),
  );
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
  await cleanupQueue(queue);
  rmSync(dir, { recursive: true, force: true });
});

/** Every value the queue's keys hold in Redis, as text. */
async function everythingInRedis(): Promise<string> {
  const redis = new Redis(redisOptionsFromUrl(redisUrl(), 'client'));
  const parts: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queue.prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') parts.push((await redis.get(key)) ?? '');
        else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return parts.join('\n');
}

describe('the worker honours pii and sseKmsKeyId, and Redis never holds a raw sensitive value', () => {
  it('a split execution: encrypted reports without raw values; part results in Redis masked or hashed', async () => {
    const env = {
      ...serviceEnv(moto.url, redisUrl()),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const worker = spawnWorker(['--config', join(dir, 'monitors.yaml')], env);
    try {
      const filled = await runCli(
        [
          'backfill',
          '--config',
          join(dir, 'monitors.yaml'),
          '--monitor',
          'sec',
          '--from',
          scheduled.toISOString(),
          '--to',
          new Date(scheduled.getTime() + 1_800_000).toISOString(),
        ],
        { env: { REDIS_URL: redisUrl() } },
      );
      expect(filled.code, filled.stderr).toBe(0);
      const prefix = 'reports/ep/sec/2026/05/01/11/';
      await waitFor(
        async () => {
          const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
          return (listed.Contents ?? []).some((o) => o.Key === `${prefix}execution.json`);
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'the execution.json' },
      );
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!);
      expect(keys.map((k) => k.slice(prefix.length))).toEqual(
        expect.arrayContaining([
          'statistics.json',
          'constraint_violations.json',
          'report.html',
          'execution.json',
        ]),
      );
      let reports = '';
      for (const key of keys) {
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
        expect([key, head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual([key, 'aws:kms', KEY]);
        const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        reports += await body.Body!.transformToString();
      }
      const summary = JSON.parse(
        await (
          await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${prefix}execution.json` }))
        ).Body!.transformToString(),
      );
      expect(summary.status).toBe('CompletedWithViolations'); // sensitive_data_check on `contact`
      expect(summary.recordsRead).toBe(300);
      expect(reports).toContain('sensitive_data_check');
      expect(reports).toContain('hmac-sha256:');
      expect([...emails, ...phones].filter((secret) => reports.includes(secret))).toEqual([]);

      // The three parts' results went through Redis: what is left there holds no raw value.
      const inRedis = await everythingInRedis();
      // The part results are there to be checked (JSON inside the job hashes and the events stream).
      expect(inRedis).toContain('__part0002');
      expect(inRedis).toContain('[PHONE_NUMBER]');
      expect(inRedis).toContain('hmac-sha256:');
      const leaked = [...emails, ...phones].filter((secret) => inRedis.includes(secret));
      expect(leaked).toEqual([]);
    } finally {
      await worker.stop();
    }
    expect(worker.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
  }, 120_000);
});
