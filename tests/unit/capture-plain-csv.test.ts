/**
 * Plain CSV records profiled straight from the bytes read (`readCaptureEntries`' `PlainCsvRow`s handed to
 * the `plainCsv` taker of `createCaptureRows`, as profile-window.ts does) against the same lines read as
 * records (`readCaptureBatches`) and built into rows: the same profile (rows in the same order), the same
 * issues in the same order, the same number of records, on generated and mutated SageMaker lines.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCaptureFiles } from '../../bench/capture.js';
import {
  type CaptureRecord,
  createCaptureRows,
  type PlainCsvPayloads,
  PlainCsvRow,
  readCaptureBatches,
  readCaptureEntries,
} from '../../src/capture/index.js';
import { SAGEMAKER_LINE } from '../../src/capture/records.js';
import { IssueLog } from '../../src/core/issues.js';
import { mulberry32 } from '../../src/core/random.js';
import { LocalStorage } from '../../src/io/local-storage.js';
import { DatasetProfile } from '../../src/metrics/profile/dataset-profile.js';

const root = mkdtempSync(join(tmpdir(), 'dw-plain-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CELLS = [
  '1',
  '2.5',
  '-3',
  'red',
  '',
  'x"y',
  '"q"',
  '1e3',
  'true',
  'é',
  String(Math.PI),
  '\t',
  '\u0001',
  'a\\b',
  '~\u007f',
];
const TIMES = [
  '2024-05-02T07:31:12Z',
  '2024-05-02T07:59:59.999Z',
  '2024-05-02T08:00:00Z',
  '2024-05-02T06:59:59Z',
  '2024-05-02T07:10:00',
  'yesterday',
  '',
];

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

function csv(random: () => number, width: number): string {
  const cells: string[] = [];
  for (let i = 0; i < width; i++) cells.push(pick(random, random() < 0.8 ? CELLS.slice(0, 5) : CELLS));
  return cells.join(',');
}

/** A capture line in SageMaker's key order: mostly plain CSV of the baseline's width, with odd cases. */
function captureLine(random: () => number): string {
  const u = random();
  const width = u < 0.7 ? 3 : Math.floor(random() * 5);
  let input = csv(random, width);
  let output = `${pick(random, ['0', '1', '0.75', '1,0'])}${pick(random, ['\n', '', '\r\n', '\n\n'])}`;
  if (random() < 0.05) input += pick(random, ['\n4,5,6', '\r', '\t', '\\', '\n']);
  if (random() < 0.03) output = pick(random, ['', '\n', '"1"\n']);
  const encoding = random() < 0.9 ? 'CSV' : pick(random, ['csv', 'JSON', 'BASE64']);
  const json = JSON.stringify({
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: input, encoding },
      endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: output, encoding: 'CSV' },
    },
    eventMetadata: {
      eventId: random() < 0.9 ? 'e' : pick(random, ['ü', 'a\\b', '']),
      ...(random() < 0.3 ? { inferenceId: pick(random, ['i-1', 'é', '']) } : {}),
      inferenceTime: pick(random, TIMES),
    },
    eventVersion: '0',
  });
  const u2 = random();
  // Raw control characters (not JSON), a byte order mark, Windows line ends.
  if (u2 < 0.01) return json.replace('e', '\u0001');
  if (u2 < 0.02) return `\ufeff${json}`;
  if (u2 < 0.04) return `${json}\r`;
  if (random() < 0.95) return json;
  const at = Math.floor(random() * json.length);
  return json.slice(0, at) + pick(random, ['"', '\\', ' ', '}']) + json.slice(at + 1);
}

/**
 * The profile of the object read as records (`built`), as records and `PlainCsvRow`s (`entries`), or with
 * plain rows handed to the taker as they are read when nothing waits before them (`taken`).
 */
