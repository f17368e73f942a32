/**
 * A stalled S3 connection (issue 16): a loopback HTTP server answers GetObject with headers and a few bytes,
 * then stops sending and keeps the socket open. The read must end as a TransientError naming the object
 * (retried for small objects) within the idle timeout instead of hanging forever.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/core/errors.js';
import { S3Storage } from '../../src/io/s3-storage.js';

let server: Server;
let gets = 0;
const open: ServerResponse[] = [];

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  server = createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    gets++;
    res.writeHead(200, { 'content-length': '100000', 'content-type': 'application/octet-stream' });
    res.write('{"a":1}\n'); // then silence, socket kept open
    open.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const res of open) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function storage(): S3Storage {
  const { port } = server.address() as AddressInfo;
  return new S3Storage({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    timeouts: { connectMs: 1000, requestMs: 2000, idleMs: 300 },
  });
}

describe('a stalled S3 body', () => {
  it('ends a streamed read with a TransientError naming the object', async () => {
    const s3 = storage();
    const stream = await s3.readStream('s3://bucket/capture/x.jsonl');
    const read = (async () => {
      for await (const _ of stream) {
        // consume
      }
    })();
    const error = await read.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toContain('s3://bucket/capture/x.jsonl');
    s3.client.destroy();
  }, 10_000);

  it('retries a small object read, then fails cleanly', async () => {
    const s3 = storage();
    const before = gets;
    await expect(s3.readText('s3://bucket/out/execution.json')).rejects.toThrow(
      /s3:\/\/bucket\/out\/execution.json/,
    );
    expect(gets - before).toBe(3);
    s3.client.destroy();
  }, 15_000);
});
