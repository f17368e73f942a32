/**
 * Fuzz (issue 16): random mutations of valid inputs (bytes flipped, inserted, deleted, duplicated, cut)
 * driven through the capture parser and row builder, the CSV reader and the config parser, for a fixed
 * budget from the fixed seed (tests/support/fast-check.ts). The outcome allowed: rows and counted issues,
 * or a DriftwatchError (ConfigError for a config, InputError for an unreadable CSV). Never another
 * exception, and no case may take long (a hang shows as a case over its time bound).
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCaptureLine } from '../../src/capture/records.js';
import { createRowBuilder } from '../../src/capture/rows.js';
import { parseMonitorsConfigText } from '../../src/config/monitors.js';
import { toDriftwatchError } from '../../src/core/error-boundary.js';
import { DriftwatchError } from '../../src/core/errors.js';
import { IssueLog } from '../../src/core/issues.js';
import { CsvSource } from '../../src/io/datasets/csv.js';

/** Each property runs until this many cases or this much time, whichever first. */
const RUNS = 400;
const BUDGET_MS = 8_000;
/** One case over this is a hang. */
const CASE_MS = 2_000;

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number; times: number }
  | { kind: 'cut'; at: number };

const interesting = [
  0x22, 0x2c, 0x0a, 0x0d, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x26, 0x2a, 0x3c, 0x00, 0xff, 0xc3,
];
const byte = fc.oneof(fc.constantFrom(...interesting), fc.integer({ min: 0, max: 255 }));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(byte, { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
    times: fc.integer({ min: 1, max: 50 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
);

function mutate(input: Buffer, mutations: Mutation[]): Buffer {
  let b = input;
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.kind) {
      case 'flip':
        if (b.length > 0) {
          b = Buffer.from(b);
          b[at % b.length] = m.byte;
        }
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
      case 'duplicate': {
        const piece = b.subarray(at, at + m.length);
        b = Buffer.concat([b.subarray(0, at), ...Array(m.times).fill(piece), b.subarray(at)]);
        break;
      }
      case 'cut':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });
const settings = { numRuns: RUNS, interruptAfterTimeLimit: BUDGET_MS };

function timed<T>(fn: () => T): T {
  const started = performance.now();
  const out = fn();
  expect(performance.now() - started).toBeLessThan(CASE_MS);
  return out;
}

class Columns {
  readonly names = new Map<string, number>();
  columnIndex(name: string): number {
    let index = this.names.get(name);
    if (index === undefined) {
      index = this.names.size;
      this.names.set(name, index);
    }
    return index;
  }
}

const captureSeeds = [
  {
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: '1,2.5,"a,b"', encoding: 'CSV' },
      endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: '0.7', encoding: 'CSV' },
    },
    eventMetadata: { eventId: 'e1', inferenceTime: '2025-01-01T00:10:00Z' },
    eventVersion: '0',
  },
  {
    captureData: {
      endpointInput: {
        observedContentType: 'application/json',
        mode: 'INPUT',
        data: '{"instances":[{"age":3,"city":"x"},{"age":4,"__proto__":"y"}]}',
        encoding: 'JSON',
      },
      endpointOutput: {
        observedContentType: 'application/json',
        mode: 'OUTPUT',
        data: '{"predictions":[0.1,0.9]}',
        encoding: 'JSON',
      },
    },
    eventMetadata: { eventId: 'e2', inferenceTime: '2025-01-01T00:20:00Z' },
    eventVersion: '0',
  },
  {
    captureData: {
      endpointInput: {
        observedContentType: 'text/csv',
        mode: 'INPUT',
        data: Buffer.from('5,6\n7,8').toString('base64'),
        encoding: 'BASE64',
      },
    },
    eventMetadata: { eventId: 'e3', inferenceTime: '2025-01-01T00:30:00Z' },
    eventVersion: '0',
  },
].map((r) => Buffer.from(JSON.stringify(r)));

describe('fuzz: capture parser and row builder', () => {
  it('mutated capture lines give records, rows and counted issues, never an exception', () => {
    fc.assert(
      fc.property(fc.constantFrom(...captureSeeds), mutations, (seed, ms) => {
        const text = mutate(seed, ms).toString('utf8');
        const issues = new IssueLog();
        timed(() => {
          const build = createRowBuilder(new Columns(), {
            baselineColumns: ['p', 'age', 'x', 'city'],
            issues,
            maxNewColumns: 50,
          });
          const record = parseCaptureLine(text, 'fuzz.jsonl', 1, issues);
          let rows = 0;
          if (record) {
            const pending = build(record, () => {
              rows++;
            });
            expect(pending).toBeUndefined();
          }
          return rows;
        });
      }),
      settings,
    );
  });
});

const csvSeed = Buffer.from(
  'label,age,city,note\r\n1,34,"New York","said ""hi"""\r\n0,,Paris,\r\n1,5.5,"multi\nline",x\n0,7,é,"a,b"\n',
);

async function readCsv(bytes: Buffer, cut: number): Promise<number> {
  const at = bytes.length === 0 ? 0 : cut % bytes.length;
  const chunks = [bytes.subarray(0, at), bytes.subarray(at)].filter((c) => c.length > 0);
  const source = await CsvSource.open(
    Readable.from(chunks),
    { uri: 'fuzz.csv', issues: new IssueLog() },
    {
      maxRowBytes: 4096,
    },
  );
  let rows = 0;
  for (;;) {
    const row = source.next();
    if (row) {
      expect(row).toHaveLength(source.columns.length);
      rows++;
    } else if (!(await source.fill())) break;
  }
  return rows;
}

describe('fuzz: CSV reader', () => {
  it('mutated CSV gives rows of the header width and counted issues, or one InputError', async () => {
    await fc.assert(
      fc.asyncProperty(mutations, fc.nat(), async (ms, cut) => {
        const bytes = mutate(csvSeed, ms);
        const started = performance.now();
        try {
          await readCsv(bytes, cut);
        } catch (error) {
          expect(error).toBeInstanceOf(DriftwatchError);
        }
        expect(performance.now() - started).toBeLessThan(CASE_MS);
      }),
      settings,
    );
  });
});

const configSeed = Buffer.from(`queue: { name: driftwatch, prefix: bull }
defaults:
  capture: s3://bucket/data-capture
  cloudwatch: true
x-common: &common
  output: s3://bucket/monitoring/
monitors:
  - <<: *common
    name: churn-hourly
    endpoint: churn-endpoint
    baseline: s3://bucket/baselines/churn/
    schedule: cron(0 * ? * * *)
    window: { start: -PT1H, end: -PT0H }
  - name: fraud
    endpoint: fraud-endpoint
    baseline: s3://bucket/baselines/fraud/
    output: s3://bucket/monitoring/fraud/
    schedule: NOW
`);

describe('fuzz: config parser', () => {
  it('mutated YAML configs parse or fail with a ConfigError (one line at the CLI), never another exception', () => {
    fc.assert(
      fc.property(mutations, (ms) => {
        const text = mutate(configSeed, ms).toString('utf8');
        timed(() => {
          try {
            parseMonitorsConfigText(text, 'fuzz.yaml');
          } catch (error) {
            expect(error).toBeInstanceOf(DriftwatchError);
            // Several field problems are listed on lines; the CLI's boundary prints them as one.
            expect(toDriftwatchError(error).message).not.toContain('\n');
          }
        });
      }),
      settings,
    );
  });
});
