/**
 * Benchmarks of the main job, each measured in a child process of its own so that peak RSS
 * (`process.resourceUsage().maxRSS`) and CPU time (user + system, all threads) belong to that run alone:
 * - baseline: `buildBaseline` on a generated CSV of N rows x 20 columns (rows per CPU-second and per
 *   second, peak RSS), several runs;
 * - execution: interleaved rounds over 1M captured records of 20 CSV features on local files, each round
 *   running the bare loop (read each line, `JSON.parse` it, split its CSV payload: nothing else), then
 *   `runExecution` on one thread, then `runExecution` with the default thread count. Each execution's
 *   records per CPU-second is divided by the bare loop's of the same round (the per-core ratio of issue
 *   15), and the default's wall time by the one-thread run's. Figures are min / median / max over rounds.
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
import { fmtInt, fmtRatio, formatSpread, machineCpu, machineLoad } from './spread.js';

const self = fileURLToPath(import.meta.url);
const MiB = 2 ** 20;

function maxRssMiB(): number {
  return (process.resourceUsage().maxRSS * 1024) / MiB;
}

/** CPU seconds (user + system, every thread) this process used since `since`. */
function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
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
  const cpu = process.cpuUsage();
  const result = await buildBaseline(storage, {
    dataset: path,
    out: join(path, '..', `baseline-${Date.now()}`),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuSeconds = cpuSecondsSince(cpu);
  return {
    rows: result.rows,
    seconds,
    cpuSeconds,
    rowsPerCpuSecond: result.rows / cpuSeconds,
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
  threads: string,
): Promise<Record<string, number>> {
  const storage = createStorage();
  const files = await filesUnder(join(dir, 'bench-endpoint'));
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  const reports = join(dir, '..', `reports-${process.pid}`);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const summary = await runExecution(
    {
      monitorName: 'bench',
      endpoint: 'bench-endpoint',
      captureUri: dir,
      baselineUri: baseline,
      // A folder of its own: a stored execution.json would be returned as it is (executions are idempotent).
      outputUri: reports,
      scheduleName: 'bench',
      windowStart: start,
      windowEnd: end,
      scheduledTime: end,
      cloudwatch: false,
    },
    { storage, logger: silentLogger, ...(threads === 'default' ? {} : { threads: Number(threads) }) },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuSeconds = cpuSecondsSince(cpu);
  await rm(reports, { recursive: true, force: true });
  return {
    records: summary.recordsRead,
    rows: summary.rowsProfiled,
    issues: summary.issues.total,
    seconds,
    cpuSeconds,
    recordsPerCpuSecond: summary.recordsRead / cpuSeconds,
    recordsPerSecond: summary.recordsRead / seconds,
    mbPerSecond: bytes / 1e6 / seconds,
    threads: Number(summary.timings.threads ?? 1),
    peakRssMiB: maxRssMiB(),
  };
}

/** Child: the bare loop (JSON.parse + CSV split only) over the same files, once. */
async function childBareLoop(dir: string): Promise<Record<string, number>> {
  const run = await bareLoopThroughput(dir);
  return {
    records: run.records,
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    recordsPerSecond: run.recordsPerSecond,
    recordsPerCpuSecond: run.records / run.cpuSeconds,
    mbPerSecond: run.mbPerSecond,
    peakRssMiB: maxRssMiB(),
  };
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

const fmt = fmtInt;

export async function benchBaseline(rowCounts = [1_000_000, 5_000_000], rounds = 3): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dw-bench-baseline-'));
  try {
    console.log(`baseline: ${machineLoad()}; min / median / max of ${rounds} runs`);
    for (const rows of rowCounts) {
      const path = join(dir, `train-${rows}.csv`);
      await generateCsv(path, rows, 20);
      const { size } = await stat(path);
      const runs: Array<Record<string, number>> = [];
      for (let i = 0; i < rounds; i++) runs.push(runChild(['baseline', path]));
      const of = (key: string) => runs.map((r) => r[key]!);
      console.log(
        `baseline: ${fmt(rows)} rows x 20 cols (${(size / 1e6).toFixed(0)} MB): ` +
          `${formatSpread(of('rowsPerCpuSecond'), fmt)} rows per CPU-second (target >= 250,000 on one core); ` +
          `${formatSpread(of('rowsPerSecond'), fmt)} rows/s wall; ` +
          `peak RSS ${formatSpread(of('peakRssMiB'), (x) => x.toFixed(0))} MiB (target < 300 MB)`,
      );
      await rm(path, { force: true });
    }
    console.log(`baseline: ${machineLoad()} (after)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes a baseline CSV (label + 20 features) from no-drift capture data of the same generator. */
async function baselineFromCapture(
  dir: string,
  records: number,
  modes: ReadonlyArray<'sagemaker' | 'calibrated'> = ['sagemaker'],
): Promise<string> {
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
  for (const mode of modes) {
    const out = join(dir, mode === 'sagemaker' ? 'baseline' : `baseline-${mode}`);
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    await buildBaseline(createStorage(), { dataset: csv, out, driftMode: mode });
    if (modes.length > 1)
      console.log(
        `baseline ${mode}: ${fmt(records)} rows x 21 columns in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s wall, ${cpuSecondsSince(cpu).toFixed(1)} CPU-s`,
      );
  }
  return join(dir, 'baseline');
}

/**
 * Execution with a calibrated baseline (issue 14: calibrated thresholds, the multivariate collector on
 * every row, the calibration file read) vs a plain one, on the same 1M captured records, interleaved in
 * the same rounds, one thread, each run in its own child: records per CPU-second and peak RSS. Also the
 * baseline build time of both kinds from the same 100k rows (the cost of calibration).
 */
export async function benchExecutionCalibrated(records = 1_000_000, rounds = 3): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dw-bench-exec-cal-'));
  try {
    console.log(`execution-calibrated: ${machineLoad()}`);
    const baseline = await baselineFromCapture(dir, 100_000, ['sagemaker', 'calibrated']);
    const calibrated = join(dir, 'baseline-calibrated');
    const start = new Date('2024-05-02T00:00:00Z');
    const capture = join(dir, 'capture');
    await generateCaptureFiles(capture, records, 20, start);
    const end = new Date(start.getTime() + Math.ceil((Math.ceil(records / 5000) * 5) / 60) * 3_600_000);
    const plain: Array<Record<string, number>> = [];
    const cal: Array<Record<string, number>> = [];
    for (let round = 0; round < rounds; round++) {
      const a = ['execution', capture, baseline, start.toISOString(), end.toISOString(), '1'];
      const b = ['execution', capture, calibrated, start.toISOString(), end.toISOString(), '1'];
      // Alternate which goes first, so a drift in the machine's load does not favour one of them.
      if (round % 2 === 0) {
        plain.push(runChild(a));
        cal.push(runChild(b));
      } else {
        cal.push(runChild(b));
        plain.push(runChild(a));
      }
    }
    const of = (runs: Array<Record<string, number>>, key: string) => runs.map((r) => r[key]!);
    for (const [label, runs] of [
      ['plain baseline', plain],
      ['calibrated baseline', cal],
    ] as const) {
      console.log(
        `execution-calibrated: ${fmt(runs[0]!.records!)} records x 20 CSV features, 1 thread, ${label}: ` +
          `${formatSpread(of(runs, 'recordsPerCpuSecond'), fmt)} records per CPU-second, ` +
          `${formatSpread(of(runs, 'recordsPerSecond'), fmt)} records/s wall, ` +
          `peak RSS ${formatSpread(of(runs, 'peakRssMiB'), (x) => x.toFixed(0))} MiB`,
      );
    }
    console.log(
      `execution-calibrated: calibrated / plain (same round): records per CPU-second ${formatSpread(
        cal.map((r, i) => r.recordsPerCpuSecond! / plain[i]!.recordsPerCpuSecond!),
        fmtRatio,
      )}, peak RSS ${formatSpread(
        cal.map((r, i) => r.peakRssMiB! / plain[i]!.peakRssMiB!),
        fmtRatio,
      )}`,
    );
    console.log(`execution-calibrated: ${machineLoad()} (after)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchExecution(records = 1_000_000, rounds = 3): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dw-bench-exec-'));
  try {
    const baseline = await baselineFromCapture(dir, 100_000);
    const start = new Date('2024-05-02T00:00:00Z');
    const capture = join(dir, 'capture');
    await generateCaptureFiles(capture, records, 20, start);
    // The generator writes 5000 records per 5-minute file: the window covers exactly the hours written.
    const end = new Date(start.getTime() + Math.ceil((Math.ceil(records / 5000) * 5) / 60) * 3_600_000);
    const window = [capture, baseline, start.toISOString(), end.toISOString()];
    console.log(
      `execution: ${machineCpu()}, ${machineLoad()}; ${rounds} interleaved rounds (bare loop, 1 thread, default)`,
    );
    const bare: Array<Record<string, number>> = [];
    const one: Array<Record<string, number>> = [];
    const auto: Array<Record<string, number>> = [];
    for (let round = 0; round < rounds; round++) {
      // Each in a child of its own: no heap of one counts in another's peak RSS, and no JIT state is shared.
      bare.push(runChild(['bare', capture]));
      one.push(runChild(['execution', ...window, '1']));
      auto.push(runChild(['execution', ...window, 'default']));
    }
    const of = (runs: Array<Record<string, number>>, key: string) => runs.map((r) => r[key]!);
    const perCpu = (runs: Array<Record<string, number>>) =>
      runs.map((r, i) => r.recordsPerCpuSecond! / bare[i]!.recordsPerCpuSecond!);
    console.log(
      `execution: bare loop (JSON.parse + split): ${formatSpread(of(bare, 'recordsPerCpuSecond'), fmt)} records per CPU-second, ` +
        `${formatSpread(of(bare, 'recordsPerSecond'), fmt)} records/s wall`,
    );
    for (const [label, runs] of [
      ['1 thread', one],
      [`default (${formatSpread(of(auto, 'threads'), String)} thread(s))`, auto],
    ] as const) {
      console.log(
        `execution: ${fmt(runs[0]!.records!)} captured records x 20 CSV features, ${label}: ` +
          `${formatSpread(of(runs, 'recordsPerCpuSecond'), fmt)} records per CPU-second = ` +
          `${formatSpread(perCpu(runs), fmtRatio)} x the bare loop's (same round; target >= 1.00); ` +
          `${formatSpread(of(runs, 'recordsPerSecond'), fmt)} records/s wall, ` +
          `${formatSpread(of(runs, 'mbPerSecond'), (x) => x.toFixed(0))} MB/s; ` +
          `peak RSS ${formatSpread(of(runs, 'peakRssMiB'), (x) => x.toFixed(0))} MiB (target < 300 MB)`,
      );
    }
    console.log(
      `execution: default vs 1 thread, wall time ratio (same round; < 1 = default faster): ` +
        `${formatSpread(
          auto.map((r, i) => r.seconds! / one[i]!.seconds!),
          fmtRatio,
        )}; CPU time ratio ${formatSpread(
          auto.map((r, i) => r.cpuSeconds! / one[i]!.cpuSeconds!),
          fmtRatio,
        )}`,
    );
    console.log(`execution: ${machineLoad()} (after)`);
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
        : await childExecution(args[0]!, args[1]!, args[2]!, args[3]!, args[4] ?? 'default');
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = process.argv.slice(2).map(Number);
  await benchBaseline(rows.length > 0 ? rows : undefined);
  await benchExecution();
}
