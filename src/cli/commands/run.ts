/** `driftwatch run`: one data-quality monitoring execution over a window of captured traffic. */
import { hostname } from 'node:os';
import { type Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { checkPathSegment } from '../../core/names.js';
import { parseIsoTime, TIME_HELP } from '../../core/time.js';
import { parseUri } from '../../core/uri.js';
import { checkWindow } from '../../core/window.js';
import { createStorage } from '../../io/storage.js';
import { runExecution } from '../../monitor/data-quality.js';
import { describeStored } from '../../monitor/stored.js';
import type {
  DataQualityJob,
  ExecutionDeps,
  ExecutionJobBase,
  ExecutionSummary,
} from '../../monitor/types.js';
import { callerIdentityLookup } from '../../security/caller-identity.js';
import { piiModes } from '../../security/pii.js';
import { exitCodeOfStatus } from '../exit-codes.js';

/** A time flag (ISO 8601; without a zone: UTC, see core/time.ts) as an ISO string. */
export function parseTime(text: string, flag: string): string {
  return parseIsoTime(text, flag).toISOString();
}

/** `--endpoint` given: capture is the root. Not given: the capture URI's last segment is the endpoint. */
export function splitCaptureUri(
  capture: string,
  endpoint: string | undefined,
): { captureUri: string; endpoint: string } {
  if (endpoint) return { captureUri: capture, endpoint };
  const trimmed = capture.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  if (cut <= 0 || cut === trimmed.length - 1)
    throw new ConfigError('give --endpoint, or a capture URI that ends with the endpoint folder', {
      field: '--capture',
    });
  return { captureUri: trimmed.slice(0, cut), endpoint: trimmed.slice(cut + 1) };
}

/** The flags every one-off execution shares (`run`, `run-quality`). */
export interface ExecutionFlags {
  capture: string;
  endpoint?: string;
  variant?: string;
  baseline: string;
  out: string;
  schedule: string;
  start: string;
  end: string;
  cloudwatch?: boolean;
  sseKmsKeyId?: string;
  /** `--force`: recompute and replace a stored result. */
  force?: boolean;
  /** `--no-publish` sets it false: publish nothing, even with `--cloudwatch`. */
  publish?: boolean;
}

/**
 * The rerun flags of `run` and `run-quality` (what they do with a window's stored result: stored.ts).
 */
export function addRerunOptions(command: Command): Command {
  return command
    .option(
      '--force',
      'recompute the window even when a result is stored for it, replacing its report set (with --cloudwatch its metrics are published again: a datum published twice counts twice in CloudWatch)',
    )
    .option('--no-publish', 'publish no metrics, even with --cloudwatch (e.g. with --force)')
    .option(
      '--fail-on-violations',
      'exit with code 3 when the execution completes with violations (a CI gate; default: exit 0)',
    );
}

/** The line saying a summary is a stored, earlier result (empty when it was computed now). */
export function storedLines(summary: ExecutionSummary): string[] {
  const note = summary.storedResult;
  return note ? [`  stored    ${describeStored(note)}`] : [];
}

/** The job those flags describe; the window's end is also the scheduled time. */
export function jobBaseFromFlags(flags: ExecutionFlags): ExecutionJobBase {
  const { captureUri, endpoint } = splitCaptureUri(flags.capture, flags.endpoint);
  const start = parseTime(flags.start, '--start');
  const end = parseTime(flags.end, '--end');
  checkWindow(new Date(start), new Date(end), { fields: { start: '--start', end: '--end' } });
  checkPathSegment(flags.schedule, '--schedule');
  checkPathSegment(endpoint, flags.endpoint ? '--endpoint' : '--capture');
  if (flags.variant !== undefined) checkPathSegment(flags.variant, '--variant');
  for (const [field, uri] of [
    ['--capture', flags.capture],
    ['--baseline', flags.baseline],
    ['--out', flags.out],
  ] as const)
    parseUri(uri, field);
  return {
    monitorName: flags.schedule,
    endpoint,
    variant: flags.variant,
    captureUri,
    baselineUri: flags.baseline,
    outputUri: flags.out,
    scheduleName: flags.schedule,
    windowStart: start,
    windowEnd: end,
    scheduledTime: end,
    cloudwatch: Boolean(flags.cloudwatch) && flags.publish !== false,
    // A command line means these inputs: a stored result for others is an error, a stored failure is
    // computed again (late data), `--force` replaces any stored result.
    rerun: { force: Boolean(flags.force), onOtherInputs: 'error', recomputeFailed: true },
    ...(flags.sseKmsKeyId ? { sseKmsKeyId: flags.sseKmsKeyId } : {}),
  };
}

/**
 * Runs one execution of `command` (exit code 1 when it failed, 3 with violations and `--fail-on-violations`:
 * exit-codes.ts) with a storage and, when it publishes, a
 * CloudWatch client, both released afterwards.
 */
export async function runFromCli<S extends ExecutionSummary>(
  command: string,
  job: ExecutionJobBase,
  execute: (deps: ExecutionDeps) => Promise<S>,
  print: (summary: S) => void,
  failOnViolations?: boolean,
): Promise<void> {
  const storage = createStorage({ sseKmsKeyId: job.sseKmsKeyId });
  // The CloudWatch SDK is imported only when the execution publishes (issue 15: start-up).
  const cloudwatch = job.cloudwatch
    ? (await import('../../alerts/client.js')).createCloudWatchClient()
    : undefined;
  try {
    const summary = await execute({
      storage,
      cloudwatch,
      logger: createLogger({ level: 'warn' }),
      attempt: `driftwatch ${command} on ${hostname()} pid ${process.pid}`,
      callerIdentity: callerIdentityLookup(),
    });
    print(summary);
    const notPublished = summary.metricsNotPublished;
    if (notPublished !== undefined)
      process.stderr.write(`driftwatch: warning: metrics not published: ${notPublished}\n`);
    process.exitCode = exitCodeOfStatus(summary.status, failOnViolations);
  } finally {
    storage.destroy();
    cloudwatch?.destroy();
  }
}

export function printSummary(summary: ExecutionSummary, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const lines = [
    summary.message,
    `  window    ${summary.windowStart} .. ${summary.windowEnd}`,
    `  records   ${summary.recordsRead} read, ${summary.rowsProfiled} rows profiled, ${summary.issues.total} input problems`,
    `  drifted   ${summary.driftedFeatures.length > 0 ? summary.driftedFeatures.join(', ') : '(none)'}`,
    `  reports   ${summary.reportUri}`,
    ...storedLines(summary),
    ...(typeof summary.metricsNotPublished === 'string'
      ? [`  metrics   not published: ${summary.metricsNotPublished}`]
      : []),
  ];
  if (summary.failureReason) lines.push(`  reason    ${summary.failureReason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function register(program: Command): void {
  const command = program
    .command('run')
    .description('Run one data-quality monitoring execution over a window of captured traffic')
    .requiredOption('--baseline <uri-prefix>', 'prefix holding statistics.json and constraints.json')
    .requiredOption('--capture <uri>', 'data-capture root (<capture>/<endpoint>/<variant>/yyyy/mm/dd/hh/)')
    .requiredOption('--start <iso>', `window start (inclusive; ${TIME_HELP})`)
    .requiredOption(
      '--end <iso>',
      `window end (exclusive; ${TIME_HELP}); also the scheduled time of the reports`,
    )
    .requiredOption('--out <uri>', 'report root (<out>/<endpoint>/<schedule>/yyyy/mm/dd/hh/)')
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
      'worker threads for profiling (default: one per 16 MiB of capture, up to the cores)',
      (v) => {
        const n = Number.parseInt(v, 10);
        if (!(n >= 1))
          throw new ConfigError(`expected a whole number >= 1, got ${JSON.stringify(v)}`, {
            field: '--threads',
          });
        return n;
      },
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
