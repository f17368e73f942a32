/**
 * `npm run bench`: every benchmark, one after another, printing figures (no pass/fail).
 * `npm run bench -- --only baseline,execution` runs a subset; `--quick` uses smaller sizes.
 */
import { benchBiasExecution } from './bias-execution.js';
import { benchCalibrated } from './calibrated.js';
import { benchCapture } from './capture.js';
import { benchCrash } from './crash.js';
import { benchReaders } from './datasets.js';
import { benchDrift } from './drift.js';
import { benchBaseline, benchExecution, benchExecutionCalibrated } from './main-job.js';
import { benchQuality } from './quality.js';
import { benchReport } from './report.js';
import { benchSensitive } from './sensitive.js';
import { machineCpu } from './spread.js';
import { benchStartup } from './startup.js';
import { benchScaleOut } from './worker.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg
  ? (onlyArg.includes('=') ? onlyArg.split('=')[1]! : (args[args.indexOf(onlyArg) + 1] ?? '')).split(',')
  : undefined;

const benches: Array<[string, () => Promise<void>]> = [
  ['startup', () => benchStartup(quick ? 3 : 7)],
  ['baseline', () => benchBaseline(quick ? [200_000] : [1_000_000, 5_000_000], quick ? 1 : 3)],
  ['execution', () => benchExecution(quick ? 200_000 : 1_000_000, quick ? 1 : 3)],
  ['execution-calibrated', () => benchExecutionCalibrated(quick ? 200_000 : 1_000_000, quick ? 1 : 5)],
  ['readers', () => benchReaders(quick ? 200_000 : 1_000_000, 20)],
  ['capture', () => benchCapture(quick ? 50_000 : 200_000, 20)],
  ['quality', () => benchQuality(quick ? 50_000 : 200_000, 24)],
  ['bias', () => benchBiasExecution(quick ? 100_000 : 1_000_000, 4, quick ? 1 : 2)],
  ['scale-out', () => benchScaleOut(quick ? 200_000 : 600_000)],
  ['crash', () => benchCrash(quick ? 4 : 12, quick ? 5_000 : 200_000)],
  ['drift', () => benchDrift(quick)],
  ['calibrated', () => benchCalibrated(quick)],
  ['report', () => benchReport(quick ? 200 : 1000, 50)],
  ['sensitive', () => benchSensitive(quick ? 500 : 2000, quick ? 200_000 : 1_000_000)],
];

console.log(`driftwatch bench on node ${process.version}, ${machineCpu()}, ${new Date().toISOString()}`);
for (const [name, run] of benches) {
  if (only && !only.includes(name)) continue;
  const started = Date.now();
  console.log(`\n== ${name}`);
  await run();
  console.log(`(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
