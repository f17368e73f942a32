/**
 * Hostile input sizes and shapes (issue 16), generated at test time: each case asserts the clean outcome
 * (exit code, one-line message, counted issue) and, for the memory cases, runs the CLI in a child process
 * with a small V8 heap (`--max-old-space-size`), so a regression dies out of memory instead of passing.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourPrefixes } from '../../src/capture/listing.js';
import { parseMonitorsConfigText } from '../../src/config/monitors.js';
import { ConfigError } from '../../src/core/errors.js';
import { MAX_WINDOW_HOURS } from '../../src/core/window.js';
import { lastJson, runCli } from '../support/cli.js';

const MAX_RSS = fileURLToPath(new URL('../support/max-rss.mjs', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dw-hostile-inputs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI with a V8 heap limit (MB). */
function runLimited(args: string[], heapMb: number) {
  return runCli(args, { env: { NODE_OPTIONS: `--max-old-space-size=${heapMb}` }, timeoutMs: 120_000 });
}

/** One line on stderr, `driftwatch: ...`, no stack trace. */
function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^driftwatch: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('deeply nested JSON Lines', () => {
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  it('baseline and compare survive a line nested 5,000 deep and count it', async () => {
    const file = join(dir, 'deep.jsonl');
    const rows = Array.from({ length: 5 }, (_, i) => `{"a":${i},"b":"x"}`);
    await writeFile(file, `${[...rows, `{"a":9,"b":${deep(5000)}}`, ...rows].join('\n')}\n`);
    const baseline = await runCli(['baseline', '--dataset', file, '--out', join(dir, 'deep-out'), '--json']);
    expect(baseline.stderr).not.toMatch(/call stack/);
    expect(baseline.code).toBe(0);
    const result = lastJson<{ rows: number; issues: { counts: Record<string, number> } }>(baseline.stdout);
    expect(result.rows).toBe(11);
    expect(result.issues.counts.nested_too_deep).toBe(1);
    const compare = await runCli(['compare', '--baseline-data', file, '--current-data', file]);
    expect(compare.stderr).not.toMatch(/call stack/);
    expect(compare.code).toBe(0);
  });
});

describe('memory per column', () => {
  // 10,000 columns (MAX_COLUMNS): statistics.json is 14 MB; written as one string it needed a 128 MB heap
  // (peak RSS 275 MB), streamed feature by feature it fits in 96 MB (peak RSS 193 MB).
  it('10,000 columns × 20 rows baseline within a 96 MB heap (was ~77 KB per column, then a 14 MB string)', async () => {
    const columns = 10_000;
    const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(',');
    const body = Array.from({ length: 20 }, (_, r) =>
      Array.from({ length: columns }, (_, i) => (i % 3 === 0 ? `t${(i * r) % 7}` : `${(i * r) % 97}`)).join(
        ',',
      ),
    );
    const file = join(dir, 'wide.csv');
    await writeFile(file, `${header}\n${body.join('\n')}\n`);
    const result = await runLimited(
      ['baseline', '--dataset', file, '--out', join(dir, 'wide-out'), '--json'],
      96,
    );
    expect(result.stderr).not.toMatch(/heap|memory/i);
    expect(result.code).toBe(0);
    expect(lastJson<{ features: unknown[] }>(result.stdout).features).toHaveLength(columns);
  });
});

