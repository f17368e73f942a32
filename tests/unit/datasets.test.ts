/**
 * JSON Lines, Arrow IPC and Parquet readers on local files, format detection, and datasets split in part
 * files below a prefix. (CSV: datasets-csv.test.ts.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Decimal, makeData, makeVector, Table, tableToIPC } from 'apache-arrow';
import fc from 'fast-check';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { IssueLog } from '../../src/core/issues.js';
import { detachString } from '../../src/core/strings.js';
import type { Cell } from '../../src/core/types.js';
import { CsvSource } from '../../src/io/datasets/csv.js';
import { openDataset } from '../../src/io/datasets/index.js';
import { formatFromName } from '../../src/io/datasets/objects.js';
import { ParquetSource } from '../../src/io/datasets/parquet.js';
import { rangedStream } from '../../src/io/datasets/ranges.js';
import { LocalStorage } from '../../src/io/local-storage.js';
import {
  arrowBytes,
  arrowColumns,
  arrowRows,
  parquetBytes,
  parquetColumns,
  parquetRows,
  readAll,
} from '../support/datasets.js';

const root = mkdtempSync(join(tmpdir(), 'dw-datasets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const storage = new LocalStorage();
let counter = 0;

function file(name: string, content: string | Uint8Array): string {
  const dir = join(root, `case-${++counter}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function kinds(issues: IssueLog): Record<string, number> {
  return Object.fromEntries(issues.counts);
}

describe('JSON Lines', () => {
  it('reads flat objects by key; columns grow in order of first appearance; absent keys are null', async () => {
    const path = file('a.jsonl', '{"a":1,"b":"x"}\n{"b":"y","c":true}\n{"a":-0,"c":null}\n');
    const issues = new IssueLog();
    const reader = await openDataset(storage, path, { issues });
    expect(reader.columns).toEqual([]);
    const rows = await readAll(reader);
    expect(reader.columns).toEqual(['a', 'b', 'c']);
    expect(rows).toEqual([
      [1, 'x'],
      [null, 'y', true],
      [-0, null, null],
    ]);
    expect(issues.total).toBe(0);
  });

  it('counts malformed and non-object lines with their line numbers and keeps reading', async () => {
    const path = file('bad.jsonl', '{"a":1}\n{"a":\n[1,2]\n"text"\nnull\n{"a":2}\r\n');
    const issues = new IssueLog();
    const rows = await readAll(await openDataset(storage, path, { issues }));
    expect(rows).toEqual([[1], [2]]);
    expect(kinds(issues)).toEqual({ malformed_json: 4 });
    expect(issues.samples.map((s) => s.line)).toEqual([2, 3, 4, 5]);
  });

  it('writes nested values as JSON text with an issue; 1e309 is Infinity with an issue', async () => {
    const path = file('nested.jsonl', '{"a":{"b":[1,{"c":2}]},"n":1e309,"m":-1e309,"s":"1e309"}\n');
    const issues = new IssueLog();
    const rows = await readAll(await openDataset(storage, path, { issues }));
    expect(rows).toEqual([
      ['{"b":[1,{"c":2}]}', Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '1e309'],
    ]);
    expect(kinds(issues)).toEqual({ nested_value: 1, number_out_of_range: 2 });
    expect(issues.samples[0]).toMatchObject({ kind: 'nested_value', column: 'a', line: 1 });
  });

  it('treats __proto__, constructor and prototype as ordinary keys (no prototype pollution)', async () => {
    const path = file(
      'proto.jsonl',
      '{"__proto__":{"polluted":1},"constructor":"c","prototype":2,"toString":3}\n',
    );
    const issues = new IssueLog();
    const reader = await openDataset(storage, path, { issues });
    const rows = await readAll(reader);
    expect(reader.columns).toEqual(['__proto__', 'constructor', 'prototype', 'toString']);
    expect(rows).toEqual([['{"polluted":1}', 'c', 2, 3]]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(kinds(issues)).toEqual({ nested_value: 1 });
  });

  it('reads any flat objects by key, whatever the keys (property)', async () => {
    const key = fc.oneof(
      fc.constantFrom(
        '__proto__',
        'constructor',
        'prototype',
        'toString',
        'hasOwnProperty',
        '',
        '0',
        'a',
        'Zoë',
      ),
      fc.string({ maxLength: 4 }),
    );
    const value = fc.oneof(
      fc.string({ maxLength: 5 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const record = fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 8 }), async (records) => {
        const text = records
          .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`)
          .join('\n');
        const issues = new IssueLog();
        const reader = await openDataset(storage, file('p.jsonl', text), { issues });
        const rows = await readAll(reader);
        expect(rows).toHaveLength(records.length);
        expect(new Set(reader.columns)).toEqual(new Set(records.flatMap((pairs) => pairs.map(([k]) => k))));
        records.forEach((pairs, r) => {
          const expected = new Map(pairs.map(([k, v]) => [k, JSON.parse(JSON.stringify(v)) as unknown]));
          reader.columns.forEach((name, c) => {
            expect(rows[r]![c] ?? null).toEqual(expected.has(name) ? expected.get(name) : null);
          });
        });
        expect(issues.total).toBe(0);
        expect(({} as Record<string, unknown>).constructor).toBe(Object);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('replaces invalid UTF-8, keeps the row and names the line', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"a":"ok"}\n{"a":"b'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('d"}\n'),
    ]);
    const issues = new IssueLog();
    const rows = await readAll(await openDataset(storage, file('utf8.jsonl', bytes), { issues }));
    expect(rows).toEqual([['ok'], ['b\uFFFD(d']]);
    expect(issues.samples).toEqual([expect.objectContaining({ kind: 'invalid_utf8', line: 2 })]);
  });

  it('reads an empty file as no rows; .json and .ndjson are JSON Lines', async () => {
    expect(await readAll(await openDataset(storage, file('empty.jsonl', '')))).toEqual([]);
    expect(await readAll(await openDataset(storage, file('x.json', '{"a":1}\n')))).toEqual([[1]]);
    expect(await readAll(await openDataset(storage, file('x.ndjson', '{"a":2}')))).toEqual([[2]]);
  });

  it('shares one set of columns across the part files of a prefix', async () => {
    const dir = join(root, `jsonl-parts-${++counter}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'part-0.jsonl'), '{"a":1}\n');
    writeFileSync(join(dir, 'part-1.jsonl'), '{"b":2,"a":3}\n');
    const reader = await openDataset(storage, dir);
    expect(await readAll(reader)).toEqual([[1], [3, 2]]);
    expect(reader.columns).toEqual(['a', 'b']);
  });
});

describe('Arrow IPC', () => {
  for (const format of ['file', 'stream'] as const) {
    it(`reads the ${format} format batch by batch with the cell conventions`, async () => {
      const issues = new IssueLog();
      const path = file(format === 'file' ? 'data.arrow' : 'data.arrows', arrowBytes(format));
      const reader = await openDataset(storage, path, { issues });
      expect(reader.columns).toEqual(arrowColumns);
      expect(await readAll(reader)).toEqual(arrowRows);
      // Reported once per column for the object, not once per batch or row.
      expect(kinds(issues)).toEqual({ nested_value: 1, precision_loss: 1 });
      expect(reader.bytesRead()).toBeGreaterThan(0);
    });
  }

  it('reads decimals as scaled numbers', async () => {
    // 1.25 and -1.25 as decimal(10, 2): 128-bit two's complement little-endian words of 125 and -125.
    const type = new Decimal(2, 10, 128);
    const words = new Uint32Array([125, 0, 0, 0, 0xffffff83, 0xffffffff, 0xffffffff, 0xffffffff]);
    const amount = makeVector(makeData({ type, length: 2, data: words }));
    const bytes = tableToIPC(new Table({ amount }), 'file');
    const rows = await readAll(await openDataset(storage, file('decimal.arrow', bytes)));
    expect(rows).toEqual([[1.25], [-1.25]]);
  });

  it('reads .feather; a 0-byte object is an InputError, not an empty dataset', async () => {
    expect(await readAll(await openDataset(storage, file('x.feather', arrowBytes('file'))))).toHaveLength(6);
    await expect(openDataset(storage, file('empty.arrow', ''))).rejects.toThrow(/0-byte/);
  });

  it('fails with an InputError naming a corrupt file', async () => {
    const bytes = arrowBytes('file');
    const corrupt = file(
      'corrupt.arrow',
      Buffer.concat([Buffer.from(bytes.subarray(0, 64)), Buffer.alloc(64, 0xff)]),
    );
    await expect(async () => readAll(await openDataset(storage, corrupt))).rejects.toThrow(InputError);
    await expect(async () => readAll(await openDataset(storage, corrupt))).rejects.toThrow(corrupt);
    const garbage = file('garbage.arrow', 'this is not arrow at all, just some text\n');
    await expect(async () => readAll(await openDataset(storage, garbage))).rejects.toThrow(InputError);
  });
});

describe('Parquet', () => {
  it('reads every row group with the cell conventions', async () => {
    const issues = new IssueLog();
    const reader = await openDataset(storage, file('data.parquet', parquetBytes()), { issues });
    expect(reader.columns).toEqual(parquetColumns);
    expect(await readAll(reader)).toEqual(parquetRows);
    expect(issues.total).toBe(0);
    expect(reader.bytesRead()).toBeGreaterThan(0);
  });

  it('reads an uncompressed file in one row group the same way', async () => {
    const reader = await openDataset(
      storage,
      file('one.parquet', parquetBytes({ codec: 'UNCOMPRESSED', rowGroupSize: 100 })),
    );
    expect(await readAll(reader)).toEqual(parquetRows);
  });

  it('reads a large row group in slices when it has offset indexes, else whole', async () => {
    const n = 1000;
    const expected = Array.from({ length: n }, (_, i) => [i, i % 5 === 0 ? null : `v${i}`]);
    for (const offsetIndex of [true, false]) {
      const bytes = parquetWriteBuffer({
        pageSize: 256, // many small pages
        rowGroupSize: 100_000,
        columnData: [
          { name: 'i', data: expected.map((r) => r[0]) as number[], type: 'INT32', offsetIndex },
          { name: 's', data: expected.map((r) => r[1]) as Array<string | null>, type: 'STRING', offsetIndex },
        ],
      });
      const path = file(`slices-${offsetIndex}.parquet`, new Uint8Array(bytes));
      const issues = new IssueLog();
      const source = await ParquetSource.open(
        storage,
        bytes.byteLength,
        { uri: path, issues },
        { sliceRows: 64 },
      );
      const rows: Cell[][] = [];
      let fills = 0;
      for (;;) {
        const row = source.next();
        if (row) rows.push([...row]);
        else if (await source.fill()) fills++;
        else break;
      }
      expect(rows).toEqual(expected);
      expect(fills).toBe(offsetIndex ? Math.ceil(n / 64) : 1);
      expect(issues.total).toBe(0);
    }
  });

  it('keeps columns that share a name (renamed), reading them as missing with an issue', async () => {
    const written = Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'dupA1', data: [1, 2], type: 'INT32' },
          { name: 'dupA2', data: ['x', 'y'], type: 'STRING' },
          { name: 'ok', data: [7, 8], type: 'INT32' },
        ],
      }),
    );
    // hyparquet-writer refuses duplicate names; pyarrow does not. Rename in the footer (same length).
    const bytes = Buffer.from(written.toString('latin1').replaceAll('dupA2', 'dupA1'), 'latin1');
    const issues = new IssueLog();
    const reader = await openDataset(storage, file('dup.parquet', bytes), { issues });
    expect(reader.columns).toEqual(['dupA1', 'dupA1__2', 'ok']);
    expect(await readAll(reader)).toEqual([
      [null, null, 7],
      [null, null, 8],
    ]);
    expect(kinds(issues)).toEqual({ duplicate_column: 1, unreadable_column: 1 });
  });

  it('passes values from the decoding thread exactly (NaN, -0, nulls, > 65,536 distinct strings)', async () => {
    const n = 70_000;
    const doubles = Array.from({ length: n }, (_, i) =>
      i % 7 === 0 ? null : i === 1 ? Number.NaN : i === 2 ? -0 : i === 3 ? Number.POSITIVE_INFINITY : i / 3,
    );
    const many = Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : `s${i}`));
    const few = Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : `c${i % 4}`));
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: 'd', data: doubles, type: 'DOUBLE' },
        { name: 'many', data: many, type: 'STRING' },
        { name: 'few', data: few, type: 'STRING' },
      ],
    });
    const reader = await openDataset(storage, file('values.parquet', new Uint8Array(bytes)));
    const rows = await readAll(reader);
    expect(rows.length).toBe(n);
    expect(rows.map((r) => r[0])).toEqual(doubles);
    expect(Object.is(rows[2]![0], -0)).toBe(true);
    expect(rows.map((r) => r[1])).toEqual(many);
    expect(rows.map((r) => r[2])).toEqual(few);
  });

  it('fails with an InputError on a 0-byte object and naming a file that is not Parquet', async () => {
    await expect(openDataset(storage, file('empty.parquet', ''))).rejects.toThrow(/0-byte/);
    const bad = file('bad.parquet', 'PAR1 this is not parquet PAR1');
    await expect(openDataset(storage, bad)).rejects.toThrow(InputError);
    await expect(openDataset(storage, bad)).rejects.toThrow(bad);
    const truncated = parquetBytes();
    const cut = file('cut.parquet', truncated.subarray(0, truncated.length - 40));
    await expect(openDataset(storage, cut)).rejects.toThrow(InputError);
  });
});

describe('datasets below a prefix', () => {
  it('reads every data file in key order, skipping _SUCCESS, .crc, hidden and _-prefixed files', async () => {
    const dir = join(root, `parts-${++counter}`);
    mkdirSync(join(dir, 'sub'), { recursive: true });
    mkdirSync(join(dir, '_temporary'), { recursive: true });
    writeFileSync(join(dir, 'part-00001.csv'), 'a,b\n3,4\n');
    writeFileSync(join(dir, 'part-00000.csv'), 'a,b\n1,2\n');
    writeFileSync(join(dir, 'sub', 'part-00002.csv'), 'a,b\n5,6\n');
    writeFileSync(join(dir, '_SUCCESS'), '');
    writeFileSync(join(dir, '.part-00000.csv.crc'), 'crc');
    writeFileSync(join(dir, 'part-00000.csv.crc'), 'crc');
    writeFileSync(join(dir, '_temporary', 'part-9.csv'), 'a,b\n9,9\n');
    const progress: number[] = [];
    const reader = await openDataset(storage, dir, { onProgress: (p) => progress.push(p.rowsRead) });
    expect(reader.columns).toEqual(['a', 'b']);
    expect(await readAll(reader)).toEqual([
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
    expect(progress).toEqual([3]);
    expect(reader.bytesRead()).toBe(24);
  });

  it('maps part files whose columns differ by name, with an issue naming the file', async () => {
    const dir = join(root, `mismatch-${++counter}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'p0.csv'), '');
    writeFileSync(join(dir, 'p1.csv'), 'a,b\n1,2\n');
    writeFileSync(join(dir, 'p2.csv'), 'b,a\n4,3\n');
    writeFileSync(join(dir, 'p3.csv'), 'a,c\n5,6\n');
    const issues = new IssueLog();
    const reader = await openDataset(storage, `${dir}/`, { issues });
    expect(await readAll(reader)).toEqual([
      ['1', '2'],
      ['3', '4'],
      ['5', null],
    ]);
    expect(kinds(issues)).toEqual({ column_mismatch: 1 });
    expect(issues.samples[0]!.source).toBe(join(dir, 'p3.csv'));
    expect(issues.samples[0]!.message).toContain('missing (read as null): "b"; extra (dropped): "c"');
  });

  it('reads Parquet and Arrow part files', async () => {
    const dir = join(root, `pq-${++counter}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'part-0.snappy.parquet'), parquetBytes());
    writeFileSync(join(dir, 'part-1.snappy.parquet'), parquetBytes({ rowGroupSize: 2 }));
    writeFileSync(join(dir, '_SUCCESS'), '');
    expect(await readAll(await openDataset(storage, dir))).toEqual([...parquetRows, ...parquetRows]);
    const arrows = join(root, `arrow-${++counter}`);
    mkdirSync(arrows);
    writeFileSync(join(arrows, 'a.arrow'), arrowBytes('file'));
    writeFileSync(join(arrows, 'b.arrow'), arrowBytes('stream'));
    expect(await readAll(await openDataset(storage, arrows))).toEqual([...arrowRows, ...arrowRows]);
  });

  it('fails clearly on an empty folder, mixed formats, or names without a known extension', async () => {
    const empty = join(root, `empty-${++counter}`);
    mkdirSync(empty);
    writeFileSync(join(empty, '_SUCCESS'), '');
    await expect(openDataset(storage, empty)).rejects.toThrow(InputError);
    const mixed = join(root, `mixed-${++counter}`);
    mkdirSync(mixed);
    writeFileSync(join(mixed, 'a.csv'), 'a\n1\n');
    writeFileSync(join(mixed, 'b.jsonl'), '{"a":1}\n');
    await expect(openDataset(storage, mixed)).rejects.toThrow(/mixed formats/);
    const unnamed = join(root, `unnamed-${++counter}`);
    mkdirSync(unnamed);
    writeFileSync(join(unnamed, 'part-0'), 'a\n1\n');
    await expect(openDataset(storage, unnamed)).rejects.toThrow(ConfigError);
    // An explicit format reads them.
    expect(await readAll(await openDataset(storage, unnamed, { format: 'csv' }))).toEqual([['1']]);
  });
});

describe('gzip-compressed CSV and JSON Lines', () => {
  it('gunzips .csv.gz and .jsonl.gz on the fly', async () => {
    const csv = file('train.csv.gz', gzipSync('a,b\n1,"x\ny"\n2,z\n'));
    const reader = await openDataset(storage, csv);
    expect(reader.columns).toEqual(['a', 'b']);
    expect(await readAll(reader)).toEqual([
      ['1', 'x\ny'],
      ['2', 'z'],
    ]);
    expect(reader.bytesRead()).toBe(16); // decompressed bytes
    const jsonl = file('events.jsonl.gz', gzipSync('{"a":1}\n{"a":2}\n'));
    expect(await readAll(await openDataset(storage, jsonl))).toEqual([[1], [2]]);
  });

  it('stops with an InputError naming a corrupt gzip object, and refuses gzipped Parquet', async () => {
    const whole = gzipSync(`a\n${'1\n'.repeat(100_000)}`);
    const corrupt = Buffer.from(whole);
    corrupt.fill(0x55, 20, 60);
    const path = file('bad.csv.gz', corrupt);
    const error = await (async () => readAll(await openDataset(storage, path)))().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(`${path}: cannot decompress (gzip)`);
    await expect(openDataset(storage, file('x.parquet.gz', gzipSync(parquetBytes())))).rejects.toThrow(
      ConfigError,
    );
  });
});

describe('ranged reads (how CSV and JSONL objects are read from S3)', () => {
  it('yields the object in parts, in order, and a CSV parses the same through them', async () => {
    const text = `a,b\n${Array.from({ length: 300 }, (_, i) => `${i},"v\n${i}"`).join('\n')}\n`;
    const path = file('ranged.csv', text);
    const size = Buffer.byteLength(text);
    const reads: Array<[number, number]> = [];
    const counting = new (class extends LocalStorage {
      override readRange(uri: string, start: number, end: number): Promise<Uint8Array> {
        reads.push([start, end]);
        return super.readRange(uri, start, end);
      }
    })();
    const parts: Buffer[] = [];
    for await (const part of rangedStream(counting, path, size, 97)) parts.push(part as Buffer);
    expect(Buffer.concat(parts).toString()).toBe(text);
    expect(reads).toHaveLength(Math.ceil(size / 97));
    expect(reads.every(([start, end], i) => start === i * 97 && end === Math.min(size, start + 97))).toBe(
      true,
    );

    const issues = new IssueLog();
    const source = await CsvSource.open(rangedStream(counting, path, size, 13), { uri: path, issues });
    const rows: Cell[][] = [];
    for (;;) {
      const row = source.next();
      if (row) rows.push([...row]);
      else if (!(await source.fill())) break;
    }
    expect(rows).toEqual(Array.from({ length: 300 }, (_, i) => [String(i), `v\n${i}`]));
    expect(issues.total).toBe(0);
  });

  it('stops reading when destroyed, and fails with an InputError when the object is shorter than listed', async () => {
    const path = file('short.csv', 'x'.repeat(1000));
    let reads = 0;
    const counting = new (class extends LocalStorage {
      override readRange(uri: string, start: number, end: number): Promise<Uint8Array> {
        reads++;
        return super.readRange(uri, start, end);
      }
    })();
    const stream = rangedStream(counting, path, 1000, 100);
    for await (const _ of stream) break;
    expect(stream.destroyed).toBe(true);
    expect(reads).toBeLessThanOrEqual(3);
    const chunks = async () => {
      for await (const _ of rangedStream(storage, path, 1500, 400)) {
        // drain
      }
    };
    await expect(chunks()).rejects.toThrow(InputError);
    await expect(chunks()).rejects.toThrow(/object ended at byte 1000 of 1500/);
  });
});

describe('format detection', () => {
  it('maps extensions to formats, case-insensitively', () => {
    expect(formatFromName('s3://b/train.CSV')).toBe('csv');
    expect(formatFromName('/x/part-0.c000.snappy.parquet')).toBe('parquet');
    expect(formatFromName('/x/train.parquet/')).toBe('parquet');
    expect(formatFromName('a.feather')).toBe('arrow');
    expect(formatFromName('a.ipc')).toBe('arrow');
    expect(formatFromName('a.ndjson')).toBe('jsonl');
    expect(formatFromName('a.csv.gz')).toBe('csv');
    expect(formatFromName('a.txt')).toBeUndefined();
  });

  it('rejects an unknown extension with a ConfigError naming the file and the format field', async () => {
    const path = file('data.txt', 'a\n1\n');
    const error = await openDataset(storage, path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe(path);
    expect((error as ConfigError).field).toBe('format');
    expect(await readAll(await openDataset(storage, path, { format: 'csv' }))).toEqual([['1']]);
  });
});

describe('detachString', () => {
  it('returns an equal string', () => {
    const long = 'a long categorical value, longer than thirteen characters';
    expect(detachString(long.slice(2, 30))).toBe(long.slice(2, 30));
    expect(detachString('short')).toBe('short');
    expect(detachString('Zoë 李 and more text')).toBe('Zoë 李 and more text');
  });
});