async function profileOf(
  uri: string,
  outputColumnsPosition: 'START' | 'END',
  mode: 'built' | 'entries' | 'taken',
  names = ['label', 'a', 'b', 'c'],
  window = { start: new Date('2024-05-02T07:00:00Z'), end: new Date('2024-05-02T08:00:00Z') },
): Promise<{ profile: unknown; issues: unknown; records: number; taken: number }> {
  const direct = mode !== 'built';
  const profile = new DatasetProfile(names);
  const issues = new IssueLog();
  const { build, plainCsv } = createCaptureRows(profile, {
    baselineColumns: names,
    outputColumnsPosition,
    issues,
    ...(direct ? { delimitedRows: profile } : {}),
  });
  if (direct) expect(plainCsv).toBeDefined();
  let records = 0;
  const storage = new LocalStorage();
  let taken = 0;
  const take = (row: PlainCsvPayloads): boolean => {
    if (!plainCsv!(row)) return false;
    taken++;
    return true;
  };
  if (direct) {
    for await (const batch of readCaptureEntries(
      storage,
      uri,
      { window, issues },
      mode === 'taken' ? take : undefined,
    )) {
      for (let entry of batch) {
        if (entry instanceof PlainCsvRow) {
          if (plainCsv!(entry)) continue;
          entry = entry.record();
        }
        void build(entry, (cells) => profile.addRow(cells));
      }
      records += batch.length;
    }
  } else {
    for await (const batch of readCaptureBatches(storage, uri, { window, issues })) {
      for (const record of batch) void build(record, (cells) => profile.addRow(cells));
      records += batch.length;
    }
  }
  return { profile: profile.toJSON(), issues: issues.toJSON(), records: records + taken, taken };
}

describe('readCaptureEntries and the plainCsv taker (records profiled from their text)', () => {
  it('profiles, counts issues and records as building every record does (START and END)', async () => {
    const random = mulberry32(151);
    const lines: string[] = [];
    for (let i = 0; i < 6_000; i++) lines.push(captureLine(random));
    const uri = join(root, 'capture.jsonl');
    writeFileSync(uri, `${lines.join('\n')}\n`);
    for (const position of ['START', 'END'] as const) {
      const built = await profileOf(uri, position, 'built');
      const entries = await profileOf(uri, position, 'entries');
      const taken = await profileOf(uri, position, 'taken');
      expect(entries).toEqual(built);
      expect({ ...taken, taken: 0 }).toEqual(built);
      expect(built.records).toBeGreaterThan(2_000);
      expect((built.issues as { total: number }).total).toBeGreaterThan(100);
      // Plain rows after a line that waits in its batch are yielded, the others taken as they are read.
      expect(taken.taken).toBeGreaterThan(0);
    }
  });

  it('hands every row of a plain object to the taker as it reads it (none yielded, one object for all)', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 3_000; i++)
      lines.push(
        JSON.stringify({
          captureData: {
            endpointInput: {
              observedContentType: 'text/csv',
              mode: 'INPUT',
              data: `${i},2.5,red`,
              encoding: 'CSV',
            },
            endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: '1\n', encoding: 'CSV' },
          },
          eventMetadata: { eventId: `e${i}`, inferenceTime: '2024-05-02T07:31:12Z' },
          eventVersion: '0',
        }),
      );
    const uri = join(root, 'plain.jsonl');
    writeFileSync(uri, `${lines.join('\n')}\n`);
    const seen = new Set<PlainCsvPayloads>();
    let yielded = 0;
    const window = { start: new Date('2024-05-02T07:00:00Z'), end: new Date('2024-05-02T08:00:00Z') };
    const take = (row: PlainCsvPayloads) => {
      seen.add(row);
      return true;
    };
    for await (const batch of readCaptureEntries(
      new LocalStorage(),
      uri,
      { window, issues: new IssueLog() },
      take,
    ))
      yielded += batch.length;
    expect(yielded).toBe(0);
    expect(seen.size).toBe(1);
    const direct = await profileOf(uri, 'START', 'taken');
    expect(direct.taken).toBe(3_000);
    expect({ ...direct, taken: 0 }).toEqual(await profileOf(uri, 'START', 'built'));
  });

  it('is not offered with a preprocessor', () => {
    const profile = new DatasetProfile(['a']);
    const { plainCsv } = createCaptureRows(profile, {
      baselineColumns: ['a'],
      issues: new IssueLog(),
      delimitedRows: profile,
      preprocessor: () => null,
    });
    expect(plainCsv).toBeUndefined();
  });
});

/** Printable ASCII (and DEL) only: no control character, no backslash, nothing past U+007F. */
function printableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7f || c === 0x5c) return false;
  }
  return true;
}

