/** `driftwatch baseline`: training data → statistics.json + constraints.json. */
import { type Command, Option } from 'commander';
import { buildBaseline } from '../../baseline/build.js';
import type { SageMakerType } from '../../baseline/statistics.js';
import { ConfigError } from '../../core/errors.js';
import { IssueLog } from '../../core/issues.js';
import { createStorage } from '../../io/storage.js';
import { findingsTable } from '../../security/findings-table.js';
import { redactIssues } from '../../security/pii.js';
import { piiModes } from '../../security/pii-modes.js';
import { type BaselineCommandOptions, runBaselineAnalysis } from '../baselines/index.js';
import { progressReporter } from '../progress.js';

const TYPES = ['Integral', 'Fractional', 'String', 'Unknown'] as const;

function collectTypes(value: string, previous: Map<string, SageMakerType>): Map<string, SageMakerType> {
  const cut = value.lastIndexOf('=');
  const type = value.slice(cut + 1) as SageMakerType;
  if (cut <= 0 || !TYPES.includes(type)) {
    throw new ConfigError(`expected <column>=<${TYPES.join('|')}>, got ${JSON.stringify(value)}`, {
      field: '--type',
    });
  }
  return new Map(previous).set(value.slice(0, cut), type);
}

function parseRate(value: string): number {
  const x = Number(value);
  if (!(x > 0 && x < 1))
    throw new ConfigError(`expected a rate between 0 and 1, got ${JSON.stringify(value)}`, {
      field: '--alarm-rate',
    });
  return x;
}

function parseRows(value: string): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x < 100) {
    throw new ConfigError(`expected a whole number of rows of at least 100, got ${JSON.stringify(value)}`, {
      field: '--calibration-sample',
    });
  }
  return x;
}

