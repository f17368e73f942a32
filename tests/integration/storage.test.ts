import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError } from '../../src/core/errors.js';
import { readLines } from '../../src/io/lines.js';
import { S3Storage } from '../../src/io/s3-storage.js';
import { RoutingStorage, type Storage } from '../../src/io/storage.js';
import { freshBucket, testS3Client } from '../support/aws.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const localRoot = mkdtempSync(join(tmpdir(), 'dw-storage-'));
afterAll(() => rmSync(localRoot, { recursive: true, force: true }));

const cases: Array<[string, () => Promise<{ storage: Storage; root: string }>]> = [
  ['local', async () => ({ storage: new RoutingStorage(), root: mkdtempSync(join(localRoot, 'case-')) })],
  [
    's3',
    async () => {
      const bucket = await freshBucket();
      return { storage: new S3Storage({ client: testS3Client() }), root: `s3://${bucket}/prefix` };
    },
  ],
];

describe.each(cases)('%s storage', (_name, make) => {
  it('writes, reads, lists in key order and deletes', async () => {
    const { storage, root } = await make();
    await storage.write(`${root}/b/2.txt`, 'two\n');
    await storage.write(`${root}/a/1.txt`, Buffer.from('one\r\nline2'));
    await storage.write(`${root}/c.txt`, Readable.from([Buffer.from('streamed')]));
    expect(await storage.readText(`${root}/a/1.txt`)).toBe('one\r\nline2');
    const listed = await collect(storage.list(root));
    expect(listed.map((o) => o.uri.slice(o.uri.lastIndexOf(root.split('/').pop()!)))).toEqual([
      'prefix/a/1.txt'.replace('prefix', root.split('/').pop()!),
      'prefix/b/2.txt'.replace('prefix', root.split('/').pop()!),
      'prefix/c.txt'.replace('prefix', root.split('/').pop()!),
    ]);
    const lines = await collect(readLines(await storage.readStream(`${root}/a/1.txt`)));
    expect(lines.map((l) => l.text)).toEqual(['one', 'line2']);
    expect((await storage.head(`${root}/c.txt`))?.size).toBe(8);
    expect(Buffer.from(await storage.readRange(`${root}/c.txt`, 2, 5)).toString()).toBe('rea');
    expect(await storage.head(`${root}/missing`)).toBeUndefined();
    await storage.delete(`${root}/c.txt`);
    expect(await storage.head(`${root}/c.txt`)).toBeUndefined();
  });

  it('refuses to overwrite with ifNoneMatch', async () => {
    const { storage, root } = await make();
    await storage.write(`${root}/once.json`, '{}', { ifNoneMatch: true });
    await expect(storage.write(`${root}/once.json`, '{"x":1}', { ifNoneMatch: true })).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    expect(await storage.readText(`${root}/once.json`)).toBe('{}');
  });

  it('lists more than one page', async () => {
    const { storage, root } = await make();
    const n = 1001;
    await Promise.all(
      Array.from({ length: n }, (_, i) => storage.write(`${root}/many/${String(i).padStart(5, '0')}`, 'x')),
    );
    const listed = await collect(storage.list(`${root}/many/`));
    expect(listed).toHaveLength(n);
  });
});
