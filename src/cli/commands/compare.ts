/**
 * `driftwatch compare --baseline-data <uri> --current-data <uri> [--format csv|jsonl|arrow|parquet] --json`:
 * prints `compareDatasets` (monitor/compare.ts), whose doc says what is compared and how.
 */
import { Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { createStorage } from '../../io/storage.js';
import { DRIFT_TEST_IDS, type DriftTestId, getDriftTest, isDriftTestId } from '../../metrics/drift/index.js';
import { type CompareResult, compareDatasets, DEFAULT_EXACT_LIMIT } from '../../monitor/compare.js';

function parseTests(text: string): DriftTestId[] {
  const ids = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!isDriftTestId(id)) {
      throw new ConfigError(`unknown drift test '${id}'; known tests: ${DRIFT_TEST_IDS.join(', ')}`, {
        field: '--tests',
      });
    }
  }
  return ids as DriftTestId[];
}

function parseNumber(flag: string, min: number, max: number) {
  return (text: string): number => {
    const v = Number(text);
    if (!Number.isFinite(v) || v < min || v > max)
      throw new ConfigError(`${flag} must be a number in [${min}, ${max}]`, { field: flag });
    return v;
  };
}

/**
 * The text table: one row per feature and test (the asked tests, else the default test), with a header,
 * the statistic, p-value and threshold; with `--tests` a `decision` row per feature; then the dataset line.
 */
function formatText(result: CompareResult, asked: readonly DriftTestId[] | undefined): string {
  const rows: string[][] = [['feature', 'type', 'test', 'statistic', 'p_value', 'threshold', 'result']];
  const verdict = (f: CompareResult['features'][string], drift: boolean) =>
    f.status === 'insufficient_data'
      ? 'too little data'
      : f.undecided
        ? `undecided: ${f.undecided}`
        : drift
          ? 'DRIFT'
          : 'ok';
  for (const [name, f] of Object.entries(result.features)) {
    const feature = JSON.stringify(name);
    const ids = asked ? asked.filter((id) => f.tests[id] || f.not_applicable[id]) : [f.default_test];
    for (const id of ids) {
      const t = f.tests[id];
      if (!t) {
        rows.push([feature, f.type, id, '', '', '', `not run: ${f.not_applicable[id] ?? 'not applicable'}`]);
        continue;
      }
      const result =
        f.status === 'insufficient_data'
          ? 'too little data'
          : t.undecided
            ? 'undecided'
            : t.drift
              ? 'DRIFT'
              : 'ok';
      rows.push([
        feature,
        f.type,
        id,
        fmt(t.statistic),
        t.p_value === null ? '-' : fmt(t.p_value),
        `${DRIFT_SCORE[id] === 'p_value' ? '≤' : '≥'} ${fmt(t.threshold)}`,
        asked ? result : verdict(f, f.drift),
      ]);
    }
    if (asked) rows.push([feature, f.type, `decision (${f.default_test})`, '', '', '', verdict(f, f.drift)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  const d = result.dataset;
  lines.push(
    `dataset: ${d.drifted_features}/${d.judged_features} features drifted (share ${fmt(d.share)}; drift when ≥ ${d.drift_share}) → ${d.drift ? 'DRIFT' : 'ok'}`,
  );
  return lines.join('\n');
}

/** Whether a test's score is its p-value (drift when ≤ threshold) or its statistic (≥). */
const DRIFT_SCORE = Object.fromEntries(
  DRIFT_TEST_IDS.map((id) => [id, getDriftTest(id).score === 'p_value' ? 'p_value' : 'statistic']),
) as Record<DriftTestId, 'p_value' | 'statistic'>;

function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v);
}

export function register(program: Command): void {
  program.addCommand(
    new Command('compare')
      .description('run every applicable drift test on every feature of two datasets')
      .requiredOption('--baseline-data <uri>', 'baseline dataset (file, prefix or s3:// URI)')
      .requiredOption('--current-data <uri>', 'current dataset (file, prefix or s3:// URI)')
      .addOption(
        new Option('--format <format>', 'dataset format (default: from the file names)').choices([
          'csv',
          'jsonl',
          'arrow',
          'parquet',
        ]),
      )
      .option('--no-header', 'CSV files have no header row (columns are named _c0, _c1, ...)')
      .option(
        '--tests <ids>',
        `comma-separated tests to run (default: all applicable): ${DRIFT_TEST_IDS.join(', ')}`,
        parseTests,
      )
      .addOption(
        new Option('--correction <method>', 'multiple-testing correction of p-values across features')
          .choices(['none', 'bonferroni', 'benjamini-hochberg'])
          .default('none'),
      )
      .option(
        '--drift-share <share>',
        'dataset drift when at least this share of features drift',
        parseNumber('--drift-share', 0, 1),
        0.5,
      )
      .option(
        '--min-sample-size <n>',
        'fewer values than this in either dataset: too little data to judge',
        parseNumber('--min-sample-size', 1, Number.MAX_SAFE_INTEGER),
        30,
      )
      .option(
        '--exact-limit <n>',
        'exact values kept per column before switching to a KLL sketch',
        parseNumber('--exact-limit', 1, 1e8),
        DEFAULT_EXACT_LIMIT,
      )
      .addOption(
        new Option(
          '--threshold-mode <mode>',
          'fixed thresholds, or calibrated on the baseline (numeric default tests)',
        )
          .choices(['fixed', 'calibrated'])
          .default('fixed'),
      )
      .option(
        '--alarm-rate <rate>',
        'calibrated mode: target false-alarm rate',
        parseNumber('--alarm-rate', 1e-6, 0.5),
        0.05,
      )
      .option('--json', 'print the result as JSON')
      .action(async (opts) => {
        const storage = createStorage();
        try {
          const result = await compareDatasets(
            {
              baselineData: opts.baselineData,
              currentData: opts.currentData,
              format: opts.format,
              header: opts.header,
              tests: opts.tests,
              correction: opts.correction,
              driftShare: opts.driftShare,
              minSampleSize: opts.minSampleSize,
              exactLimit: Math.floor(opts.exactLimit),
              thresholdMode: opts.thresholdMode,
              alarmRate: opts.alarmRate,
            },
            storage,
          );
          process.stdout.write(`${opts.json ? JSON.stringify(result) : formatText(result, opts.tests)}\n`);
        } finally {
          storage.destroy();
        }
      }),
  );
}
