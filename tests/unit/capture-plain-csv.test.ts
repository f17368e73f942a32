/**
 * Plain CSV records profiled straight from their text (`readCaptureEntries`' `PlainCsvLine`s handed to the
 * `plainCsv` taker of `createCaptureRows`, as profile-window.ts does) against the same lines read as records
 * (`readCaptureBatches`) and built into rows: the same profile (rows in the same order), the same issues in
 * the same order, the same number of records, on generated and mutated SageMaker lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createCaptureRows,
  PlainCsvLine,
  readCaptureBatches,
  readCaptureEntries,
} from '../../src/capture/index.js';
import { SAGEMAKER_LINE, SAGEMAKER_LINE_DATA } from '../../src/capture/records.js';
import { IssueLog } from '../../src/core/issues.js';
import { mulberry32 } from '../../src/core/random.js';
import { LocalStorage } from '../../src/io/local-storage.js';
import { DatasetProfile } from '../../src/metrics/profile/dataset-profile.js';

const root = mkdtempSync(join(tmpdir(), 'dw-plain-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CELLS = ['1', '2.5', '-3', 'red', '', 'x"y', '"q"', '1e3', 'true', 'é', String(Math.PI)];
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
  for (let i = 0; i < width; i++) cells.push(pick(random, CELLS));
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
    eventMetadata: { eventId: 'e', inferenceTime: pick(random, TIMES) },
    eventVersion: '0',
  });
  if (random() < 0.95) return json;
  const at = Math.floor(random() * json.length);
  return json.slice(0, at) + pick(random, ['"', '\\', ' ', '}']) + json.slice(at + 1);
}

async function profileOf(
  uri: string,
  outputColumnsPosition: 'START' | 'END',
  direct: boolean,
): Promise<{ profile: unknown; issues: unknown; records: number }> {
  const names = ['label', 'a', 'b', 'c'];
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
  const window = { start: new Date('2024-05-02T07:00:00Z'), end: new Date('2024-05-02T08:00:00Z') };
  const storage = new LocalStorage();
  if (direct) {
    for await (const batch of readCaptureEntries(storage, uri, { window, issues })) {
      for (let entry of batch) {
        if (entry instanceof PlainCsvLine) {
          if (plainCsv!(entry.input, entry.output)) continue;
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
  return { profile: profile.toJSON(), issues: issues.toJSON(), records };
}

describe('readCaptureEntries and the plainCsv taker (records profiled from their text)', () => {
  it('profiles, counts issues and records as building every record does (START and END)', async () => {
    const random = mulberry32(151);
    const lines: string[] = [];
    for (let i = 0; i < 6_000; i++) lines.push(captureLine(random));
    const uri = join(root, 'capture.jsonl');
    writeFileSync(uri, `${lines.join('\n')}\n`);
    for (const position of ['START', 'END'] as const) {
      const direct = await profileOf(uri, position, true);
      const built = await profileOf(uri, position, false);
      expect(direct).toEqual(built);
      expect(direct.records).toBeGreaterThan(2_000);
      expect((direct.issues as { total: number }).total).toBeGreaterThan(100);
    }
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

describe('SAGEMAKER_LINE_DATA', () => {
  it('matches exactly the lines SAGEMAKER_LINE matches, with the same data, encodings and time', () => {
    const random = mulberry32(11);
    const valid = ['a', 'CSV', 'JSON', 'text/csv', '\\n', '\\"', '\\u00e9', 'é', ',', '1.5'];
    const invalid = ['\\x', '"', '\\', '\u0001'];
    const piece = () => (random() < 0.01 ? pick(random, invalid) : pick(random, valid));
    const value = () => Array.from({ length: Math.floor(random() * 4) }, piece).join('');
    const payload = () =>
      `{"observedContentType":"${value()}","mode":"${value()}","data":"${value()}","encoding":"${value()}"}`;
    let matched = 0;
    for (let i = 0; i < 3000; i++) {
      const id = random() < 0.5 ? `,"inferenceId":"${value()}"` : '';
      let line = `{"captureData":{"endpointInput":${payload()},"endpointOutput":${payload()}},"eventMetadata":{"eventId":"${value()}"${id},"inferenceTime":"${value()}"},"eventVersion":"${value()}"}`;
      if (random() < 0.2)
        line = line.replace(pick(random, ['"', ',', '{', ':']), pick(random, ['', ' ', '\\']));
      const full = SAGEMAKER_LINE.exec(line);
      const data = SAGEMAKER_LINE_DATA.exec(line);
      expect(data === null).toBe(full === null);
      if (full === null || data === null) continue;
      matched++;
      expect([data[1], data[2], data[3], data[4], data[5]]).toEqual([
        full[3],
        full[4],
        full[7],
        full[8],
        full[11],
      ]);
    }
    expect(matched).toBeGreaterThan(1000);
  });
});
