/**
 * Capture benchmark and the synthetic SageMaker data-capture generator.
 *
 * `generateCaptureFiles` writes realistic capture JSON Lines (CSV payloads on both sides, SageMaker's key
 * order and content types) under `<dir>/<endpoint>/<variant>/yyyy/mm/dd/hh/MM-SS-mmm-<uuid>.jsonl`, one file
 * per few minutes as SageMaker does. The input features follow the same recipe as `generateCsv` in
 * `bench/datasets.ts` (column kinds int/float/category/float/int/sparse-float/..., same value ranges and
 * categories) and the output is the 0/1 label (p = 0.3), so a baseline made with
 * `generateCsv(path, rows, features + 1)` shows no drift against undrifted capture.
 *
 * `bareLoopThroughput` is the yardstick for the execution benchmark: a loop that only reads each file,
 * `JSON.parse`s each line and splits its CSV payloads on commas. `captureThroughput` runs the real path
 * (listing, streamed line reading, `parseCaptureLine`, window filter, row builder).
 *
 * Run alone: `npm run build && node --expose-gc dist/bench/capture.js [records] [features]`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRowBuilder, listCaptureObjects, readCaptureBatches } from '../src/capture/index.js';
import { hourPath } from '../src/core/hours.js';
import { IssueLog } from '../src/core/issues.js';
import { mulberry32 } from '../src/core/random.js';
import { LocalStorage } from '../src/io/local-storage.js';
import { CATEGORIES, type ColumnKind, generateCell } from './columns.js';
import { fmtInt, fmtRatio, formatSpread, machineLoad } from './spread.js';

const PATTERN: readonly ColumnKind[] = [
  'int',
  'float',
  'category',
  'float',
  'int',
  'sparse-float',
  'float',
  'category',
  'int',
  'float',
];

export interface CaptureDriftOptions {
  /** How many input features drift (the first ones). Default: half of them. */
  features?: number;
  /** Numeric features move by `shift` × their range; categorical ones favour their last value. Default 0.5. */
  shift?: number;
}

export interface GenerateCaptureOptions {
  drift?: CaptureDriftOptions;
  endpoint?: string;
  variant?: string;
  /** Minutes of traffic per file (SageMaker writes a file every few minutes). Default 5. */
  minutesPerFile?: number;
  /** Records per file; with `minutesPerFile` this sets the traffic rate. Default 5000. */
  recordsPerFile?: number;
  seed?: number;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Writes `records` capture records with `features` input features, starting at `start` and spreading the
 * records evenly over `ceil(records / recordsPerFile)` files of `minutesPerFile` minutes each.
 * Deterministic for a seed (file-name UUIDs aside). Memory: one file's text at a time.
 */
export async function generateCaptureFiles(
  dir: string,
  records: number,
  features: number,
  start: Date,
  options: GenerateCaptureOptions = {},
): Promise<void> {
  if (features < 1) throw new RangeError('features must be at least 1');
  const random = mulberry32(options.seed ?? 42);
  const endpoint = options.endpoint ?? 'bench-endpoint';
  const variant = options.variant ?? 'AllTraffic';
  const perFile = Math.max(1, options.recordsPerFile ?? 5000);
  const fileMs = (options.minutesPerFile ?? 5) * 60_000;
  const drifted = options.drift ? Math.min(features, options.drift.features ?? Math.ceil(features / 2)) : 0;
  const shift = options.drift?.shift ?? 0.5;
  const kinds: ColumnKind[] = [];
  for (let i = 0; i < features; i++) kinds.push(PATTERN[i % PATTERN.length]!);
  const files = Math.ceil(records / perFile);
  let written = 0;
  for (let f = 0; f < files; f++) {
    const count = Math.min(perFile, records - written);
    const fileStart = start.getTime() + f * fileMs;
    const first = new Date(fileStart);
    const folder = join(dir, endpoint, variant, hourPath(first));
    const name = `${pad(first.getUTCMinutes(), 2)}-${pad(first.getUTCSeconds(), 2)}-${pad(first.getUTCMilliseconds(), 3)}-${randomUUID()}.jsonl`;
    let text = '';
    for (let r = 0; r < count; r++) {
      const time = new Date(fileStart + Math.floor((r * fileMs) / count));
      let input = '';
      for (let c = 0; c < features; c++) {
        const drift = c < drifted ? shift : 0;
        const cell = generateCell(kinds[c]!, random, CATEGORIES[(c + 1) % CATEGORIES.length]!, drift);
        input = c === 0 ? cell : `${input},${cell}`;
      }
      const output = random() < 0.3 ? '1' : '0';
      // SageMaker's own key order and content types (see the introduction notebook's capture file).
      text += `{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"${input}","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"${output}\\n","encoding":"CSV"}},"eventMetadata":{"eventId":"${randomUUID()}","inferenceTime":"${time.toISOString().slice(0, 19)}Z"},"eventVersion":"0"}\n`;
    }
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, name), text);
    written += count;
  }
}

export interface Throughput {
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  /** CPU time of this process (user + system) over the run: steadier than wall time on a busy machine. */
  cpuSeconds: number;
  /** Sum of the cells seen (keeps the work from being optimised away, and lets two loops be compared). */
  cells: number;
}