describe('column limit (MAX_COLUMNS = 10,000)', () => {
  it('a CSV header past it is one InputError line naming the file and the limit, even 100,000 wide in a 64 MB heap', async () => {
    for (const columns of [10_001, 100_000]) {
      const file = join(dir, `cols-${columns}.csv`);
      const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(',');
      await writeFile(file, `${header}\n${header.replaceAll('c', '')}\n`);
      const out = join(dir, `cols-${columns}-out`);
      const result = await runLimited(['baseline', '--dataset', file, '--out', out], 64);
      expect(result.code, result.stderr).toBe(2);
      expectOneLine(
        result.stderr,
        new RegExp(
          `${file}: line 1 has ${columns} columns, more than the limit of 10000 columns per dataset`,
        ),
      );
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    }
  });

  it('a CSV row one byte over 64 MiB is one InputError line, in a 64 MB heap and under 400 MB of RSS', async () => {
    // The limit used to be checked only when the row buffer doubled: rows up to ~128 MiB passed at ~1 GB.
    const limit = 64 * 1024 * 1024;
    const file = join(dir, 'long-row.csv');
    await writeFile(file, `a,b\n1,${'x'.repeat(limit - 1)}\n2,3\n`);
    const rssFile = join(dir, 'long-row.rss');
    const out = join(dir, 'long-row-out');
    const result = await runCli(['baseline', '--dataset', file, '--out', out], {
      env: {
        NODE_OPTIONS: `--max-old-space-size=64 --import=${pathToFileURL(MAX_RSS).href}`,
        DW_MAX_RSS_FILE: rssFile,
      },
      timeoutMs: 120_000,
    });
    expect(result.code, result.stderr).toBe(2);
    expectOneLine(
      result.stderr,
      new RegExp(`${file}: line 2, column b: a row is longer than ${limit} bytes`),
    );
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    const peakKiB = Number(await readFile(rssFile, 'utf8'));
    expect(peakKiB).toBeGreaterThan(0);
    expect(peakKiB / 1024).toBeLessThan(400);
  });

  it('an Arrow or Parquet schema past it is an InputError naming the file and the limit', async () => {
    const { Table, tableToIPC, vectorFromArray } = await import('apache-arrow');
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const { openDataset } = await import('../../src/io/datasets/index.js');
    const { LocalStorage } = await import('../../src/io/local-storage.js');
    const names = Array.from({ length: 10_001 }, (_, i) => `c${i}`);
    const arrow = join(dir, 'wide.arrow');
    const one = vectorFromArray([1]);
    await writeFile(arrow, tableToIPC(new Table(Object.fromEntries(names.map((n) => [n, one]))), 'file'));
    const parquet = join(dir, 'wide.parquet');
    await writeFile(
      parquet,
      new Uint8Array(
        parquetWriteBuffer({
          columnData: names.map((name) => ({ name, data: [1], type: 'INT32' as const })),
        }),
      ),
    );
    const storage = new LocalStorage();
    for (const file of [arrow, parquet])
      await expect(openDataset(storage, file)).rejects.toThrow(
        `${file}: 10001 columns, more than the limit of 10000 columns per dataset`,
      );
    // At the limit: read.
    const ok = join(dir, 'limit.arrow');
    await writeFile(
      ok,
      tableToIPC(new Table(Object.fromEntries(names.slice(0, 10_000).map((n) => [n, one]))), 'file'),
    );
    const reader = await openDataset(storage, ok);
    expect(reader.columns).toHaveLength(10_000);
    let rows = 0;
    for await (const _ of reader.rows()) rows++;
    expect(rows).toBe(1);
  });
});

