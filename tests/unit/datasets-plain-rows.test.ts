/**
 * Plain CSV rows handed over as their bytes (issue 15: `TabularReader.rows(take)`, `PlainRowTaker`): the
 * rows a taker takes and the rows it leaves are the rows `rows()` yields, in order, with the same issues at
 * the same lines, whatever the chunk boundaries; a baseline profiled through a taker is the profile of
 * `rows()`'s cells.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCsv } from '../../bench/datasets.js';
import { profileDataset } from '../../src/baseline/build.js';
import { IssueLog } from '../../src/core/issues.js';
import { mulberry32 } from '../../src/core/random.js';
import type { Cell } from '../../src/core/types.js';
import { CsvSource } from '../../src/io/datasets/csv.js';
import { openDataset } from '../../src/io/datasets/index.js';
import { LocalStorage } from '../../src/io/local-storage.js';
import { DatasetProfile } from '../../src/metrics/profile/dataset-profile.js';
import { compareDatasets } from '../../src/monitor/compare.js';
import { drainSource } from '../support/datasets.js';

const root = mkdtempSync(join(tmpdir(), 'dw-plain-rows-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const storage = new LocalStorage();
let fileCounter = 0;

function file(content: string | Uint8Array): string {
  const path = join(root, `f${++fileCounter}.csv`);
  writeFileSync(path, content);
  return path;
}

/** A taken row's cells as the reader would decode them (plain: split on commas, empty = missing). */
function cellsOf(bytes: Buffer, start: number, end: number): Cell[] {
  return bytes
    .toString('latin1', start, end)
    .split(',')
    .map((text) => (text === '' ? null : text));
}

/**
 * Every row of CSV bytes given as chunks, through the source: with `decline` (row number → declined?) the
 * plain rows go to a taker that keeps the rows of the header's width; `taken` counts them.
 */
async function parseChunks(
  chunks: Uint8Array[],
  header: boolean,
  decline?: (n: number) => boolean,
): Promise<{ rows: Cell[][]; issues: IssueLog; taken: number }> {
  const issues = new IssueLog(100);
  const source = await CsvSource.open(Readable.from(chunks), { uri: 'mem.csv', issues }, { header });
  const rows: Cell[][] = [];
  let offered = 0;
  let taken = 0;
  if (decline) {
    source.setPlainRowTaker((bytes, start, end) => {
      const cells = cellsOf(bytes, start, end);
      for (let i = start; i < end; i++) {
        // The contract: ASCII, no quote, no line feed; a carriage return only inside the row.
        expect(bytes[i]).toBeLessThan(0x80);
        expect(bytes[i]).not.toBe(0x22);
        expect(bytes[i]).not.toBe(0x0a);
      }
      expect(end).toBeGreaterThan(start);
      if (decline(offered++) || cells.length !== source.columns.length) return false;
      rows.push(cells);
      taken++;
      return true;
    });
  }
  await drainSource(source, rows);
  return { rows, issues, taken };
}

function cut(bytes: Buffer, sizes: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = sizes[k % sizes.length]!;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('CSV: plain rows handed over as bytes', () => {
  it('yields and takes together what rows() yields, in order, with the same issues and lines, whatever the chunks', async () => {
    let taken = 0;
    // Rows mostly of the header's width and plain, some not: quoted cells, other widths, blank lines, lone
    // carriage returns, non-ASCII text (which turns the taking off for the chunk's buffer), no final newline.
    const cell = fc.oneof(
      {
        weight: 40,
        arbitrary: fc.constantFrom('', '1', '-2.5', 'a', ' ', '\t', 'NaN', '1e309', '__proto__', 'x\ry'),
      },
      { weight: 1, arbitrary: fc.constantFrom('"q"', '"x,y"', 'é', '\u00ff', 'a"b') },
    );
    const row = fc.tuple(
      fc.oneof(
        { weight: 6, arbitrary: fc.array(cell, { minLength: 3, maxLength: 3 }) },
        { weight: 1, arbitrary: fc.array(cell, { maxLength: 5 }) },
      ),
      fc.constantFrom('\n', '\n', '\n', '\n', '\n', '\r\n', '\r\n', '\r', ''),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        async (rows, sizes, header, declines) => {
          const pieces = rows.map(([cells, eol]) => cells.join(',') + eol);
          const bytes = Buffer.from(`a,b,c\n${pieces.join('')}`);
          const plain = await parseChunks(cut(bytes, sizes), header);
          const taking = await parseChunks(cut(bytes, sizes), header, (n) => declines[n % declines.length]!);
          expect(taking.rows).toEqual(plain.rows);
          expect(taking.issues.toJSON()).toEqual(plain.issues.toJSON());
          taken += taking.taken;
        },
      ),
      { seed: 15, numRuns: 500 },
    );
    expect(taken).toBeGreaterThan(300); // the taking is exercised
  });

  it('takes the plain rows of a file, counts them in the progress, and leaves the others to rows()', async () => {
    const lines = ['k,v'];
    for (let i = 0; i < 250_000; i++) lines.push(i % 50_000 === 7 ? `"${i}",v` : `${i},${i % 7 ? 'v' : ''}`);
    const path = file(`${lines.join('\n')}\n`);
    const progress: number[] = [];
    const reader = await openDataset(storage, path, { onProgress: (p) => progress.push(p.rowsRead) });
    let taken = 0;
    let yielded = 0;
    for await (const row of reader.rows(() => ++taken > 0)) {
      yielded++;
      expect(row[0]).toMatch(/^\d+$/);
    }
    expect(yielded).toBe(5); // the quoted ones
    expect(taken).toBe(250_000 - 5);
    expect(progress).toEqual([100_000, 200_000, 250_000]);
  });

  it('offers no row of an object whose columns are mapped onto the first object', async () => {
    const dir = join(root, 'two');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.csv'), 'x,y\n1,2\n3,4\n');
    writeFileSync(join(dir, 'b.csv'), 'y,x\n5,6\n');
    const reader = await openDataset(storage, dir, {});
    const taken: Cell[][] = [];
    const yielded: Cell[][] = [];
    for await (const row of reader.rows((bytes, start, end) => taken.push(cellsOf(bytes, start, end)) > 0))
      yielded.push([...row]);
    expect(taken).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(yielded).toEqual([['6', '5']]);
  });
});

