/**
 * Start-up benchmark (issue 15: `driftwatch --help` and `--version` under 0.25 s and 60 MiB): the built CLI
 * run as a user runs it, several times, interleaved with a bare `node -e 0` as the yardstick. Wall time is
 * measured around the child; CPU time and peak RSS are the child's own (`process.resourceUsage()` at its
 * exit, printed by a one-line `--import` hook).
 *
 * Run alone: `npm run build && node dist/bench/startup.js [runs]`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatSpread, machineLoad } from './spread.js';

const cli = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'cli', 'main.js');
const MiB = 2 ** 20;
const USAGE_HOOK =
  'data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();' +
  'process.stderr.write("\\nUSAGE "+JSON.stringify({cpu:(u.userCPUTime+u.systemCPUTime)/1e6,rss:u.maxRSS*1024})+"\\n")})';

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
    const of = (key: keyof StartupRun) => results[i]!.map((x) => x[key]);
    console.log(
      `startup: ${label}: ${formatSpread(of('seconds'), (x) => x.toFixed(3))} s wall, ` +
        `${formatSpread(of('cpuSeconds'), (x) => x.toFixed(3))} s CPU, ` +
        `peak RSS ${formatSpread(of('rssMiB'), (x) => x.toFixed(0))} MiB${note}`,
    );
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchStartup(Number(process.argv[2] ?? 7));
}
