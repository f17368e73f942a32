/**
 * Scale-out benchmark: one large capture window, run by `driftwatch worker` processes (the built CLI,
 * `dist/src/cli/main.js`) on a real Redis: 1 worker process vs 2 worker processes, with the same config
 * (the window split into `maxParts` parts, merged by the parent). The single-process execution without a
 * split is printed as the reference. Times run from enqueueing the execution to its completion (worker
 * start-up excluded).
 *
 * Redis: `REDIS_URL`, else a `redis-server` started on a free port for the run.
 * Run alone: `npm run build && node dist/bench/worker.js [records] [maxParts]`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Queue } from 'bullmq';
import YAML from 'yaml';
import { buildBaseline } from '../src/baseline/build.js';
import { parseMonitorsConfig } from '../src/config/monitors.js';
import { RoutingStorage } from '../src/io/storage.js';
import type { ExecutionResult } from '../src/jobs/payloads.js';
import { closeQueue, enqueueExecution, openQueue } from '../src/jobs/queue.js';
import { startRedis } from '../tests/support/services.js';
import { generateCaptureFiles } from './capture.js';
import { generateCsv } from './datasets.js';

const cli = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'cli', 'main.js');

/** Starts `count` worker processes and resolves once every one is taking jobs. */
async function startWorkers(
  count: number,
  config: string,
  redisUrl: string,
  extraArgs: string[] = [],
): Promise<ChildProcess[]> {
  const workers: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, [cli, 'worker', '--config', config, ...extraArgs], {
      env: { ...process.env, REDIS_URL: redisUrl, DRIFTWATCH_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    workers.push(child);
    ready.push(
      new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`worker exited with code ${code} before starting`)));
        createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
          if (line.includes('"msg":"worker started"')) resolve();
        });
      }),
    );
  }
  await Promise.all(ready);
  return workers;
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.exitCode !== null) return;
      const exited = new Promise((r) => w.once('exit', r));
      w.kill('SIGTERM');
      await exited;
    }),
  );
}

async function waitForCompletion(queue: Queue, id: string): Promise<ExecutionResult> {
  for (;;) {
    // The job is read once its state is final: one read before keeps its old (empty) return value.
    const state = await queue.getJobState(id);
    if (state === 'completed') return (await queue.getJob(id))?.returnvalue as ExecutionResult;
    if (state === 'failed') throw new Error(`execution failed: ${(await queue.getJob(id))?.failedReason}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function benchScaleOut(records = 600_000, maxParts = 4): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-bench-worker-'));
  const ownRedis = process.env.REDIS_URL ? undefined : await startRedis();
  const redisUrl = process.env.REDIS_URL ?? (ownRedis?.url as string);
  try {
    const features = 20;
    const files = 24;
    const windowStart = new Date('2024-05-02T07:00:00Z');
    const scheduledTime = new Date('2024-05-02T08:00:00Z');
    let started = Date.now();
    await generateCsv(join(dir, 'train.csv'), 20_000, features + 1);
    await buildBaseline(new RoutingStorage(), {
      dataset: join(dir, 'train.csv'),
      out: join(dir, 'baseline'),
    });
    await generateCaptureFiles(join(dir, 'capture'), records, features, windowStart, {
      endpoint: 'ep',
      recordsPerFile: Math.ceil(records / files),
      minutesPerFile: 60 / files,
    });
    console.log(
      `window: ${records} capture records, ${features} features, ${files} files; ${cpus().length} cores; ` +
        `data generated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    // One profiling thread per job is the worker's default; `--threads 2` is shown for comparison.
    const runs: Array<{ label: string; workers: number; split: boolean; threads?: number }> = [
      { label: '1 worker, no split, 1 thread', workers: 1, split: false, threads: 1 },
      { label: '1 worker, no split, 2 threads', workers: 1, split: false, threads: 2 },
      { label: `1 worker, ${maxParts} parts, 1 thread`, workers: 1, split: true, threads: 1 },
      { label: `2 workers, ${maxParts} parts, 1 thread`, workers: 2, split: true, threads: 1 },
    ];
    const seconds: number[] = [];
    for (const run of runs) {
      const id = randomUUID().slice(0, 8);
      const queueSettings = { name: `bench-${id}`, prefix: `dwbench-${id}` };
      const document = {
        queue: queueSettings,
        monitors: [
          {
            name: 'bench',
            endpoint: 'ep',
            capture: join(dir, 'capture'),
            baseline: join(dir, 'baseline'),
            output: join(dir, `out-${id}`),
            schedule: 'cron(0 * ? * * *)',
            splitThreshold: run.split ? 1 : 1_000_000,
            maxParts,
          },
        ],
      };
      const configPath = join(dir, `monitors-${id}.yaml`);
      await mkdir(dir, { recursive: true });
      await writeFile(configPath, YAML.stringify(document));
      const monitor = parseMonitorsConfig(document, configPath).monitors[0];
      if (!monitor) throw new Error('no monitor');
      const queue = openQueue({ redis: redisUrl, queue: queueSettings });
      const workers = await startWorkers(
        run.workers,
        configPath,
        redisUrl,
        run.threads ? ['--threads', String(run.threads)] : [],
      );
      try {
        started = Date.now();
        const { id: jobId } = await enqueueExecution(queue, monitor, scheduledTime, 'manual');
        const result = await waitForCompletion(queue, jobId);
        const s = (Date.now() - started) / 1000;
        seconds.push(s);
        console.log(
          `${run.label.padEnd(36)} ${s.toFixed(2).padStart(7)} s  ${Math.round(result.recordsRead / s)
            .toString()
            .padStart(8)} records/s  (${result.status}, ${result.parts} parts)`,
        );
      } finally {
        await stopWorkers(workers);
        await queue.obliterate({ force: true }).catch(() => {});
        await closeQueue(queue);
      }
    }
    const [single, threaded, one, two] = seconds as [number, number, number, number];
    console.log(`threads speed-up, 1 worker, 2 threads vs 1: ${(single / threaded).toFixed(2)}x`);
    console.log(`scale-out speed-up, 2 workers vs 1 (same split, 1 thread each): ${(one / two).toFixed(2)}x`);
  } finally {
    await ownRedis?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchScaleOut(Number(process.argv[2] ?? 600_000), Number(process.argv[3] ?? 4));
}
