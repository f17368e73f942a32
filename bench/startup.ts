/**
 * Start-up benchmark (issue 15: `driftwatch --help` and `--version` under 0.25 s and 60 MiB): the built CLI
 * run as a user runs it, several times, interleaved with a bare `node -e 0` as the yardstick. Wall time is
 * measured around the child; CPU time and peak RSS are the child's own (`process.resourceUsage()` at its
 * exit, printed by a one-line `--import` hook).
 *
 * Also a worker's start-up (issue 19: a replacement worker takes its dead predecessor's jobs sooner when it
 * starts sooner): `driftwatch worker --config <file> --worker-id <id>` on a local redis-server, as the
 * crash bench starts its workers, measured from the spawn to its 'worker started' log line (connected,
 * its predecessor's jobs claimed, taking jobs). A second `--import` hook sees that line as the logger
 * writes it, prints the process's CPU time and module count at that moment, and exits.
 *
 * Run alone: `npm run build && node dist/bench/startup.js [runs]`; only the worker's start-up:
 * `node dist/bench/startup.js [runs] --worker-only`, and against another build of the CLI (interleaved, as
 * `B`): `--worker-only --against <other>/dist/src/cli/main.js`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { type RunningService, startRedis } from '../tests/support/services.js';
import { formatSpread, machineLoad } from './spread.js';

const cli = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'cli', 'main.js');
const MiB = 2 ** 20;
const USAGE_HOOK =
  'data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();' +
  'process.stderr.write("\\nUSAGE "+JSON.stringify({cpu:(u.userCPUTime+u.systemCPUTime)/1e6,rss:u.maxRSS*1024})+"\\n")})';
/**
 * Preloaded into a worker: when the 'worker started' line is first written to fd 2 (pino writes through
 * `fs.write`/`fs.writeSync`), prints `STARTED {cpu, rss}` and exits.
 */
const STARTED_HOOK = `data:text/javascript,${encodeURIComponent(`
import fs from 'node:fs';
const { write, writeSync } = fs;
let seen = false;
const look = (fd, data) => {
  if (seen || fd !== 2 || !String(data).includes('"msg":"worker started"')) return;
  seen = true;
  const u = process.resourceUsage();
  writeSync.call(fs, 2, '\\nSTARTED ' + JSON.stringify({ cpu: (u.userCPUTime + u.systemCPUTime) / 1e6,
    rss: u.maxRSS * 1024 }) + '\\n');
  setImmediate(() => process.exit(0));
};
fs.writeSync = function (fd, data, ...rest) { look(fd, data); return writeSync.call(this, fd, data, ...rest); };
fs.write = function (fd, data, ...rest) { look(fd, data); return write.call(this, fd, data, ...rest); };
`)}`;

interface StartupRun {
  seconds: number;
  cpuSeconds: number;
  rssMiB: number;
}

function runOnce(args: string[]): StartupRun {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--import', USAGE_HOOK, ...args], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const line = child.stderr.split('\n').find((l) => l.startsWith('USAGE '));
  if (child.status !== 0 || !line) throw new Error(`${args.join(' ')} failed: ${child.stderr}`);
  const usage = JSON.parse(line.slice(6)) as { cpu: number; rss: number };
  return { seconds, cpuSeconds: usage.cpu, rssMiB: usage.rss / MiB };
}

/** One `driftwatch worker` from spawn to its 'worker started' (wall around the child, CPU its own). */
async function workerStartOnce(main: string, args: string[], env: NodeJS.ProcessEnv): Promise<StartupRun> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--import', STARTED_HOOK, main, 'worker', ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  const usage = await new Promise<{ cpu: number; rss: number } | undefined>((resolve) => {
    let found: { cpu: number; rss: number } | undefined;
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr.push(line);
      if (line.startsWith('STARTED ')) found = JSON.parse(line.slice(8));
    });
    child.once('close', () => resolve(found));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!usage) throw new Error(`driftwatch worker did not start: ${stderr.join('\n')}`);
  return { seconds, cpuSeconds: usage.cpu, rssMiB: usage.rss / MiB };
}

