/**
 * Fuzz of the Arrow readers (file and stream formats) and of the Parquet reader (issue 16), each file read in a child process
 * with a 128 MB V8 heap and a time limit per file (tests/support/child-reads.ts), so that a hang or an
 * allocation sized from a fuzzed header shows as a named failure instead of stalling or killing the run.
 * Mutations are seeded (tests/support/fast-check.ts): bytes flipped, int32 words overwritten with extreme
 * values (sizes, offsets and counts live in such words), bytes deleted, inserted, the file cut.
 * The only outcomes allowed: the rows, or one InputError. What it found, now guarded in io/datasets/arrow.ts:
 * a footer block pointing at a non-record-batch message (apache-arrow's file reader looped for ever) and a
 * negative read size in a stream message (its sequential reader moved backwards and re-read for ever).
 * Parquet: the same fuzz hung hyparquet's RLE/bit-packed decoder (a zero-width bit-packed run claiming ~2^32
 * values loops in `readRleBitPackedHybrid`, one synchronous call); pages are now decoded in a worker thread
 * under a watchdog (io/datasets/parquet-decoder.ts), so such a file is an InputError after the decode budget.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dictionary, Int32, RecordBatchReader, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import fc from 'fast-check';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IssueLog } from '../../src/core/issues.js';
import { ParquetSource } from '../../src/io/datasets/parquet.js';
import { LocalStorage } from '../../src/io/local-storage.js';
import { type ReadOutcome, readInChildren } from '../support/child-reads.js';
import '../support/fast-check.js';

const CASES_PER_FORMAT = 200;
const LIMITS = { heapMb: 128, perFileMs: 15_000 };
/**
 * Parquet's decode watchdog gives a row group 10 s (+1 s per MB) of wall time: the child's limit is well above
 * it, so that a loaded CI machine (child start-up, thread start-up, a slowed clock) still sees the InputError.
 */
const PARQUET_LIMITS = { heapMb: 128, perFileMs: 60_000 };
const PARQUET_CASES = 150;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dw-arrow-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ROWS = 2000;
function arrowSeed(format: 'file' | 'stream'): Buffer {
  const table = new Table({
    i: vectorFromArray(Int32Array.from({ length: ROWS }, (_, k) => k)),
    f: vectorFromArray(Float64Array.from({ length: ROWS }, (_, k) => k / 7)),
    s: vectorFromArray(
      Array.from({ length: ROWS }, (_, k) => (k % 5 ? `v${k % 13}` : null)),
      new Utf8(),
    ),
    d: vectorFromArray(
      Array.from({ length: ROWS }, (_, k) => `c${k % 4}`),
      new Dictionary(new Utf8(), new Int32()),
    ),
  });
  return Buffer.from(tableToIPC(table, format));
}

/** An uncompressed Parquet file (hyparquet-writer: data pages v2, string column dictionary-encoded). */
function parquetSeed(): Buffer {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'i', data: Int32Array.from({ length: ROWS }, (_, k) => k), type: 'INT32' },
      { name: 'f', data: Float64Array.from({ length: ROWS }, (_, k) => k / 7), type: 'DOUBLE' },
      {
        name: 's',
        data: Array.from({ length: ROWS }, (_, k) => (k % 5 ? `v${k % 13}` : null)),
        type: 'STRING',
      },
    ],
  });
  return Buffer.from(buffer);
}

/**
 * The seed with the dictionary indices of column `s` (first row group) made a zero-width bit-packed run of
 * 2^32 - 8 values: hyparquet loops that many times in one call (tens of seconds to minutes).
 */
function zeroWidthRun(): Buffer {
  const bytes = parquetSeed();
  const metadata = parquetMetadata(new Uint8Array(bytes).buffer);
  // The page header (thrift) and the definition levels come first: the indices' bit width is at +157.
  const at = Number(metadata.row_groups[0]!.columns[2]!.meta_data!.data_page_offset) + 157;
  expect(bytes[at]).toBe(4); // 13 distinct values: 4 bits per index
  const out = Buffer.from(bytes);
  out[at] = 0; // bit width 0
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]).copy(out, at + 1); // run header -1: bit-packed, count -8
  return out;
}

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'word'; at: number; value: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'cut'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('word' as const),
    at: fc.nat(),
    value: fc.constantFrom(0x7fffffff, -1, 0, 1, 1 << 30, 65_536, -2_147_483_648),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
);

function mutate(seed: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(seed);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'flip') {
      if (b.length > 0) b[at] = m.byte;
    } else if (m.kind === 'word') {
      if (b.length >= 4) b.writeInt32LE(m.value, Math.min(at, b.length - 4));
    } else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
    else if (m.kind === 'insert')
      b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    else b = b.subarray(0, at);
  }
  return b;
}