describe('row counts claimed by a Parquet footer, read in a child with a 128 MB heap', () => {
  /** A 2,000-row Parquet file (2 row groups) whose footer claims `claim` rows for the file or its first group. */
  async function claiming(where: 'file' | 'group', claim: bigint): Promise<Buffer> {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const b = Buffer.from(
      parquetWriteBuffer({
        rowGroupSize: 1000,
        columnData: [{ name: 'i', data: Array.from({ length: 2000 }, (_, k) => k), type: 'INT32' }],
      }),
    );
    const footerLength = b.readInt32LE(b.length - 8);
    // Thrift compact: field header 0x16 (next field id, i64), then the zigzag varint of the count:
    // FileMetaData.num_rows = 2000 (0xa0 0x1f), then RowGroup.num_rows = 1000 (0xd0 0x0f).
    const needle = Buffer.from(where === 'file' ? [0x16, 0xa0, 0x1f] : [0x16, 0xd0, 0x0f]);
    const varint: number[] = [];
    for (let v = claim * 2n; ; v >>= 7n) {
      if (v < 0x80n) {
        varint.push(Number(v));
        break;
      }
      varint.push(Number((v & 0x7fn) | 0x80n));
    }
    const replacement = Buffer.from([0x16, ...varint]);
    const tail = Buffer.alloc(8);
    tail.writeInt32LE(footerLength + replacement.length - needle.length, 0);
    tail.write('PAR1', 4);
    // The same bytes also encode other counts (a column's num_values): keep the patch that hits the field.
    const { parquetMetadata } = await import('hyparquet');
    for (let at = b.indexOf(needle, b.length - 8 - footerLength); at > 0; at = b.indexOf(needle, at + 1)) {
      const out = Buffer.concat([
        b.subarray(0, at),
        replacement,
        b.subarray(at + needle.length, b.length - 8),
        tail,
      ]);
      try {
        const meta = parquetMetadata(out.buffer.slice(out.byteOffset, out.byteOffset + out.length));
        if ((where === 'file' ? meta.num_rows : meta.row_groups[0]?.num_rows) === claim) return out;
      } catch {
        // not this occurrence
      }
    }
    throw new Error(`no ${where} row count found to patch`);
  }

  it('2e9 and 1e15 rows claimed (was 3.2 GB, then an Invalid array length) are an InputError; a file-level claim is not trusted', async () => {
    const { readInChildren } = await import('../support/child-reads.js');
    const files: string[] = [];
    for (const [where, claim] of [
      ['group', 2_000_000_000n],
      ['group', 1_000_000_000_000_000n],
      ['file', 2_000_000_000n],
    ] as const) {
      const file = join(dir, `claim-${where}-${claim}.parquet`);
      await writeFile(file, await claiming(where, claim));
      files.push(file);
    }
    const outcomes = await readInChildren('parquet', files, { heapMb: 128, perFileMs: 30_000 });
    expect(outcomes).toEqual([
      {
        kind: 'error',
        errorClass: 'InputError',
        message: expect.stringMatching(/claims 2000001000 rows in a \d+-byte file/),
      },
      {
        kind: 'error',
        errorClass: 'InputError',
        message: expect.stringMatching(/claims \d+ rows in a \d+-byte file/),
      },
      { kind: 'ok', rows: 2000 },
    ]);
  }, 120_000);
});

