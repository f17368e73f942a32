import { type Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { DRIFT_MODES } from '../../metrics/drift/types.js';
import { runExecution } from '../../monitor/data-quality.js';
import type { DataQualityJob, DataQualitySummary } from '../../monitor/types.js';
import { piiModes } from '../../security/pii-modes.js';
import {
  addRerunOptions,
  addWindowOptions,
  jobBaseFromFlags,
  printExecutionSummary,
  runFromCli,
} from '../execution-flags.js';

export function printSummary(summary: DataQualitySummary, json: boolean | undefined): void {
  printExecutionSummary(
    summary,
    json,
    [],
    [
      `  records   ${summary.recordsRead} read, ${summary.rowsProfiled} rows profiled, ${summary.issues.total} input problems`,
      `  drifted   ${summary.driftedFeatures.length > 0 ? summary.driftedFeatures.join(', ') : '(none)'}`,
    ],
  );
}

export function register(program: Command): void {
  const command = addWindowOptions(
    program
      .command('run')
      .description('Run one data-quality monitoring execution over a window of captured traffic')
      .requiredOption('--baseline <uri-prefix>', 'prefix holding statistics.json and constraints.json'),
  )
    .option('--endpoint <name>', 'endpoint name (default: the last segment of --capture)')
    .option('--variant <name>', 'variant folder (default: every variant)')
    .option('--schedule <name>', 'monitoring schedule name', 'driftwatch-run')
    .option('--preprocessor <path>', 'record preprocessor module (JavaScript, exporting preprocess)')
    .option('--preprocessor-sha256 <hex>', "the preprocessor module's SHA-256 (required for an s3:// module)")
    .addOption(
      new Option('--output-columns-position <pos>', 'where CSV outputs go in a row')
        .choices(['START', 'END'])
        .default('START'),
    )
    .option(
      '--threads <n>',
      'worker threads for profiling (default 1; more can shorten a large window on idle cores, see the README)',
      (v) => {
        const n = Number.parseInt(v, 10);
        if (!(n >= 1))
          throw new ConfigError(`expected a whole number >= 1, got ${JSON.stringify(v)}`, {
            field: '--threads',
          });
        return n;
      },
    )
    .addOption(
      new Option(
        '--drift-mode <mode>',
        "how baseline drift is decided, in place of the baseline constraints.json's switch: sagemaker (SageMaker's rule) or calibrated (needs a baseline built with --drift-mode calibrated); default: as the baseline says",
      ).choices(DRIFT_MODES),
    )
    .option('--cloudwatch', 'publish the metrics to CloudWatch')
    .option(
      '--sse-kms-key-id <key>',
      'encrypt every object written with SSE-KMS under this key (id, ARN, alias)',
    )
    .addOption(
      new Option('--pii <mode>', 'sensitive values in the reports: redact (hash or leave out) or warn')
        .choices(piiModes)
        .default('redact'),
    )
    .option('--json', 'print the execution summary as JSON on the last stdout line');
  addRerunOptions(command).action(async (options) => {
    const job: DataQualityJob = {
      ...jobBaseFromFlags(options),
      preprocessorUri: options.preprocessor,
      preprocessorSha256: options.preprocessorSha256,
      outputColumnsPosition: options.outputColumnsPosition,
      pii: options.pii,
      ...(options.driftMode ? { driftMode: options.driftMode } : {}),
    };
    await runFromCli(
      'run',
      job,
      (deps) => runExecution(job, { ...deps, threads: options.threads }),
      (summary) => printSummary(summary, options.json),
      options.failOnViolations,
    );
  });
}