/** A valid Arrow file whose footer's record-batch block points at its dictionary batch message. */
function footerPointingAtDictionary(): Buffer {
  const bytes = arrowSeed('file');
  const footer = RecordBatchReader.from(bytes).open().footer!;
  const batch = footer.getRecordBatch(0)!;
  const dictionary = footer.getDictionaryBatch(0)!;
  const wanted = Buffer.alloc(8);
  wanted.writeBigInt64LE(BigInt(batch.offset));
  const footerLength = bytes.readInt32LE(bytes.length - 10);
  const at = bytes.indexOf(wanted, bytes.length - 10 - footerLength);
  expect(at).toBeGreaterThan(0);
  const out = Buffer.from(bytes);
  out.writeBigInt64LE(BigInt(dictionary.offset), at);
  return out;
}

function expectClean(outcomes: ReadOutcome[], files: string[]): void {
  const bad = outcomes.flatMap((o, i) =>
    o.kind === 'ok' || (o.kind === 'error' && o.errorClass === 'InputError')
      ? []
      : [{ file: files[i], ...o }],
  );
  expect(bad).toEqual([]);
}

describe('fuzz: Arrow and Parquet readers, each read in a child with a 128 MB heap and a time limit', () => {
  it('a footer whose record-batch block points at the dictionary batch is an InputError (was a hang)', async () => {
    const file = join(dir, 'loop.arrow');
    await writeFile(file, footerPointingAtDictionary());
    const [outcome] = await readInChildren('arrow', [file], LIMITS);
    expect(outcome).toEqual({
      kind: 'error',
      errorClass: 'InputError',
      message: expect.stringMatching(/record batch 1 of 1 is not a record batch message/),
    });
  }, 60_000);

  it('Parquet: a zero-width bit-packed run of 2^32 values is an InputError after the decode budget (was a hang)', async () => {
    const file = join(dir, 'zero-width.parquet');
    await writeFile(file, zeroWidthRun());
    const [outcome] = await readInChildren('parquet', [file], PARQUET_LIMITS);
    expect(outcome).toEqual({
      kind: 'error',
      errorClass: 'InputError',
      message: expect.stringMatching(/zero-width\.parquet: Parquet row group 0 .* did not decode within/),
    });
  }, 150_000);

  it('Parquet, in this process: the thread is terminated after the budget, InputError naming the file', async () => {
    const file = join(dir, 'zero-width-here.parquet');
    const bytes = zeroWidthRun();
    await writeFile(file, bytes);
    const source = await ParquetSource.open(
      new LocalStorage(),
      bytes.length,
      { uri: file, issues: new IssueLog() },
      { decodeBudgetBaseMs: 300 },
    );
    const started = Date.now();
    await expect(
      (async () => {
        while (await source.fill()) while (source.next());
      })(),
    ).rejects.toThrow(new RegExp(`${file}: Parquet row group 0 .* did not decode within`));
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('Parquet: seeded mutations give rows or one InputError, no hang, no out-of-memory', async () => {
    const seed = parquetSeed();
    const cases = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 4 }), PARQUET_CASES);
    const files: string[] = [];
    for (const [i, ms] of cases.entries()) {
      const file = join(dir, `pq-${i}.parquet`);
      await writeFile(file, mutate(seed, ms));
      files.push(file);
    }
    const outcomes = await readInChildren('parquet', files, PARQUET_LIMITS);
    expectClean(outcomes, files);
    expect(outcomes.some((o) => o.kind === 'ok')).toBe(true);
    expect(outcomes.some((o) => o.kind === 'error')).toBe(true);
  }, 600_000);

  it.each([
    ['arrow', 'file'],
    ['arrow', 'stream'],
  ] as const)(
    '%s (%s): seeded mutations give rows or one InputError, no hang, no out-of-memory',
    async (format, variant) => {
      const seed = arrowSeed(variant);
      const cases = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 4 }), CASES_PER_FORMAT);
      const files: string[] = [];
      for (const [i, ms] of cases.entries()) {
        const file = join(dir, `${variant}-${i}.${format}`);
        await writeFile(file, mutate(seed, ms));
        files.push(file);
      }
      const outcomes = await readInChildren(format, files, LIMITS);
      expectClean(outcomes, files);
      // The mutations reach past the header checks: some files still read, some are refused.
      expect(outcomes.some((o) => o.kind === 'ok')).toBe(true);
    },
    240_000,
  );
});