function printSpread(label: string, runs: readonly StartupRun[], note = ''): void {
  const of = (key: keyof StartupRun) => runs.map((x) => x[key]);
  console.log(
    `startup: ${label}: ${formatSpread(of('seconds'), (x) => x.toFixed(3))} s wall, ` +
      `${formatSpread(of('cpuSeconds'), (x) => x.toFixed(3))} s CPU, ` +
      `peak RSS ${formatSpread(of('rssMiB'), (x) => x.toFixed(0))} MiB${note}`,
  );
}

/**
 * `driftwatch worker` to 'worker started', as the crash bench starts one (a monitors config, a stable
 * worker id), interleaved with `node -e 0` (and with the CLI at `against`, another build, when given).
 */
export async function benchWorkerStartup(runs = 7, against?: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-bench-startup-'));
  let redis: RunningService | undefined;
  try {
    redis = await startRedis();
    const config = join(dir, 'monitors.yaml');
    await writeFile(
      config,
      YAML.stringify({
        queue: { name: 'startup', prefix: 'dwstartup' },
        monitors: [
          {
            name: 'startup',
            endpoint: 'ep',
            capture: join(dir, 'capture'),
            baseline: join(dir, 'baseline'),
            output: join(dir, 'out'),
            schedule: 'cron(0 * ? * * *)',
            cloudwatch: true,
            splitThreshold: 2,
            maxParts: 2,
          },
        ],
      }),
    );
    const args = [
      '--config',
      config,
      '--worker-id',
      'slot-0',
      '--lock-duration-ms',
      '5000',
      '--stalled-interval-ms',
      '2000',
      '--metrics-settle-ms',
      '5000',
    ];
    const env = { ...process.env, REDIS_URL: redis.url, DRIFTWATCH_LOG_LEVEL: 'info' };
    console.log(`startup: ${machineLoad()}; min / median / max of ${runs} interleaved runs`);
    const bare: StartupRun[] = [];
    const worker: StartupRun[] = [];
    const other: StartupRun[] = [];
    for (let r = 0; r < runs; r++) {
      bare.push(runOnce(['-e', '0']));
      worker.push(await workerStartOnce(cli, args, env));
      if (against) other.push(await workerStartOnce(against, args, env));
    }
    printSpread('node -e 0 (yardstick)', bare);
    printSpread("driftwatch worker to 'worker started'", worker);
    if (against) printSpread(`B: ${against} worker to 'worker started'`, other);
    console.log(`startup: ${machineLoad()} at the end`);
  } finally {
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchStartup(runs = 7): Promise<void> {
  const target = ' (target < 0.25 s, < 60 MiB)';
  const cases: Array<[string, string[], string]> = [
    ['node -e 0 (yardstick)', ['-e', '0'], ''],
    ['driftwatch --version', [cli, '--version'], target],
    ['driftwatch --help', [cli, '--help'], target],
    ['driftwatch run --help', [cli, 'run', '--help'], ''],
    ['driftwatch worker --help', [cli, 'worker', '--help'], ''],
  ];
  console.log(`startup: ${machineLoad()}; min / median / max of ${runs} interleaved runs`);
  const results = cases.map(() => [] as StartupRun[]);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < cases.length; i++) results[i]!.push(runOnce(cases[i]![1]));
  }
  cases.forEach(([label, , note], i) => {
    printSpread(label, results[i]!, note);
  });
  await benchWorkerStartup(runs);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.argv[2] ?? 7);
  const against = process.argv.indexOf('--against');
  if (process.argv.includes('--worker-only'))
    await benchWorkerStartup(runs, against > 0 ? process.argv[against + 1] : undefined);
  else await benchStartup(runs);
}
