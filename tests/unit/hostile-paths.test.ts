/**
 * Hostile paths and URIs (issue 16): one URI parser, one path-segment validator, writes that stay below
 * their prefix, local listings that neither loop on nor escape through symbolic links, temp files removed
 * after a failed write, and the CLI refusing `--schedule ../..` and `--out ''` before writing anything.
 */
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FileMetaData } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { checkPathSegment, pathSegmentProblem } from '../../src/core/names.js';
import { parseUri } from '../../src/core/uri.js';
import { checkRowCounts } from '../../src/io/datasets/parquet.js';
import { LocalStorage } from '../../src/io/local-storage.js';
import { parseS3Uri } from '../../src/io/s3-storage.js';
import { isS3Uri, joinUri } from '../../src/io/storage.js';
import { runCli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dw-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('one URI parser', () => {
  it('accepts any case of the s3 scheme and canonicalises it', () => {
    expect(parseUri('S3://bucket/x')).toEqual({
      kind: 's3',
      bucket: 'bucket',
      key: 'x',
      uri: 's3://bucket/x',
    });
    expect(isS3Uri('S3://bucket/x')).toBe(true);
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', key: '' });
  });
  it.each(['s3://', 's3:/x', 's3:bucket/x', 'S3:', 'http://host/x', 'S3:///x', ''])(
    'rejects %j as a ConfigError instead of a local folder',
    (uri) => {
      expect(() => parseUri(uri)).toThrow(ConfigError);
      expect(() => isS3Uri(uri)).toThrow(ConfigError);
    },
  );
  it('keeps local paths and file:// URLs local', () => {
    expect(parseUri('/tmp/x').kind).toBe('local');
    expect(parseUri('rel/x').kind).toBe('local');
    expect(parseUri('file:///tmp/x')).toMatchObject({ kind: 'local', path: '/tmp/x' });
  });
});

describe('one path-segment validator', () => {
  it.each(['..', '.', '', 'a/b', '/abs', 'x\ny', 'a\\b', 'tab\there'])('rejects %j', (name) => {
    expect(pathSegmentProblem(name)).toBeDefined();
    expect(() => checkPathSegment(name, '--schedule')).toThrow(/--schedule/);
  });
  it.each(['churn', 'driftwatch-run', 'a.b_c-1'])('accepts %j', (name) => {
    expect(checkPathSegment(name, 'x')).toBe(name);
  });
});

describe('writes stay below their prefix', () => {
  it('joinUri refuses .. segments and an empty prefix', () => {
    expect(() => joinUri('s3://b/out', '../../baselines/churn', 'statistics.json')).toThrow(ConfigError);
    expect(() => joinUri('/tmp/out', 'a/../../x')).toThrow(ConfigError);
    expect(() => joinUri('', 'statistics.json')).toThrow(/unset variable/);
    expect(joinUri('s3://b/out/', 'e/s', 'x.json')).toBe('s3://b/out/e/s/x.json');
  });
});

describe('local listing and symbolic links', () => {
  it('does not loop on links to its own folders and never reads files outside the root', async () => {
    const root = join(dir, 'capture');
    const outside = join(dir, 'outside');
    await mkdir(join(root, 'a'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(join(root, 'a', 'one.jsonl'), '{}\n');
    await writeFile(join(outside, 'secret.txt'), 'root:x:0:0\n');
    await writeFile(join(root, 'inside.txt'), 'x\n');
    await symlink(root, join(root, 'a', 'loop1'));
    await symlink(join(root, 'a'), join(root, 'loop2'));
    await symlink(join(outside, 'secret.txt'), join(root, 'escape.txt'));
    await symlink(outside, join(root, 'escape-dir'));
    await symlink(join(root, 'inside.txt'), join(root, 'alias.txt'));
    const seen: string[] = [];
    for await (const o of new LocalStorage().list(root)) seen.push(o.uri.slice(root.length + 1));
    expect(seen.sort()).toEqual(['a/one.jsonl', 'alias.txt', 'inside.txt']);
  });
});

describe('temporary files', () => {
  it('are removed when the body fails mid-write', async () => {
    const out = join(dir, 'tmpwrite');
    const body = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
      },
    });
    await expect(new LocalStorage().write(join(out, 'x.json'), body)).rejects.toThrow(/no space/);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('the CLI refuses hostile names before writing', () => {
  it('run --schedule ../../baselines/churn and --out "" are ConfigErrors with exit code 2 or 1, nothing written', async () => {
    const out = join(dir, 'cli-out');
    await mkdir(out, { recursive: true });
    const common = [
      '--capture',
      join(dir, 'capture'),
      '--endpoint',
      'ep',
      '--baseline',
      join(dir, 'baseline'),
    ];
    const window = ['--start', '2024-01-01T00:00:00Z', '--end', '2024-01-01T01:00:00Z'];
    const bad = await runCli([
      'run',
      ...common,
      '--out',
      out,
      '--schedule',
      '../../baselines/churn',
      ...window,
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--schedule/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const empty = await runCli(['run', ...common, '--out', '', '--schedule', 's', ...window]);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/--out/);
    const upper = await runCli(['run', ...common, '--out', 's3:bucket/x', '--schedule', 's', ...window]);
    expect(upper.code).not.toBe(0);
    expect(upper.stderr).toMatch(/s3:bucket\/x/);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('sizes from untrusted metadata', () => {
  it('refuses a Parquet footer that claims more rows than the file can hold', () => {
    const meta = (rows: bigint) => ({ row_groups: [{ num_rows: rows }] }) as unknown as FileMetaData;
    expect(() => checkRowCounts(meta(2_000_000_000n), 118_000, 'x.parquet')).toThrow(
      /claims 2000000000 rows/,
    );
    expect(() => checkRowCounts(meta(10n ** 15n), 118_000, 'x.parquet')).toThrow(InputError);
    expect(() => checkRowCounts(meta(-1n), 118_000, 'x.parquet')).toThrow(/invalid row count/);
    expect(() => checkRowCounts(meta(1000n), 2_000, 'x.parquet')).not.toThrow();
  });
});
