import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { freshBucket, testS3Client } from '../support/aws.js';
import { lastJson, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-cli-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

interface Summary {
  rows: number;
  features: Array<{ name: string; inferred_type: string }>;
  warnings: string[];
  issues: { total: number; counts: Record<string, number> };
}

async function baseline(path: string, extra: string[] = []) {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const result = await runCli(['baseline', '--dataset', path, '--out', out, '--json', ...extra]);
  return { ...result, out };
}

describe('driftwatch baseline (CLI)', () => {
  it('survives hostile CSV input: ragged rows, empty column, NaN/Infinity, 1e309, -0, " 3", bad UTF-8, duplicate and __proto__ names', async () => {
    const csv = Buffer.concat([
      Buffer.from('label,x,__proto__,empty,x,<script>\n'),
      Buffer.from('1,1.5,a,,-0, 3\n'),
      Buffer.from('0,NaN,b,,1e309,4\n'),
      Buffer.from('1,Infinity,c,,2\n'), // short row
      Buffer.from('0,2.5,d,,3,5,extra\n'), // long row
      Buffer.from([0x31, 0x2c, 0x33, 0x2c, 0xff, 0xfe, 0x2c, 0x2c, 0x34, 0x2c, 0x36, 0x0a]), // 1,3,<bad>,,4,6
    ]);
    const { code, stdout, stderr, out } = await baseline(file('hostile.csv', csv));
    expect(code, stderr).toBe(0);
    const summary = lastJson<Summary>(stdout);
    expect(summary.rows).toBe(5);
    const types = new Map(summary.features.map((f) => [f.name, f.inferred_type]));
    expect(types.get('x')).toBe('String'); // NaN and Infinity are text
    expect(types.get('__proto__')).toBe('String');
    expect(types.get('empty')).toBe('Unknown');
    expect(types.get('<script>')).toBe('Integral');
    expect(summary.features.map((f) => f.name)).toContain('x__2');
    expect(types.get('x__2')).toBe('Fractional');
    expect(summary.issues.counts.column_count).toBe(2);
    expect(summary.issues.counts.invalid_utf8).toBe(1);
    expect(summary.warnings.join('\n')).toMatch(/"empty" has no values/);
    expect(summary.warnings.join('\n')).toMatch(/"x__2" has 1 numbers too large/);
    const stats = JSON.parse(readFileSync(join(out, 'statistics.json'), 'utf8'));
    const x2 = stats.features.find((f: { name: string }) => f.name === 'x__2');
    expect(x2.numerical_statistics.min).toBe(0);
    expect(x2.numerical_statistics.max).toBe(4);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses to build a baseline from zero rows (empty file, header-only CSV), with one line', async () => {
    for (const [name, text] of [
      ['empty.csv', ''],
      ['header.csv', 'a,b\n'],
      ['empty.jsonl', ''],
    ] as const) {
      const result = await baseline(file(name, text));
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`${name}: no data rows to build a baseline from`));
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(result.out, 'statistics.json'))).toBe(false);
    }
  });

  it('stops with one clear error for a missing dataset and a bad --type', async () => {
    const missing = await baseline(join(dir, 'nope.csv'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/nope.csv/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const badType = await baseline(file('t.csv', 'a\n1\n'), ['--type', 'a=Decimal']);
    expect(badType.code).not.toBe(0);
    expect(badType.stderr).toMatch(/--type: expected <column>=<Integral\|Fractional\|String\|Unknown>/);
  });

  it('applies per-column type overrides and reads headerless CSV as _c0.._cN', async () => {
    const path = file('codes.csv', '1,10\n2,20\n1,30\n');
    const { code, stdout, stderr } = await baseline(path, ['--no-header', '--type', '_c0=String']);
    expect(code, stderr).toBe(0);
    const summary = lastJson<Summary>(stdout);
    expect(summary.features).toEqual([
      { name: '_c0', inferred_type: 'String' },
      { name: '_c1', inferred_type: 'Integral' },
    ]);
  });

  it('reads a dataset from S3 and writes the baseline to S3 (moto)', async () => {
    const bucket = await freshBucket('dw-cli');
    const s3 = testS3Client();
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'data/train.jsonl',
        Body: '{"a":1,"b":"x"}\n{"a":2.5,"b":"y"}\nnot json\n',
      }),
    );
    const { code, stdout, stderr } = await runCli([
      'baseline',
      '--dataset',
      `s3://${bucket}/data/train.jsonl`,
      '--out',
      `s3://${bucket}/baseline`,
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const summary = lastJson<Summary>(stdout);
    expect(summary.rows).toBe(2);
    expect(summary.issues.counts.malformed_json).toBe(1);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'baseline/constraints.json' }));
    const constraints = JSON.parse(await got.Body!.transformToString());
    expect(
      constraints.features.map((f: { name: string; inferred_type: string }) => [f.name, f.inferred_type]),
    ).toEqual([
      ['a', 'Fractional'],
      ['b', 'String'],
    ]);
  });
});
