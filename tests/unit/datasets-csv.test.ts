/**
 * The CSV reader on local files: RFC 4180 cases, every kind of bad input the baseline must survive, chunk
 * boundaries (property test over random tables cut into random chunks), and the SageMaker sample baselines.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCsv } from '../../bench/datasets.js';
import { InputError } from '../../src/core/errors.js';
import { IssueLog } from '../../src/core/issues.js';
import type { Cell } from '../../src/core/types.js';
import { CsvSource } from '../../src/io/datasets/csv.js';
import { openDataset } from '../../src/io/datasets/index.js';
import { LocalStorage } from '../../src/io/local-storage.js';
import { drainSource, readAll } from '../support/datasets.js';

const root = mkdtempSync(join(tmpdir(), 'dw-datasets-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const storage = new LocalStorage();
let fileCounter = 0;

function file(content: string | Uint8Array, name = `f${++fileCounter}.csv`): string {
  const path = join(root, name);
  writeFileSync(path, content);
  return path;
}

async function readCsv(
  content: string | Uint8Array,
  header = true,
): Promise<{ columns: string[]; rows: Cell[][]; issues: IssueLog }> {
  const issues = new IssueLog(100);
  const reader = await openDataset(storage, file(content), { issues, header });
  const rows = await readAll(reader);
  return { columns: reader.columns, rows, issues };
}

function kinds(issues: IssueLog): Record<string, number> {
  return Object.fromEntries(issues.counts);
}

/** Reads CSV bytes given as a stream of the chunks, through the source directly. */
async function parseChunks(
  chunks: Uint8Array[],
  header: boolean,
): Promise<{ columns: string[]; rows: Cell[][]; issues: IssueLog }> {
  const issues = new IssueLog(100);
  const source = await CsvSource.open(Readable.from(chunks), { uri: 'mem.csv', issues }, { header });
  const rows = await drainSource(source, []);
  return { columns: source.columns, rows, issues };
}

describe('CSV: RFC 4180', () => {
  it('reads a header, quoted fields, doubled quotes, embedded newlines, CRLF and a BOM', async () => {
    const text = '\uFEFFid,text,score\r\n1,"a, b",0.5\r\n2,"say ""hi""\r\nsecond line",\r\n3,plain,"-1"\r\n';
    const { columns, rows, issues } = await readCsv(text);
    expect(columns).toEqual(['id', 'text', 'score']);
    expect(rows).toEqual([
      ['1', 'a, b', '0.5'],
      ['2', 'say "hi"\r\nsecond line', null],
      ['3', 'plain', '-1'],
    ]);
    expect(issues.total).toBe(0);
  });

  it('keeps the text of cells raw: exotic numbers, spaces, NaN, Infinity; "" is an empty string, nothing is null', async () => {
    const { rows } = await readCsv('a,b,c,d,e,f,g\nNaN,Infinity,1e309,-0, 3,"",-Infinity\n');
    expect(rows).toEqual([['NaN', 'Infinity', '1e309', '-0', ' 3', '', '-Infinity']]);
  });

  it('names the columns of a headerless file _c0, _c1, ... and returns its first row', async () => {
    const { columns, rows } = await readCsv('1,2,3\n4,5,6', false);
    expect(columns).toEqual(['_c0', '_c1', '_c2']);
    expect(rows).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
  });

  it('reads a last line without a newline, a trailing comma and a file ending in a lone CR', async () => {
    expect((await readCsv('a,b\n1,\n2,x\r')).rows).toEqual([
      ['1', null],
      ['2', 'x'],
    ]);
  });

  it('handles multi-byte UTF-8 and quoted non-ASCII text', async () => {
    const { rows, issues } = await readCsv('name,city\nZoë,"São Paulo, BR"\n李,Zürich\n');
    expect(rows).toEqual([
      ['Zoë', 'São Paulo, BR'],
      ['李', 'Zürich'],
    ]);
    expect(issues.total).toBe(0);
  });
});