describe('baseline profile through the taker', () => {
  it('is the profile of rows() cells on generated and hostile rows; compare reports alike', async () => {
    const random = mulberry32(15);
    const path = join(root, 'generated.csv');
    await generateCsv(path, 20_000, 12, 3);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    // Odd cells in place: every row plain, each still of the header's width; numeric columns get odd
    // numbers (they stay numeric, so their values reach the sketches), the others anything.
    const oddNumbers = [
      '+5',
      '-0',
      '1e309',
      '-1e309',
      '0.10000000000000001',
      '12345678901234567890',
      '4.9e-324',
      ' 12',
      '',
    ];
    // Text only, so that the categorical columns stay categorical (a number among them would make them
    // mixed, counted again in a second read that takes no rows).
    const oddTexts = [
      '__proto__',
      '<script>',
      'true',
      'false',
      'NaN',
      'Infinity',
      '0x10',
      '1_000',
      'a@b.example',
      '\t7',
      '',
    ];
    const odd = [...oddNumbers, ...oddTexts, '12 ', '4111111111111111'];
    const header = lines[0]!.split(',');
    const withOdd = (source: string[], seed: number) => {
      const pick = mulberry32(seed);
      return source.map((line, i) => {
        if (i === 0 || pick() >= 0.05) return line;
        const cells = line.split(',');
        const at = Math.floor(pick() * cells.length);
        const pool = header[at]!.startsWith('cat_') ? oddTexts : oddNumbers;
        cells[at] = pool[Math.floor(pick() * pool.length)]!;
        return cells.join(',');
      });
    };
    // compare: the same report whether the rows are taken from their bytes or, each with its first cell
    // quoted (so never plain), decoded.
    const quoted = (rows: string[]) => rows.map((line) => line.replace(/^([^,]*)/, '"$1"'));
    const current = join(root, 'generated-current.csv');
    await generateCsv(current, 15_000, 12, 4);
    const base = withOdd(lines, 1);
    const cur = withOdd(readFileSync(current, 'utf8').trimEnd().split('\n'), 2);
    const plainReport = await compareDatasets(
      {
        baselineData: file(`${base.join('\n')}\n`),
        currentData: file(`${cur.join('\n')}\n`),
        exactLimit: 5_000,
      },
      storage,
    );
    const decodedReport = await compareDatasets(
      {
        baselineData: file(`${quoted(base).join('\n')}\n`),
        currentData: file(`${quoted(cur).join('\n')}\n`),
        exactLimit: 5_000,
      },
      storage,
    );
    expect(plainReport.features).toEqual(decodedReport.features);
    expect(plainReport.dataset).toEqual(decodedReport.dataset);
    expect(plainReport.issues.baseline.counts).toEqual(decodedReport.issues.baseline.counts);
    expect(plainReport.issues.current.counts).toEqual(decodedReport.issues.current.counts);
    expect(Object.values(plainReport.features).filter((f) => f.input === 'sketch').length).toBeGreaterThan(2);
    expect(Object.values(plainReport.features).filter((f) => f.input === 'counts').length).toBeGreaterThan(2);
    const width = lines[0]!.split(',').length;
    const out = [lines[0]!];
    for (let i = 1; i < lines.length; i++) {
      const r = random();
      if (r < 0.05) {
        const cells = lines[i]!.split(',');
        cells[Math.floor(random() * width)] = odd[Math.floor(random() * odd.length)]!;
        out.push(cells.join(','));
      } else if (r < 0.06) out.push(`${lines[i]}\r`);
      else if (r < 0.065) out.push(`"${lines[i]!.replace(',', '",')}`);
      else if (r < 0.067) out.push('');
      else if (r < 0.069) out.push(lines[i]!.split(',').slice(1).join(','));
      else if (r < 0.07) out.push(`${lines[i]},extra`);
      else if (r < 0.071) out.push(lines[i]!.replace(/[a-z]+/, 'Zoë'));
      else out.push(lines[i]!);
    }
    const hostile = file(`${out.join('\n')}\n`);
    for (const dataset of [path, hostile]) {
      const taken = await profileDataset(storage, dataset, { issues: new IssueLog() });
      const issues = new IssueLog();
      const reader = await openDataset(storage, dataset, { issues });
      const byCells = new DatasetProfile(reader.columns);
      for await (const row of reader.rows()) byCells.addRow(row);
      expect(taken.profile.toJSON()).toEqual(byCells.toJSON());
    }
  });
});
