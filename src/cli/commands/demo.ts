/**
 * `driftwatch demo` (`npm run demo`): the main job end to end on local files, with no Redis and no AWS.
 * Generates a training set and a day of captured traffic where drift starts mid-day, builds the baseline,
 * runs the 24 hourly executions inline and prints a table of the results.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildBaseline } from '../../baseline/build.js';
import { loadMonitorsConfig } from '../../config/monitors.js';
import { ConfigError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { parseIsoTime } from '../../core/time.js';
import { exportDashboard } from '../../dashboard/export.js';
import { writeCaptureHours, writeTrainingCsv } from '../../demo/traffic.js';
import { createStorage, joinUri } from '../../io/storage.js';
import { runExecution } from '../../monitor/data-quality.js';
import type { DataQualitySummary } from '../../monitor/types.js';

export interface DemoOptions {
  dir: string;
  day: string;
  driftHour: number;
  recordsPerHour: number;
  trainingRows: number;
}

/** The file that marks a folder as the demo's own: only such a folder is emptied by a new demo. */
export const DEMO_MARKER = '.driftwatch-demo';

/**
 * Makes `dir` an empty demo folder. A folder that exists and is not empty is refused unless it holds
 * `DEMO_MARKER` (written by an earlier demo): `--dir .` must never wipe a project.
 */
export async function prepareDemoDir(dir: string): Promise<void> {
  let entries: string[] | undefined;
  try {
    entries = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new ConfigError(`${dir} exists and is not a folder`, { field: '--dir' });
    if (code !== 'ENOENT') throw error;
  }
  if (entries && entries.length > 0) {
    if (!entries.includes(DEMO_MARKER))
      throw new ConfigError(
        `${dir} is not empty and was not made by the demo (no ${DEMO_MARKER} in it): give an empty or new folder`,
        { field: '--dir' },
      );
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, DEMO_MARKER),
    'Made by `driftwatch demo`: a new demo with this --dir deletes this folder and writes it again.\n',
  );
}

export async function runDemo(
  options: DemoOptions,
  out: (line: string) => void,
): Promise<DataQualitySummary[]> {
  const dir = resolve(options.dir);
  await prepareDemoDir(dir);
  const storage = createStorage();
  const started = Date.now();
  const day = parseIsoTime(options.day, '--day');
  const driftFrom = new Date(day.getTime() + options.driftHour * 3_600_000);

  out(
    `Generating ${options.trainingRows} training rows and 24 hours x ${options.recordsPerHour} captured records in ${dir}`,
  );
  out(`(drift starts at ${driftFrom.toISOString()}: income and basket_value shift up, plan moves to gold)`);
  await writeTrainingCsv(storage, joinUri(dir, 'training', 'train.csv'), options.trainingRows);
  await writeCaptureHours(storage, {
    captureUri: joinUri(dir, 'datacapture'),
    endpoint: 'churn-endpoint',
    start: day,
    hours: 24,
    recordsPerHour: options.recordsPerHour,
    driftFrom,
    drift: {
      numericShift: { income: 0.7, basket_value: 0.8 },
      categorical: { plan: { basic: 0.3, silver: 0.3, gold: 0.4 } },
    },
  });
  const baseline = await buildBaseline(storage, {
    dataset: joinUri(dir, 'training', 'train.csv'),
    out: joinUri(dir, 'baseline'),
  });
  out(
    `Baseline: ${baseline.rows} rows, ${baseline.statistics.features.length} features -> ${joinUri(dir, 'baseline')}`,
  );
  out('');
  out('hour (UTC)         status                   records  drifted features');
  const summaries: DataQualitySummary[] = [];
  for (let h = 0; h < 24; h++) {
    const start = new Date(day.getTime() + h * 3_600_000);
    const end = new Date(start.getTime() + 3_600_000);
    const summary = await runExecution(
      {
        monitorName: 'churn-data-quality',
        endpoint: 'churn-endpoint',
        captureUri: joinUri(dir, 'datacapture'),
        baselineUri: joinUri(dir, 'baseline'),
        outputUri: joinUri(dir, 'reports'),
        scheduleName: 'churn-data-quality',
        windowStart: start.toISOString(),
        windowEnd: end.toISOString(),
        scheduledTime: end.toISOString(),
        cloudwatch: false,
      },
      { storage, logger: silentLogger },
    );
    summaries.push(summary);
    const hour = start.toISOString().slice(0, 16).replace('T', ' ');
    out(
      `${hour}   ${summary.status.padEnd(24)} ${String(summary.recordsRead).padStart(7)}  ${summary.driftedFeatures.join(', ') || '-'}`,
    );
  }
  out('');
  out(
    `Reports (statistics.json, constraint_violations.json, execution.json per hour): ${joinUri(dir, 'reports', 'churn-endpoint', 'churn-data-quality')}/yyyy/mm/dd/hh/`,
  );
  // The static dashboard over the day (the same pages `driftwatch dashboard --config` serves).
  const configPath = joinUri(dir, 'monitors.yaml');
  await storage.write(
    configPath,
    `# The demo's monitor: driftwatch dashboard --config ${configPath}\nmonitors:\n  - name: churn-data-quality\n    endpoint: churn-endpoint\n    capture: ${JSON.stringify(joinUri(dir, 'datacapture'))}\n    baseline: ${JSON.stringify(joinUri(dir, 'baseline'))}\n    output: ${JSON.stringify(joinUri(dir, 'reports'))}\n    schedule: cron(0 * ? * * *)\n`,
  );
  const exported = await exportDashboard(
    storage,
    await loadMonitorsConfig(configPath),
    joinUri(dir, 'dashboard'),
  );
  const drifted = summaries.find((s) => s.driftedFeatures.length > 0);
  const hour = drifted?.reportUri.match(/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/$/)?.slice(1);
  out(`Dashboard (${exported.pages} pages, ${exported.reports} reports): ${exported.index}`);
  if (hour)
    out(
      `Report of the first drifted hour: ${joinUri(dir, 'dashboard', 'm', 'churn-data-quality', ...hour, 'report.html')}`,
    );
  out(`Serve it: driftwatch dashboard --config ${configPath}`);
  out(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  storage.destroy();
  return summaries;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the main job end to end on generated local data (no Redis, no AWS)')
    .option(
      '--dir <path>',
      `where to write the data and reports (a new or empty folder, or one an earlier demo made: it holds ${DEMO_MARKER})`,
      'demo-output',
    )
    .option('--day <yyyy-mm-dd>', 'the day of traffic to generate', '2026-01-15')
    .option('--drift-hour <h>', 'hour (UTC) at which drift starts', (v) => Number.parseInt(v, 10), 12)
    .option('--records-per-hour <n>', 'captured records per hour', (v) => Number.parseInt(v, 10), 2000)
    .option('--training-rows <n>', 'rows in the training set', (v) => Number.parseInt(v, 10), 50_000)
    .action(async (options: DemoOptions) => {
      await runDemo(options, (line) => process.stdout.write(`${line}\n`));
    });
}