describe('CSV: bad input', () => {
  it('reads an empty file as no columns and no rows, without an issue', async () => {
    const { columns, rows, issues } = await readCsv('');
    expect(columns).toEqual([]);
    expect(rows).toEqual([]);
    expect(issues.total).toBe(0);
  });

  it('reads a header-only file as its columns and no rows', async () => {
    expect(await readCsv('a,b,c\n')).toMatchObject({ columns: ['a', 'b', 'c'], rows: [] });
    expect(await readCsv('a,b,c')).toMatchObject({ columns: ['a', 'b', 'c'], rows: [] });
  });

  it('pads short rows with nulls and drops extra cells, with a column_count issue and line number for each', async () => {
    const { rows, issues } = await readCsv('a,b,c\n1,2,3\n4\n5,6,7,8,9\n10,11,12\n');
    expect(rows).toEqual([
      ['1', '2', '3'],
      ['4', null, null],
      ['5', '6', '7'],
      ['10', '11', '12'],
    ]);
    expect(kinds(issues)).toEqual({ column_count: 2 });
    expect(issues.samples.map((s) => s.line)).toEqual([3, 4]);
  });

  it('reads a column that is entirely empty as nulls', async () => {
    const { rows } = await readCsv('a,empty,b\n1,,2\n3,,4\n');
    expect(rows.map((r) => r[1])).toEqual([null, null]);
  });

  it('replaces invalid UTF-8 with U+FFFD, keeps the row and names the line and column', async () => {
    const bytes = Buffer.concat([
      Buffer.from('a,b\n1,ok\n2,bad'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('x\n3,fine\n'),
    ]);
    const { rows, issues } = await readCsv(bytes);
    expect(rows).toEqual([
      ['1', 'ok'],
      ['2', 'bad\uFFFD\uFFFDx'],
      ['3', 'fine'],
    ]);
    expect(issues.samples).toEqual([expect.objectContaining({ kind: 'invalid_utf8', line: 3, column: 'b' })]);
  });

  it('keeps duplicate column names, renaming the later ones, and treats __proto__ as an ordinary name', async () => {
    const { columns, rows, issues } = await readCsv('__proto__,x,x,constructor,x\n1,2,3,4,5\n');
    expect(columns).toEqual(['__proto__', 'x', 'x__2', 'constructor', 'x__3']);
    expect(rows).toEqual([['1', '2', '3', '4', '5']]);
    expect(issues.samples.filter((s) => s.kind === 'duplicate_column').map((s) => s.column)).toEqual([
      'x__2',
      'x__3',
    ]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('names an empty header cell like Spark (_c<i>), with an issue', async () => {
    const { columns, issues } = await readCsv('a,,c\n1,2,3\n');
    expect(columns).toEqual(['a', '_c1', 'c']);
    expect(kinds(issues)).toEqual({ empty_column_name: 1 });
  });

  it('skips blank lines, counting them', async () => {
    const { rows, issues } = await readCsv('a\n1\n\n\r\n2\n\r');
    expect(rows).toEqual([['1'], ['2']]);
    expect(kinds(issues)).toEqual({ blank_line: 3 });
    expect(issues.samples.map((s) => s.line)).toEqual([3, 4, 6]);
  });

  it('closes an unterminated quote at the end of the file, with an issue', async () => {
    const { rows, issues } = await readCsv('a,b\n1,"open\nstill open');
    expect(rows).toEqual([['1', 'open\nstill open']]);
    expect(issues.samples).toEqual([expect.objectContaining({ kind: 'csv_quote', line: 2, column: 'b' })]);
  });

  it('keeps text after a closing quote and quotes inside unquoted fields, with an issue for the former', async () => {
    const { rows, issues } = await readCsv('a,b\n"x"y,ab"c\n');
    expect(rows).toEqual([['xy', 'ab"c']]);
    expect(kinds(issues)).toEqual({ csv_quote: 1 });
  });

  it('stops with one InputError naming the file, line and column when a row exceeds the limit', async () => {
    const text = `a,b\n1,2\n3,"${'x'.repeat(5000)}`;
    const chunks = [
      Buffer.from(text.slice(0, 100)),
      Buffer.from(text.slice(100, 3000)),
      Buffer.from(text.slice(3000)),
    ];
    const issues = new IssueLog();
    const source = await CsvSource.open(
      Readable.from(chunks),
      { uri: 'big.csv', issues },
      { maxRowBytes: 1024 },
    );
    const read = async () => {
      for (;;) if (!source.next() && !(await source.fill())) return;
    };
    const error = await read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^big\.csv: line 3, column b: a row is longer than 1024 bytes/);
  });

  it('fails with an InputError naming a file that does not exist', async () => {
    const missing = join(root, 'nope.csv');
    await expect(openDataset(storage, missing)).rejects.toThrow(InputError);
    await expect(openDataset(storage, missing)).rejects.toThrow(missing);
  });
});

describe('CSV: streaming', () => {
  const cell = fc.oneof(
    fc.constantFrom(
      '',
      '0',
      '-1.5',
      'NaN',
      ' 3',
      'a,b',
      'say "x"',
      'l1\nl2',
      'r\r\nn',
      'Zoë',
      '李',
      '"',
      ',',
    ),
    fc.string({ maxLength: 6 }),
  );

  it('parses any table written by an RFC 4180 writer, whatever the chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }).chain((width) =>
          fc.tuple(
            fc.array(fc.array(cell, { minLength: width, maxLength: width }), {
              minLength: 1,
              maxLength: 12,
            }),
            fc.boolean(),
            fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
          ),
        ),
        async ([table, crlf, cuts]) => {
          // Empty cells are written quoted ("") so that they read back as '' and a one-column empty row is
          // not a blank line.
          const quote = (text: string) =>
            text === '' || /[",\r\n]/.test(text) || text.startsWith(' ')
              ? `"${text.replaceAll('"', '""')}"`
              : text;
          const eol = crlf ? '\r\n' : '\n';
          const bytes = Buffer.from(table.map((row) => row.map(quote).join(',')).join(eol) + eol);
          const chunks: Uint8Array[] = [];
          for (let at = 0, k = 0; at < bytes.length; k++) {
            const size = cuts[k % cuts.length]!;
            chunks.push(bytes.subarray(at, at + size));
            at += size;
          }
          const { columns, rows, issues } = await parseChunks(chunks, false);
          expect(columns).toHaveLength(table[0]!.length);
          expect(rows).toEqual(table);
          expect(issues.total).toBe(0);
        },
      ),
      { seed: 20240502, numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes, and reads them the same whatever the chunk boundaries', async () => {
    const byte = fc.oneof(
      fc.constantFrom(0x22, 0x2c, 0x0a, 0x0d, 0x61, 0x31, 0x20, 0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0xff, 0x00),
      fc.integer({ min: 0, max: 255 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc
          .uint8Array({ maxLength: 200 })
          .chain((base) =>
            fc.tuple(
              fc.constant(base),
              fc.array(byte, { maxLength: 120 }),
              fc.integer({ min: 1, max: 9 }),
              fc.boolean(),
              fc.constantFrom('', '\uFEFF', '\uFEFFa,b\n', '"'),
            ),
          ),
        async ([base, extra, chunkSize, header, start]) => {
          const bytes = Buffer.concat([Buffer.from(start), Buffer.from(base), Buffer.from(extra)]);
          const whole = await parseChunks([bytes], header);
          const chunks: Uint8Array[] = [];
          for (let at = 0; at < bytes.length; at += chunkSize)
            chunks.push(bytes.subarray(at, at + chunkSize));
          const pieces = await parseChunks(chunks, header);
          expect(pieces.columns).toEqual(whole.columns);
          expect(pieces.rows).toEqual(whole.rows);
          expect(Object.fromEntries(pieces.issues.counts)).toEqual(Object.fromEntries(whole.issues.counts));
          for (const row of whole.rows) expect(row).toHaveLength(whole.columns.length);
        },
      ),
      { seed: 7, numRuns: 400 },
    );
  });

  it('reads many rows across many chunks and reports progress every 100,000 rows', async () => {
    const lines = ['k,v'];
    for (let i = 0; i < 250_000; i++) lines.push(`${i},${i % 7 === 0 ? '' : 'v'}`);
    const path = file(`${lines.join('\n')}\n`);
    const progress: Array<{ rowsRead: number; bytesRead: number }> = [];
    const reader = await openDataset(storage, path, { onProgress: (p) => progress.push(p) });
    let count = 0;
    let sum = 0;
    let nulls = 0;
    for await (const row of reader.rows()) {
      count++;
      sum += Number(row[0]);
      if (row[1] === null) nulls++;
    }
    expect(count).toBe(250_000);
    expect(sum).toBe((249_999 * 250_000) / 2);
    expect(nulls).toBe(Math.ceil(250_000 / 7));
    expect(progress.map((p) => p.rowsRead)).toEqual([100_000, 200_000, 250_000]);
    expect(progress.at(-1)!.bytesRead).toBe(reader.bytesRead());
    expect(reader.bytesRead()).toBeGreaterThan(1_000_000);
  });

  it('reads wide rows that cross the 64 KiB string windows cells are cut from', async () => {
    const width = 700;
    const cellText = (r: number, c: number) => `r${r}c${c}-${'x'.repeat((r * 7 + c) % 23)}`;
    const header = Array.from({ length: width }, (_, c) => `col${c}`).join(',');
    const lines = [header];
    for (let r = 0; r < 60; r++)
      lines.push(Array.from({ length: width }, (_, c) => cellText(r, c)).join(','));
    const { rows, issues } = await readCsv(`${lines.join('\n')}\n`);
    expect(rows).toHaveLength(60);
    expect(issues.total).toBe(0);
    for (let r = 0; r < 60; r++) {
      expect(rows[r]).toEqual(Array.from({ length: width }, (_, c) => cellText(r, c)));
    }
  });

  it('stops reading when the consumer breaks out of the loop', async () => {
    const reader = await openDataset(storage, file('a\n1\n2\n3\n'));
    const seen: Cell[] = [];
    for await (const row of reader.rows()) {
      seen.push(row[0]);
      break;
    }
    expect(seen).toEqual(['1']);
    expect(() => reader.rows()[Symbol.asyncIterator]()).toThrow(/once/);
  });

  it('reads the bench generator output: label first, 20 columns, numeric and categorical mix', async () => {
    const path = join(root, 'generated.csv');
    await generateCsv(path, 2000, 20, 7);
    const issues = new IssueLog();
    const reader = await openDataset(storage, path, { issues });
    const rows = await readAll(reader);
    expect(reader.columns).toHaveLength(20);
    expect(reader.columns[0]).toBe('label');
    expect(rows).toHaveLength(2000);
    expect(issues.total).toBe(0);
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(['0', '1']));
    const numeric = reader.columns.filter(
      (name, i) => rows.every((r) => r[i] === null || Number.isFinite(Number(r[i]))) && name,
    );
    expect(numeric.length).toBe(14); // label + 13 numeric features; the other 6 are categorical
    expect(rows.some((r) => r.includes(null))).toBe(true);
    // Deterministic for a seed.
    const again = join(root, 'generated-again.csv');
    await generateCsv(again, 2000, 20, 7);
    expect(await readAll(await openDataset(storage, again))).toEqual(rows);
  });
});

describe('CSV: SageMaker sample baselines', () => {
  const samples = join(
    import.meta.dirname,
    '../../../shared/sagemaker-samples/sagemaker-python-sdk/tests/data',
  );
  const present = existsSync(samples);
  if (!present) console.info(`SageMaker samples not found at ${samples}: sample baseline checks not run`);

  it.runIf(present)('reads monitor/baseline_dataset.csv: headerless, 10 numeric columns', async () => {
    const issues = new IssueLog();
    const reader = await openDataset(storage, join(samples, 'monitor/baseline_dataset.csv'), {
      header: false,
      issues,
    });
    const rows = await readAll(reader);
    expect(reader.columns).toEqual(['_c0', '_c1', '_c2', '_c3', '_c4', '_c5', '_c6', '_c7', '_c8', '_c9']);
    expect(rows.length).toBe(418);
    expect(rows[0]).toEqual(['3.0', '0.0', '2.0', '0.0', '0.0', '0.0', '2.0', '8.0', '1.0', '6.0']);
    expect(rows.flat().includes('1.200000000000000000e+01')).toBe(true);
    expect(rows.every((r) => r.every((c) => typeof c === 'string' && Number.isFinite(Number(c))))).toBe(true);
    expect(issues.total).toBe(0);
    expect(reader.bytesRead()).toBe(19975);
  });

  it.runIf(present)(
    'reads quality_check_step/data_quality/baseline_dataset.csv: 100 rows of _c0.._c5',
    async () => {
      const issues = new IssueLog();
      const path = join(samples, 'pipeline/quality_check_step/data_quality/baseline_dataset.csv');
      const reader = await openDataset(storage, path, { header: false, issues });
      const rows = await readAll(reader);
      expect(reader.columns).toEqual(['_c0', '_c1', '_c2', '_c3', '_c4', '_c5']);
      expect(rows.length).toBe(100);
      expect(rows[0]).toEqual(['3.0', '0.0', '2.0', '0.0', '0.0', '0.0']);
      expect(issues.total).toBe(0);
    },
  );
});

describe('CSV: the row byte limit is exact (issue 16)', () => {
  async function readAll(text: string, cuts: number[], maxRowBytes: number) {
    const bytes = Buffer.from(text);
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let at = 0;
    for (const p of [...points, bytes.length]) {
      if (p > at) chunks.push(bytes.subarray(at, p));
      at = Math.max(at, p);
    }
    const issues = new IssueLog();
    const source = await CsvSource.open(Readable.from(chunks), { uri: 'x.csv', issues }, { maxRowBytes });
    let rows = 0;
    for (;;) {
      if (source.next()) rows++;
      else if (!(await source.fill())) break;
    }
    return { rows, bytesRead: source.bytesRead() };
  }

  it('accepts a row of exactly the limit and refuses one byte more, however the input is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 8, max: 300 }),
        fc.array(fc.nat(2000), { maxLength: 6 }),
        fc.boolean(),
        async (limit, cuts, crlf) => {
          const end = crlf ? '\r\n' : '\n';
          const fits = `a,b${end}1,${'x'.repeat(limit - 2)}${end}2,3${end}`;
          await expect(readAll(fits, cuts, limit)).resolves.toMatchObject({ rows: 2 });
          const over = `a,b${end}1,${'x'.repeat(limit - 1)}${end}2,3${end}`;
          await expect(readAll(over, cuts, limit)).rejects.toThrow(
            /x\.csv: line 2, column b: a row is longer than/,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('an unterminated quote on line 2 of a large file fails after reading about the limit, not the file', async () => {
    const limit = 64 * 1024;
    const chunk = Buffer.from(`${'y,'.repeat(2047)}y\n`); // 4 KiB of rows
    let sent = 0;
    const stream = Readable.from(
      (function* () {
        yield Buffer.from('a,b\n1,"open\n');
        for (let i = 0; i < 1024; i++) {
          sent += chunk.length;
          yield chunk; // 4 MiB after the quote
        }
      })(),
    );
    const source = await CsvSource.open(
      stream,
      { uri: 'big.csv', issues: new IssueLog() },
      { maxRowBytes: limit },
    );
    const read = async () => {
      for (;;) if (!source.next() && !(await source.fill())) return;
    };
    await expect(read()).rejects.toThrow(/big\.csv: line 2, column b: a row is longer than 65536 bytes/);
    expect(source.bytesRead()).toBeLessThanOrEqual(limit + 2 * chunk.length);
    expect(sent).toBeLessThan(1024 * chunk.length);
  });

  it('names the lines an unterminated quote swallowed at the end of a small file', async () => {
    const issues = new IssueLog();
    const source = await CsvSource.open(Readable.from([Buffer.from('a,b\n1,"open\n2,3\n4,5\n')]), {
      uri: 's.csv',
      issues,
    });
    while (source.next() || (await source.fill())) {
      // drain
    }
    expect(issues.samples[0]?.message).toMatch(/swallowed 3 line\(s\) after line 2/);
  });
});