describe('the three ways of reading capture profile alike on real and generated capture', () => {
  /** The profiles of the three modes at both output positions equal; the rows `take` took. */
  async function same(uri: string, names: string[], window: { start: Date; end: Date }): Promise<number> {
    let taken = 0;
    for (const position of ['START', 'END'] as const) {
      const built = await profileOf(uri, position, 'built', names, window);
      const entries = await profileOf(uri, position, 'entries', names, window);
      const direct = await profileOf(uri, position, 'taken', names, window);
      expect(entries, uri).toEqual(built);
      expect({ ...direct, taken: 0 }, uri).toEqual(built);
      taken += direct.taken;
    }
    return taken;
  }
  const always = { start: new Date(0), end: new Date('2100-01-01T00:00:00Z') };

  it("SageMaker's own capture files (skipped with a notice when ../shared is absent)", async () => {
    const samples = join(import.meta.dirname, '../../../shared/sagemaker-samples');
    if (!existsSync(samples)) {
      console.warn(`notice: ${samples} not found; the real-sample check did not run`);
      return;
    }
    const files = [
      ['amazon-sagemaker-examples/sagemaker_model_monitor/introduction/capture_records_first3.jsonl', 70, 6],
      ['sagemaker-python-sdk/tests/data/monitor/capture.jsonl', 0, 0],
      ['sagemaker-python-sdk/tests/data/monitor/captured-data.jsonl', 4, 0],
    ] as const;
    for (const [path, width, taken] of files) {
      const uri = join(samples, path);
      // The baseline's width: the first record's output and input cells (or a few columns for JSON).
      const first = JSON.parse(readFileSync(uri, 'utf8').split('\n')[0]!) as {
        captureData: { endpointInput: { data: string }; endpointOutput: { data: string } };
      };
      const cells = `${first.captureData.endpointOutput.data.trim()},${first.captureData.endpointInput.data}`;
      const n = width > 0 ? width : cells.split(',').length;
      expect(
        await same(
          uri,
          Array.from({ length: n }, (_, i) => `c${i}`),
          always,
        ),
        path,
      ).toBe(taken);
    }
  });

  it("the bench's generated capture (20,000 records of 20 features: numbers read in place past 10,000)", async () => {
    const dir = join(root, 'bench');
    const start = new Date('2024-05-02T00:00:00Z');
    await generateCaptureFiles(dir, 20_000, 20, start, { recordsPerFile: 20_000, minutesPerFile: 60 });
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files).toHaveLength(1);
    const names = ['label', ...Array.from({ length: 20 }, (_, i) => `f${i + 1}`)];
    const window = { start, end: new Date('2024-05-02T01:00:00Z') };
    expect(await same(join(files[0]!.parentPath, files[0]!.name), names, window)).toBe(40_000);
  });
});

describe('PlainCsvRow', () => {
  it("is yielded for the plain ASCII CSV lines in the window, where their records' payloads lie", async () => {
    const random = mulberry32(12);
    const lines: string[] = [];
    for (let i = 0; i < 4_000; i++) lines.push(captureLine(random));
    const uri = join(root, 'rows.jsonl');
    writeFileSync(uri, `${lines.join('\n')}\n`);
    const window = { start: new Date('2024-05-02T07:00:00Z'), end: new Date('2024-05-02T08:00:00Z') };
    const storage = new LocalStorage();
    const records: CaptureRecord[] = [];
    for await (const batch of readCaptureBatches(storage, uri, { window, issues: new IssueLog() }))
      records.push(...batch);
    let plain = 0;
    let built = 0;
    let i = 0;
    for await (const batch of readCaptureEntries(storage, uri, { window, issues: new IssueLog() })) {
      for (const entry of batch) {
        const record = records[i++]!;
        const { input, output } = record;
        const line = lines[record.lineNumber - 1]!;
        const trimmed = (text: string) => text.replace(/\n$/, '');
        // What a plain row must be: CSV both sides, each one non-empty line, plain printable ASCII.
        const m = SAGEMAKER_LINE.exec(line.replace(/\r$/, ''));
        const isPlain =
          m?.[4] === 'CSV' &&
          m[8] === 'CSV' &&
          input !== undefined &&
          output !== undefined &&
          trimmed(input.data) !== '' &&
          trimmed(output.data) !== '' &&
          printableAscii(line.replace(/\\n"/g, '"').replace(/\r$/, ''));
        expect(entry instanceof PlainCsvRow, line).toBe(isPlain);
        if (!(entry instanceof PlainCsvRow)) {
          expect(entry).toEqual(record);
          built++;
          continue;
        }
        plain++;
        expect(entry.record()).toEqual(record);
        expect(entry.bytes.toString('latin1', entry.inputStart, entry.inputEnd)).toBe(trimmed(input!.data));
        expect(entry.bytes.toString('latin1', entry.outputStart, entry.outputEnd)).toBe(
          trimmed(output!.data),
        );
      }
    }
    expect(i).toBe(records.length);
    expect(plain).toBeGreaterThan(300);
    expect(built).toBeGreaterThan(500);
  });
});
