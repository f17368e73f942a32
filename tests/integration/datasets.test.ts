/**
 * Every dataset format read from S3 (moto_server) through the real `S3Storage`: single objects, a Spark-style
 * prefix of part files, and the errors for what is not there.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCsv } from '../../bench/datasets.js';
import { InputError } from '../../src/core/errors.js';
import { IssueLog } from '../../src/core/issues.js';
import { openDataset } from '../../src/io/datasets/index.js';
import { LocalStorage } from '../../src/io/local-storage.js';
import { S3Storage } from '../../src/io/s3-storage.js';
import { freshBucket, testS3Client } from '../support/aws.js';
import {
  arrowBytes,
  arrowColumns,
  arrowRows,
  parquetBytes,
  parquetColumns,
  parquetRows,
  readAll,
} from '../support/datasets.js';

let storage: S3Storage;
let root: string;
const localRoot = mkdtempSync(join(tmpdir(), 'dw-datasets-s3-'));

beforeAll(async () => {
  storage = new S3Storage({ client: testS3Client() });
  root = `s3://${await freshBucket('dw-datasets')}/data`;
});

afterAll(async () => {
  // Leave no objects behind: the bucket is unique to this file.
  for await (const object of storage.list(root.replace(/\/data$/, '/'))) await storage.delete(object.uri);
  storage.destroy();
  rmSync(localRoot, { recursive: true, force: true });
});

describe('datasets on S3', () => {
  it('reads a CSV larger than one ranged part (8 MiB) exactly as the same file read locally', async () => {
    const path = join(localRoot, 'train.csv');
    await generateCsv(path, 75_000, 20, 3);
    const uri = `${root}/csv/train.csv`;
    await storage.write(uri, readFileSync(path));
    const issues = new IssueLog();
    const fromS3 = await openDataset(storage, uri, { issues });
    const rows = await readAll(fromS3);
    const local = await readAll(await openDataset(new LocalStorage(), path));
    expect(readFileSync(path).length).toBeGreaterThan(8 * 1024 * 1024);
    expect(rows).toHaveLength(75_000);
    expect(rows).toEqual(local);
    expect(fromS3.columns[0]).toBe('label');
    expect(fromS3.bytesRead()).toBe(readFileSync(path).length);
    expect(issues.total).toBe(0);
  });

  it('reads a CSV with quoted fields and CRLF split across part files below a prefix', async () => {
    await storage.write(`${root}/parts/part-00000.csv`, 'id,text\r\n1,"a, ""b"""\r\n');
    await storage.write(`${root}/parts/part-00001.csv`, 'id,text\r\n2,"multi\nline"\r\n');
    await storage.write(`${root}/parts/_SUCCESS`, '');
    await storage.write(`${root}/parts/.part-00000.csv.crc`, 'x');
    // A sibling whose key starts like the prefix must not be read.
    await storage.write(`${root}/parts-old/part-00000.csv`, 'id,text\r\n9,old\r\n');
    const reader = await openDataset(storage, `${root}/parts`);
    expect(reader.columns).toEqual(['id', 'text']);
    expect(await readAll(reader)).toEqual([
      ['1', 'a, "b"'],
      ['2', 'multi\nline'],
    ]);
  });

  it('reads JSON Lines', async () => {
    const uri = `${root}/events.jsonl`;
    await storage.write(uri, '{"a":1,"__proto__":"p"}\nnot json\n{"b":[1]}\n');
    const issues = new IssueLog();
    const reader = await openDataset(storage, uri, { issues });
    expect(await readAll(reader)).toEqual([
      [1, 'p'],
      [null, null, '[1]'],
    ]);
    expect(reader.columns).toEqual(['a', '__proto__', 'b']);
    expect(Object.fromEntries(issues.counts)).toEqual({ malformed_json: 1, nested_value: 1 });
  });

  it('reads Arrow IPC files and streams through range reads', async () => {
    await storage.write(`${root}/arrow/data.arrow`, arrowBytes('file'));
    await storage.write(`${root}/arrow/data.arrows`, arrowBytes('stream'));
    for (const name of ['data.arrow', 'data.arrows']) {
      const reader = await openDataset(storage, `${root}/arrow/${name}`);
      expect(reader.columns).toEqual(arrowColumns);
      expect(await readAll(reader)).toEqual(arrowRows);
    }
  });

  it('reads Parquet row group by row group through range reads, alone or as part files', async () => {
    await storage.write(`${root}/pq/part-0.snappy.parquet`, parquetBytes());
    await storage.write(
      `${root}/pq/part-1.snappy.parquet`,
      parquetBytes({ rowGroupSize: 1, codec: 'UNCOMPRESSED' }),
    );
    const one = await openDataset(storage, `${root}/pq/part-0.snappy.parquet`);
    expect(one.columns).toEqual(parquetColumns);
    expect(await readAll(one)).toEqual(parquetRows);
    expect(await readAll(await openDataset(storage, `${root}/pq/`))).toEqual([
      ...parquetRows,
      ...parquetRows,
    ]);
  });

  it('reads a whole bucket named without a key', async () => {
    const bucket = await freshBucket('dw-datasets-root');
    await storage.write(`s3://${bucket}/part-0.jsonl`, '{"a":1}\n');
    await storage.write(`s3://${bucket}/part-1.jsonl`, '{"a":2}\n');
    await storage.write(`s3://${bucket}/_SUCCESS`, 'ok');
    expect(await readAll(await openDataset(storage, `s3://${bucket}`))).toEqual([[1], [2]]);
    for await (const object of storage.list(`s3://${bucket}/`)) await storage.delete(object.uri);
  });

  it('fails with an InputError naming an object that does not exist', async () => {
    const missing = `${root}/missing/train.csv`;
    const error = await openDataset(storage, missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(missing);
  });
});
