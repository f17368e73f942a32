/**
 * One error boundary (issue 16): SDK, file-system and Redis failures end the CLI with one line naming the
 * operation, the URI and, for access errors, the IAM action needed; never a stack trace or an unhandled
 * rejection. The S3 faults come from a loopback server speaking S3's error protocol to the real SDK.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDriftwatchError } from '../../src/core/error-boundary.js';
import { InputError, TransientError } from '../../src/core/errors.js';
import { S3Storage } from '../../src/io/s3-storage.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/services.js';

let server: Server;
let endpoint: string;

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

beforeAll(async () => {
  // The in-process S3Storage below signs its requests: fake credentials (no global setup in unit tests).
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/missing-bucket')) {
      if (req.method === 'HEAD') res.writeHead(404).end();
      else
        res.writeHead(404, { 'content-type': 'application/xml' }).end(xmlError('NoSuchBucket', 'no bucket'));
      return;
    }
    if (url.includes('denied')) {
      // A denied HEAD has no body: the SDK can only say "UnknownError"/"Forbidden" with HTTP 403.
      if (req.method === 'HEAD') res.writeHead(403).end();
      else
        res
          .writeHead(403, { 'content-type': 'application/xml' })
          .end(xmlError('AccessDenied', 'Access Denied'));
      return;
    }
    if (url.includes('reset')) {
      req.socket.destroy();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const awsEnv = () => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_ENDPOINT_URL_S3: endpoint,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  AWS_MAX_ATTEMPTS: '2',
});

/** Exactly one stderr line, `driftwatch: ...`, with no stack frame. */
function oneLine(stderr: string): string {
  const lines = stderr
    .trim()
    .split('\n')
    .filter(
      (l) =>
        !/NodeVersionSupportWarning|node >=22|upgrade to node|a\.co\/|trace-warnings|^$|versions published|will require|To continue receiving|More information/.test(
          l,
        ),
    );
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^driftwatch: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('S3 faults at the CLI', () => {
  it('a denied HEAD (403, no body) names the operation, the URI and the IAM action', async () => {
    const r = await runCli(['baseline', '--dataset', 's3://data/denied.csv', '--out', '/tmp/dw-never'], {
      env: awsEnv(),
    });
    expect(r.code).toBe(2);
    const line = oneLine(r.stderr);
    expect(line).toContain('HeadObject s3://data/denied.csv');
    expect(line).toContain('access denied');
    expect(line).toContain('s3:GetObject on arn:aws:s3:::data/denied.csv');
  });

  it('AccessDenied on GetObject names s3:GetObject', async () => {
    const s3 = new S3Storage({ endpoint, region: 'us-east-1' });
    const error = await s3.readText('s3://data/denied.json').then(
      () => undefined,
      (e: unknown) => e,
    );
    s3.destroy();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      'S3 GetObject s3://data/denied.json: access denied (AccessDenied, HTTP 403): the credentials need s3:GetObject on arn:aws:s3:::data/denied.json',
    );
  });

  it('a missing bucket is one line naming the bucket', async () => {
    const r = await runCli(
      ['baseline', '--dataset', 's3://missing-bucket/train/', '--out', '/tmp/dw-never'],
      {
        env: awsEnv(),
      },
    );
    expect(r.code).toBe(2);
    const line = oneLine(r.stderr);
    expect(line).toMatch(
      /ListObjectsV2 s3:\/\/missing-bucket\/train\/: the bucket 'missing-bucket' does not exist/,
    );
  });

  it('a reset connection is one line, a transient error', async () => {
    const r = await runCli(['baseline', '--dataset', 's3://data/reset.csv', '--out', '/tmp/dw-never'], {
      env: awsEnv(),
    });
    expect(r.code).toBe(2);
    const line = oneLine(r.stderr);
    expect(line).toMatch(
      /HeadObject s3:\/\/data\/reset\.csv: (connection reset|connection closed|.*socket hang up)/i,
    );
  });
});

describe('file-system faults', () => {
  it('ENOSPC from write(2), which names no path, gets the path of the write', async () => {
    const error = await writeFile('/dev/full', 'x').then(
      () => undefined,
      (e: unknown) => e,
    );
    const failure = toDriftwatchError(error, { operation: 'write', uri: '/data/out/statistics.json' });
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure.message).toBe('cannot write /data/out/statistics.json: no space left on device (ENOSPC)');
  });

  it('an unreadable output folder is one line at the CLI', async () => {
    const r = await runCli([
      'baseline',
      '--dataset',
      '/etc/hostname',
      '--out',
      '/proc/dw-never/x',
      '--format',
      'csv',
    ]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^driftwatch: /);
  });
});

describe('Redis unreachable', () => {
  // A worker waits for Redis up to --redis-wait-ms (30 s by default; tests/integration/worker-redis-wait):
  // with 0 it checks once, as the other commands do.
  it.each([
    ['schedule', []],
    ['worker', ['--redis-wait-ms', '0']],
  ])('%s exits with one line naming the URL', async (command, extra) => {
    const config = `/tmp/dw-hostile-redis-${process.pid}.yaml`;
    await writeFile(
      config,
      'monitors:\n  - name: churn\n    endpoint: e\n    capture: /tmp/c\n    baseline: /tmp/b/\n    output: /tmp/o\n    schedule: cron(0 * ? * * *)\n',
    );
    const url = `redis://127.0.0.1:${await freePort()}`;
    const r = await runCli([command, '--config', config, '--redis-url', url, ...extra], {
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(
      `driftwatch: cannot reach Redis at ${url}: connect ECONNREFUSED ${url.slice(8)}`,
    );
  });
});
