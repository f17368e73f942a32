/**
 * SSE-KMS on every object written, against the common bucket policy that denies unencrypted PutObject
 * (enforced by tests/support/moto_launcher.py: moto 5.2 stores bucket policies but does not apply them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMonitorsConfig } from '../../src/config/monitors.js';
import { writeCaptureHours, writeTrainingCsv } from '../../src/demo/traffic.js';
import { S3Storage } from '../../src/io/s3-storage.js';
import { createStorage, withSseKms } from '../../src/io/storage.js';
import { executionFor } from '../../src/jobs/payloads.js';
import { lastJson, runCli } from '../support/cli.js';
import { type RunningService, startMoto } from '../support/services.js';

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let moto: RunningService;
let client: S3Client;
const bucket = 'dw-sse-kms';
const dir = mkdtempSync(join(tmpdir(), 'dw-sse-'));

beforeAll(async () => {
  moto = await startMoto({ enforcePolicies: true });
  client = new S3Client({ endpoint: moto.url, region: 'us-east-1', forcePathStyle: true, credentials });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyUnencryptedObjectUploads',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${bucket}/*`,
            Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
          },
          {
            Sid: 'DenyOtherKeys',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${bucket}/*`,
            Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY } },
          },
        ],
      }),
    }),
  );
}, 90_000);

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function everyObjectEncrypted(prefix: string): Promise<number> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const keys = (listed.Contents ?? []).map((o) => o.Key!);
  for (const key of keys) {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect([key, head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual([key, 'aws:kms', KEY]);
  }
  return keys.length;
}

describe('SSE-KMS (sseKmsKeyId, --sse-kms-key-id)', () => {
  it('the bucket policy refuses an unencrypted PutObject and a multipart upload without the key', async () => {
    const plain = new S3Storage({ client });
    await expect(plain.write(`s3://${bucket}/plain.txt`, 'x')).rejects.toThrow(
      /access denied.*s3:PutObject/i,
    );
    await expect(
      plain.write(`s3://${bucket}/plain-stream.bin`, Readable.from([Buffer.alloc(1024)])),
    ).rejects.toThrow(/access denied.*s3:PutObject/i);
  });

  it('encrypts single-request and multipart (9 MiB stream) writes, with the key from the storage or the write', async () => {
    const storage = new S3Storage({ client, sseKmsKeyId: KEY });
    await storage.write(`s3://${bucket}/direct/small.json`, '{}');
    const chunks = Array.from({ length: 9 }, () => Buffer.alloc(1024 * 1024, 7));
    const info = await storage.write(`s3://${bucket}/direct/large.bin`, Readable.from(chunks));
    expect(info.size).toBe(9 * 1024 * 1024);
    const wrapped = withSseKms(new S3Storage({ client }), KEY);
    await wrapped.write(`s3://${bucket}/direct/wrapped.json`, '{}', { ifNoneMatch: true });
    expect(await everyObjectEncrypted('direct/')).toBe(3);
  });

  it('baseline and run write every object (baseline, reports, report.html, execution.json) under the key', async () => {
    const local = createStorage();
    await writeTrainingCsv(local, join(dir, 'train.csv'), 400);
    await writeCaptureHours(local, {
      captureUri: join(dir, 'capture'),
      endpoint: 'ep',
      start: new Date('2026-06-01T00:00:00Z'),
      hours: 1,
      recordsPerHour: 200,
      filesPerHour: 2,
    });
    const env = {
      AWS_ENDPOINT_URL: moto.url,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    };
    const refused = await runCli(
      ['baseline', '--dataset', join(dir, 'train.csv'), '--out', `s3://${bucket}/refused/`],
      { env },
    );
    expect(refused.code).not.toBe(0);
    const baseline = await runCli(
      [
        'baseline',
        '--dataset',
        join(dir, 'train.csv'),
        '--out',
        `s3://${bucket}/baseline/`,
        '--sse-kms-key-id',
        KEY,
      ],
      { env },
    );
    expect(baseline.code, baseline.stderr).toBe(0);
    expect(await everyObjectEncrypted('baseline/')).toBe(3);
    const run = await runCli(
      [
        'run',
        '--baseline',
        `s3://${bucket}/baseline/`,
        '--capture',
        join(dir, 'capture'),
        '--endpoint',
        'ep',
        '--start',
        '2026-06-01T00:00:00Z',
        '--end',
        '2026-06-01T01:00:00Z',
        '--out',
        `s3://${bucket}/reports/`,
        '--sse-kms-key-id',
        KEY,
        '--json',
      ],
      { env },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson<{ status: string }>(run.stdout).status).toMatch(/^Completed/);
    expect(await everyObjectEncrypted('reports/')).toBeGreaterThanOrEqual(5);
  }, 120_000);

  it('takes sseKmsKeyId from the config defaults into every execution payload (a monitor may override it)', () => {
    const config = parseMonitorsConfig({
      defaults: { sseKmsKeyId: KEY, capture: 's3://b/c', output: 's3://b/o', schedule: 'cron(0 * ? * * *)' },
      monitors: [
        { name: 'a', endpoint: 'ep', baseline: 's3://b/base/' },
        { name: 'b', endpoint: 'ep', baseline: 's3://b/base/', sseKmsKeyId: 'alias/other' },
      ],
    });
    const at = new Date('2026-06-01T01:00:00Z');
    expect(config.monitors.map((m) => executionFor(m, at, 'schedule').data.execution.sseKmsKeyId)).toEqual([
      KEY,
      'alias/other',
    ]);
  });
});