async function jsonlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await jsonlFiles(path)));
    else if (entry.name.endsWith('.jsonl')) out.push(path);
  }
  return out;
}

interface Started {
  ns: bigint;
  cpu: NodeJS.CpuUsage;
}

function begin(): Started {
  return { ns: process.hrtime.bigint(), cpu: process.cpuUsage() };
}

function throughput(records: number, bytes: number, cells: number, started: Started): Throughput {
  const seconds = Number(process.hrtime.bigint() - started.ns) / 1e9;
  const cpu = process.cpuUsage(started.cpu);
  return {
    records,
    bytes,
    seconds,
    recordsPerSecond: records / seconds,
    mbPerSecond: bytes / 1e6 / seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    cells,
  };
}

interface BarePayload {
  data?: unknown;
}

/** The yardstick: read each file, `JSON.parse` each line, split its CSV payloads on commas. Nothing else. */
export async function bareLoopThroughput(dir: string): Promise<Throughput> {
  const files = await jsonlFiles(dir);
  const started = begin();
  let records = 0;
  let bytes = 0;
  let cells = 0;
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    bytes += Buffer.byteLength(text);
    let pos = 0;
    while (pos < text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl === -1) nl = text.length;
      if (nl > pos) {
        const doc = JSON.parse(text.slice(pos, nl)) as {
          captureData: { endpointInput?: BarePayload; endpointOutput?: BarePayload };
        };
        const input = doc.captureData.endpointInput?.data;
        const output = doc.captureData.endpointOutput?.data;
        if (typeof output === 'string') cells += output.split(',').length;
        if (typeof input === 'string') cells += input.split(',').length;
        records++;
      }
      pos = nl + 1;
    }
  }
  return throughput(records, bytes, cells, started);
}

/** The real capture path over a generated folder: list the window, stream, parse, filter, build rows. */
export async function captureThroughput(
  dir: string,
  window: { start: Date; end: Date },
  features: number,
  options: { endpoint?: string } = {},
): Promise<Throughput & { issues: number }> {
  const storage = new LocalStorage();
  const issues = new IssueLog();
  const names = ['label', ...Array.from({ length: features }, (_, i) => `f${i + 1}`)];
  const index = new Map<string, number>();
  const resolver = {
    columnIndex(name: string): number {
      let i = index.get(name);
      if (i === undefined) {
        i = index.size;
        index.set(name, i);
      }
      return i;
    },
  };
  const build = createRowBuilder(resolver, { baselineColumns: names, issues });
  let cells = 0;
  const emit = (row: unknown[]): void => {
    cells += row.length;
  };
  let records = 0;
  let bytes = 0;
  const started = begin();
  for await (const object of listCaptureObjects(storage, dir, options.endpoint ?? 'bench-endpoint', window)) {
    bytes += object.size;
    for await (const batch of readCaptureBatches(storage, object.uri, { window, issues })) {
      records += batch.length;
      for (let i = 0; i < batch.length; i++) build(batch[i]!, emit);
    }
  }
  return { ...throughput(records, bytes, cells, started), issues: issues.total };
}

/**
 * Generates capture data, then runs the bare loop and the capture path in alternating rounds (neither
 * alone pays the JIT warm-up) and prints min / median / max of each, and of their ratio by CPU time within
 * a round (wall time swings on a shared machine).
 */
export async function benchCapture(records = 200_000, features = 20, rounds = 5): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dw-bench-capture-'));
  try {
    const start = new Date('2024-05-02T00:00:00Z');
    await generateCaptureFiles(dir, records, features, start);
    const window = { start, end: new Date(start.getTime() + 366 * 86_400_000) };
    const bare: Throughput[] = [];
    const real: Array<Throughput & { issues: number }> = [];
    console.log(`capture: ${machineLoad()}; ${rounds} interleaved rounds`);
    for (let round = 1; round <= rounds; round++) {
      globalThis.gc?.();
      bare.push(await bareLoopThroughput(dir));
      globalThis.gc?.();
      real.push(await captureThroughput(dir, window, features));
      if (real.at(-1)!.cells !== bare.at(-1)!.cells)
        throw new Error(`cells differ: ${real.at(-1)!.cells} vs ${bare.at(-1)!.cells}`);
    }
    for (const [name, runs] of [
      ['bare loop (JSON.parse + split)', bare],
      ['list + read + parse + filter + rows', real],
    ] as const) {
      console.log(
        `capture: ${name}: ${formatSpread(
          runs.map((t) => t.records / t.cpuSeconds),
          fmtInt,
        )} records per CPU-second, ${formatSpread(
          runs.map((t) => t.recordsPerSecond),
          fmtInt,
        )} records/s wall (${runs[0]!.records.toLocaleString('en')} records)`,
      );
    }
    console.log(
      `capture: the capture path at ${formatSpread(
        real.map((t, i) => bare[i]!.cpuSeconds / t.cpuSeconds),
        fmtRatio,
      )} x the bare loop's records per CPU-second (same round; ${real[0]!.issues} issues)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchCapture(Number(process.argv[2] ?? 200_000), Number(process.argv[3] ?? 20));
}