export function register(program: Command): void {
  program
    .command('baseline')
    .description('Build a baseline (statistics.json and constraints.json) from a training dataset')
    .option(
      '--dataset <uri>',
      'training dataset (attribution: local attributions table): a file, a folder of part files, or s3:// URI',
    )
    .requiredOption('--out <uri-prefix>', 'where to write statistics.json and constraints.json')
    .addOption(
      new Option('--format <format>', 'dataset format (default: from the file extension)').choices([
        'csv',
        'jsonl',
        'arrow',
        'parquet',
      ]),
    )
    .option('--no-header', 'CSV without a header row (columns are named _c0, _c1, ...)')
    .addOption(
      new Option('--analysis <type>', 'what to baseline')
        .choices(['data-quality', 'model-quality', 'bias', 'attribution'])
        .default('data-quality'),
    )
    // Model quality (cli/baselines/model-quality.ts):
    .addOption(
      new Option('--problem-type <type>', 'model quality: the problem type').choices([
        'Regression',
        'BinaryClassification',
        'MulticlassClassification',
      ]),
    )
    .option('--ground-truth-attribute <column>', 'model quality: the label column (name, or 0-based index)')
    .option(
      '--expected-window-size <records>',
      "model quality: thresholds with a margin for windows of this many records, breached by a healthy window with probability --alarm-rate (default: SageMaker's rule, threshold = baseline value)",
    )
    .option('--inference-attribute <column>', 'model quality: the prediction column')
    .option(
      '--probability-attribute <column>',
      'model quality: the positive-label probability column (binary)',
    )
    .option(
      '--probability-threshold-attribute <number>',
      'model quality: probability cut-off (binary)',
      '0.5',
    )
    .option('--positive-label <label>', 'model quality: the positive label (binary)', '1')
    .option('--negative-label <label>', 'model quality: the negative label (binary)', '0')
    .option(
      '--type <column=Type...>',
      'force a column type (Integral, Fractional, String, Unknown) instead of inferring it',
      collectTypes,
      new Map(),
    )
    .addOption(
      new Option(
        '--pii <mode>',
        'sensitive values in the training data: fail (refuse), redact (hash or leave out their values), warn',
      )
        .choices(piiModes)
        .default('redact'),
    )
    .addOption(
      new Option(
        '--drift-mode <mode>',
        "data quality: sagemaker (SageMaker's L-infinity rule) or calibrated (per-feature thresholds learned from this data over window sizes 10^2..10^6, in driftwatch_calibration.json)",
      )
        .choices(['sagemaker', 'calibrated'])
        .default('sagemaker'),
    )
    .option(
      '--alarm-rate <rate>',
      'calibrated drift, or model quality with --expected-window-size: false-alarm rate per feature (metric) and window on healthy data',
      parseRate,
      0.05,
    )
    .option(
      '--calibration-sample <rows>',
      'calibrated drift: rows kept per column for the resampling (arrival order, evenly spread)',
      parseRows,
      200_000,
    )
    .option(
      '--sse-kms-key-id <key>',
      'encrypt the baseline files with SSE-KMS under this key (id, ARN, alias)',
    )
    // Clarify (cli/baselines/clarify.ts):
    .option('--analysis-config <uri>', 'bias: the Clarify analysis_config.json (label, facet, ...)')
    .option('--predicted-label <column>', 'bias: the predicted-label column (default: the config)')
    .option('--from-analysis <uri>', 'attribution: take a SageMaker explainability analysis.json as it is')
    .option('--agg-method <method>', 'attribution: mean_abs (default), median or mean_sq')
    .option('--label-key <key>', 'attribution: kernel_shap label key (default label0)')
    .option('--expected-value <number>', 'attribution: expected (base) value to record')
    .option('--json', 'print the result as JSON on the last stdout line')
    .action(async (options: BaselineCommandOptions) => {
      if (!options.dataset && !(options.analysis === 'attribution' && options.fromAnalysis)) {
        throw new ConfigError('--dataset <uri> is required', { field: '--dataset' });
      }
      if (options.analysis !== 'data-quality') {
        await runBaselineAnalysis(options.analysis, options);
        return;
      }
      const storage = createStorage({ sseKmsKeyId: options.sseKmsKeyId as string | undefined });
      const issues = new IssueLog();
      const progress = progressReporter('rows');
      try {
        const started = Date.now();
        const result = await buildBaseline(storage, {
          dataset: options.dataset,
          out: options.out,
          format: options.format,
          header: options.header,
          typeOverrides: options.type as Map<string, SageMakerType>,
          pii: options.pii,
          driftMode: options.driftMode as 'sagemaker' | 'calibrated',
          calibration: {
            alarmRate: options.alarmRate as number,
            sampleCap: options.calibrationSample as number,
          },
          issues,
          onProgress: (p) => progress.update(p.rowsRead, p.bytesRead),
        });
        progress.done(result.rows, result.bytesRead);
        for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
        const issuesJson = options.pii === 'warn' ? issues.toJSON() : redactIssues(issues.toJSON());
        if (issues.total > 0) {
          process.stderr.write(
            `warning: ${issues.total} input problems: ${JSON.stringify(issues.toJSON().counts)}\n`,
          );
          for (const s of issuesJson.samples.slice(0, 5)) {
            process.stderr.write(
              `  ${s.kind} at ${s.source}${s.line ? `:${s.line}` : ''}${s.column ? ` column ${JSON.stringify(s.column)}` : ''}: ${s.message}\n`,
            );
          }
        }
        const summary = {
          statistics: result.statisticsUri,
          constraints: result.constraintsUri,
          ...(result.calibrationUri
            ? {
                calibration: result.calibrationUri,
                calibrated_features: result.calibration?.features.length ?? 0,
                not_calibrated: result.calibration?.not_calibrated ?? [],
              }
            : {}),
          rows: result.rows,
          features: result.statistics.features.map((f) => ({ name: f.name, inferred_type: f.inferred_type })),
          warnings: result.warnings,
          sensitive: {
            mode: options.pii,
            file: result.sensitiveUri,
            hashed: result.sensitive.hashed?.columns ?? [],
            columns: result.findings,
          },
          issues: issuesJson,
          seconds: (Date.now() - started) / 1000,
        };
        if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else {
          process.stdout.write(
            `Baseline of ${result.rows} rows and ${summary.features.length} features written:\n  ${result.statisticsUri}\n  ${result.constraintsUri}\n  ${result.sensitiveUri}\n${result.calibrationUri ? `  ${result.calibrationUri} (${result.calibration?.features.length ?? 0} features calibrated at alarm rate ${result.calibration?.alarm_rate})\n` : ''}`,
          );
          if (result.findings.length > 0) {
            const what =
              options.pii === 'warn'
                ? 'kept as they are (--pii warn)'
                : 'their values hashed or left out of the reports (--pii redact)';
            process.stdout.write(`Sensitive values found, ${what}:\n${findingsTable(result.findings)}`);
          }
          for (const f of result.calibration?.not_calibrated ?? [])
            process.stderr.write(`warning: feature ${JSON.stringify(f.name)} not calibrated: ${f.reason}\n`);
        }
      } finally {
        storage.destroy();
      }
    });
}
