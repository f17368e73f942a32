/**
 * Benchmarks of the main job, each measured in a child process of its own so that peak RSS
 * (`process.resourceUsage().maxRSS`) belongs to that run alone:
 * - baseline: `buildBaseline` on a generated CSV of N rows x 20 columns (rows/s, MB/s, peak RSS);
 * - execution: `runExecution` over 1M captured records of 20 CSV features on local files (records/s, MB/s,
 *   peak RSS) and, in children of their own before and after it, the bare loop that only JSON.parses each
 *   line and splits its CSV payload.
 *
 * Run alone: `npm run build && node dist/bench/main-job.js [baselineRows...]`.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildBaseline } from '../src/baseline/build.js';
import { silentLogger } from '../src/core/log.js';
import { createStorage } from '../src/io/storage.js';
import { runExecution } from '../src/monitor/data-quality.js';
import { bareLoopThroughput, generateCaptureFiles } from './capture.js';
import { generateCsv } from './datasets.js';

const self = fileURLToPath(import.meta.url);
const MiB = 2 ** 20;

function maxRssMiB(): number {
  return (process.resourceUsage().maxRSS * 1024) / MiB;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out.sort();
}

/** Child: baseline of one CSV file. */
async function childBaseline(path: string): Promise<Record<string, number>> {
  const storage = createStorage();
  const { size } = await stat(path);
  const started = process.hrtime.bigint();
  const result = await buildBaseline(storage, {
    dataset: path,
    out: join(path, '..', `baseline-${Date.now()}`),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    rows: result.rows,
    seconds,
    rowsPerSecond: result.rows / seconds,
    mbPerSecond: size / 1e6 / seconds,
    peakRssMiB: maxRssMiB(),
  };
}

/** Child: one execution over a capture folder (its peak RSS is the execution's alone). */
async function childExecution(
  dir: string,
  baseline: string,
  start: string,
  end: string,
): Promise<Record<string, number>> {
  const storage = createStorage();
  const files = await filesUnder(join(dir, 'bench-endpoint'));
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  const started = process.hrtime.bigint();
  const summary = await runExecution(
    {
      monitorName: 'bench',
      endpoint: 'bench-endpoint',
      captureUri: dir,
      baselineUri: baseline,
      outputUri: join(dir, '..', 'reports'),
      scheduleName: 'bench',
      windowStart: start,
      windowEnd: end,
      scheduledTime: end,
      cloudwatch: false,
    },
    { storage, logger: silentLogger },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    records: summary.recordsRead,
    rows: summary.rowsProfiled,
    issues: summary.issues.total,
    seconds,
    recordsPerSecond: summary.recordsRead / seconds,
    mbPerSecond: bytes / 1e6 / seconds,
    threads: Number(summary.timings.threads ?? 1),
    peakRssMiB: maxRssMiB(),
  };
}

/** Child: the bare loop (JSON.parse + CSV split only) over the same files, three times; the best run counts. */
async function childBareLoop(dir: string): Promise<Record<string, number>> {
  let best = { recordsPerSecond: 0, mbPerSecond: 0 };
  for (let i = 0; i < 3; i++) {
    const run = await bareLoopThroughput(dir);
    if (run.recordsPerSecond > best.recordsPerSecond) best = run;
  }
  return { recordsPerSecond: best.recordsPerSecond, mbPerSecond: best.mbPerSecond };
}

function runChild(args: string[]): Record<string, number> {
  const out = execFileSync(process.execPath, [self, '--child', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  const last = out.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as Record<string, number>;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function benchBaseline(rowCounts = [1_000_000, 5_000_000]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dw-bench-baseline-'));
  try {
    for (const rows of rowCounts) {
      const path = join(dir, `train-${rows}.csv`);
      await generateCsv(path, rows, 20);
      const { size } = await stat(path);
      const r = runChild(['baseline', path]);
      console.log(
        `baseline: ${fmt(rows)} rows x 20 cols (${(size / 1e6).toFixed(0)} MB): ${fmt(r.rowsPerSecond!)} rows/s, ` +
          `${r.mbPerSecond!.toFixed(1)} MB/s, ${r.seconds!.toFixed(1)} s, peak RSS ${r.peakRssMiB!.toFixed(0)} MiB (target >= 150,000 rows/s, < 300 MB)`,
      );
      await rm(path, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes a baseline CSV (label + 20 features) from no-drift capture data of the same generator. */
async function baselineFromCapture(dir: string, records: number): Promise<string> {
  const source = join(dir, 'baseline-capture');
  await generateCaptureFiles(source, records, 20, new Date('2024-04-01T00:00:00Z'), { seed: 7 });
  const csv = join(dir, 'baseline.csv');
  const out = createWriteStream(csv);
  out.write(`label,${Array.from({ length: 20 }, (_, i) => `f${i + 1}`).join(',')}\n`);
  for (const file of await filesUnder(source)) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line) as {
        captureData: { endpointInput: { data: string }; endpointOutput: { data: string } };
      };
      out.write(`${r.captureData.endpointOutput.data.trim()},${r.captureData.endpointInput.data}\n`);
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  await rm(source, { recursive: true, force: true });
  await buildBaseline(createStorage(), { dataset: csv, out: join(dir, 'baseline') });
  return join(dir, 'baseline');
}

export async function benchExecution(records = 1_000_000): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dw-bench-exec-'));
  try {
    const baseline = await baselineFromCapture(dir, 100_000);
    const start = new Date('2024-05-02T00:00:00Z');
    const capture = join(dir, 'capture');
    await generateCaptureFiles(capture, records, 20, start);
    // The generator writes 5000 records per 5-minute file: the window covers exactly the hours written.
    const end = new Date(start.getTime() + Math.ceil((Math.ceil(records / 5000) * 5) / 60) * 3_600_000);
    // The bare loop runs in a child of its own before and after the execution, so that neither its heap
    // counts in the execution's peak RSS nor a passing load decides the ratio.
    const bareBefore = runChild(['bare', capture]);
    const r = runChild(['execution', capture, baseline, start.toISOString(), end.toISOString()]);
    const bareAfter = runChild(['bare', capture]);
    const bare = bareBefore.recordsPerSecond! >= bareAfter.recordsPerSecond! ? bareBefore : bareAfter;
    const ratio = r.recordsPerSecond! / bare.recordsPerSecond!;
    console.log(
      `execution: ${fmt(r.records!)} captured records x 20 CSV features: ${fmt(r.recordsPerSecond!)} records/s, ${r.mbPerSecond!.toFixed(1)} MB/s, ` +
        `${r.seconds!.toFixed(1)} s on ${r.threads} thread(s), peak RSS ${r.peakRssMiB!.toFixed(0)} MiB = ${((r.peakRssMiB! * MiB) / 1e6).toFixed(0)} MB (target < 300 MB)`,
    );
    console.log(
      `execution: bare loop (JSON.parse + split) ${fmt(bare.recordsPerSecond!)} records/s, ${bare.mbPerSecond!.toFixed(1)} MB/s; ` +
        `execution = ${(100 * ratio).toFixed(0)}% of the bare loop (target >= 60%)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const [task, ...args] = process.argv.slice(3);
  const result =
    task === 'baseline'
      ? await childBaseline(args[0]!)
      : task === 'bare'
        ? await childBareLoop(args[0]!)
        : await childExecution(args[0]!, args[1]!, args[2]!, args[3]!);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = process.argv.slice(2).map(Number);
  await benchBaseline(rows.length > 0 ? rows : undefined);
  await benchExecution();
}