describe('window length and extreme dates', () => {
  it('lists at most one year of hour folders; longer windows and years outside 1970-9999 are ConfigErrors', () => {
    const start = new Date('2024-01-01T00:00:00Z');
    expect(
      hourPrefixes('s3://b/cap', start, new Date(start.getTime() + MAX_WINDOW_HOURS * 3_600_000)),
    ).toHaveLength(MAX_WINDOW_HOURS);
    expect(() =>
      hourPrefixes('s3://b/cap', start, new Date(start.getTime() + (MAX_WINDOW_HOURS + 1) * 3_600_000)),
    ).toThrow(ConfigError);
    expect(() =>
      hourPrefixes('s3://b/cap', new Date('2026-01-01T00:00:00Z'), new Date('2226-01-01T00:00:00Z')),
    ).toThrow(/spans 1753152 hours; at most 8784/);
    for (const [a, b] of [
      ['1826-01-01T00:00:00Z', '1826-01-01T01:00:00Z'],
      ['9999-12-31T23:00:00Z', '+010000-01-01T00:00:00Z'],
      ['-000001-01-01T00:00:00Z', '1970-01-01T00:00:00Z'],
    ] as const) {
      expect(() => hourPrefixes('s3://b/cap', new Date(a), new Date(b))).toThrow(
        /outside the years 1970-9999/,
      );
    }
  });

  it('run over a 200-year window exits 2 with one line, quickly, writing nothing', async () => {
    const capture = join(dir, 'cap', 'ep');
    const out = join(dir, 'reports-200y');
    const baselineCsv = join(dir, 'b.csv');
    await writeFile(baselineCsv, 'a,b\n1,2\n3,4\n');
    const baseline = await runCli(['baseline', '--dataset', baselineCsv, '--out', join(dir, 'b-out')]);
    expect(baseline.code).toBe(0);
    const started = Date.now();
    const r = await runLimited(
      [
        'run',
        '--baseline',
        join(dir, 'b-out'),
        '--capture',
        capture,
        '--start',
        '2026-01-01T00:00:00Z',
        '--end',
        '2226-01-01T00:00:00Z',
        '--out',
        out,
      ],
      96,
    );
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /spans 1753152 hours; at most 8784/);
    expect(Date.now() - started).toBeLessThan(30_000);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});

describe('YAML configs', () => {
  const monitor = 'capture: /c\n  baseline: /b/\n  output: /o\n  schedule: cron(0 * ? * * *)';
  it('stops a billion-laughs alias bomb with one ConfigError line naming the file', () => {
    let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let previous = 'a';
    for (const name of 'bcdefghi') {
      text += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
      previous = name;
    }
    text += 'monitors: *i\n';
    let error: unknown;
    try {
      parseMonitorsConfigText(text, 'bomb.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^bomb\.yaml: not a usable YAML document: Excessive alias count/,
    );
    expect((error as Error).message).not.toContain('\n');
  });

  it('supports merge keys, with anchors under top-level x- keys', () => {
    const text = `x-common: &common\n  ${monitor}\nmonitors:\n  - <<: *common\n    name: churn\n    endpoint: ep\n  - <<: *common\n    name: fraud\n    endpoint: ep2\n    output: /o2\n`;
    const config = parseMonitorsConfigText(text, 'merge.yaml');
    expect(config.monitors.map((m) => [m.name, m.capture, m.output])).toEqual([
      ['churn', '/c', '/o'],
      ['fraud', '/c', '/o2'],
    ]);
  });
});

describe('gzip and records without output', () => {
  const record = (i: number, withOutput: boolean) =>
    JSON.stringify({
      captureData: {
        endpointInput: {
          observedContentType: 'text/csv',
          mode: 'INPUT',
          data: `${i},${i % 3}`,
          encoding: 'CSV',
        },
        ...(withOutput
          ? {
              endpointOutput: {
                observedContentType: 'text/csv',
                mode: 'OUTPUT',
                data: '0.5',
                encoding: 'CSV',
              },
            }
          : {}),
      },
      eventMetadata: {
        eventId: `e${i}`,
        inferenceTime: `2025-01-01T00:${String(i % 60).padStart(2, '0')}:00Z`,
      },
      eventVersion: '0',
    });

  it('reads gzip capture objects (by magic bytes, .jsonl.gz or .jsonl) and keeps inputs of records without output in place', async () => {
    const hour = join(dir, 'gzcap', 'ep', 'AllTraffic', '2025', '01', '01', '00');
    await mkdir(hour, { recursive: true });
    const lines = `${Array.from({ length: 40 }, (_, i) => record(i, true)).join('\n')}\n`;
    await writeFile(join(hour, 'a.jsonl.gz'), gzipSync(lines));
    await writeFile(join(hour, 'b.jsonl'), gzipSync(lines)); // gzip under a plain name
    await writeFile(
      join(hour, 'c.jsonl'),
      `${Array.from({ length: 40 }, (_, i) => record(i, i % 2 === 0)).join('\n')}\n`,
    );
    // Baseline: the output column first (START), then the two features; b is never missing.
    const train = join(dir, 'gz-train.csv.gz');
    await writeFile(train, gzipSync('p,a,b\n0.5,1,2\n0.4,3,1\n0.3,5,0\n'));
    const baseline = await runCli(['baseline', '--dataset', train, '--out', join(dir, 'gz-base'), '--json']);
    expect(baseline.code, baseline.stderr).toBe(0);
    const r = await runCli([
      'run',
      '--baseline',
      join(dir, 'gz-base'),
      '--capture',
      join(dir, 'gzcap', 'ep'),
      '--start',
      '2025-01-01T00:00:00Z',
      '--end',
      '2025-01-01T01:00:00Z',
      '--out',
      join(dir, 'gz-rep'),
      '--json',
    ]);
    const summary = lastJson<{
      recordsRead: number;
      issues: { counts: Record<string, number> };
      violatedChecks: Array<{ feature: string; checkType: string }>;
    }>(r.stdout);
    expect(summary.recordsRead).toBe(120);
    expect(summary.issues.counts).toEqual({ missing_output: 20 });
    // Not shifted: b stays complete, only the output column p has missing values.
    expect(
      summary.violatedChecks.filter((v) => v.checkType === 'completeness_check').map((v) => v.feature),
    ).toEqual(['p']);
  });

  it('a corrupt gzip dataset is one InputError line naming the file', async () => {
    const file = join(dir, 'corrupt.csv');
    const good = gzipSync('a,b\n1,2\n'.repeat(1000));
    await writeFile(file, good.subarray(0, good.length / 2));
    const r = await runCli(['baseline', '--dataset', file, '--out', join(dir, 'corrupt-out')]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /corrupt\.csv: cannot decompress \(gzip\)/);
  });
});
