/**
 * What the one-off execution commands share (`run`, `run-quality`, `run-bias`, `run-attribution`): their
 * window, capture and rerun flags, the job built from them, and running it with a storage and a CloudWatch
 * client that are released afterwards.
 */

import { hostname } from 'node:os';
import type { Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { checkPathSegment } from '../core/names.js';
import { parseIsoTime, TIME_HELP } from '../core/time.js';
import { parseUri } from '../core/uri.js';
import { checkWindow } from '../core/window.js';
import { createStorage } from '../io/storage.js';
import { describeStored } from '../monitor/stored.js';
import type { ExecutionDeps, ExecutionJobBase, ExecutionSummary } from '../monitor/types.js';
import { callerIdentityLookup } from '../security/caller-identity.js';
import { exitCodeOfStatus } from './exit-codes.js';
import { parseHorizon } from './flags.js';
import { executionProgressReporter } from './progress.js';

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
 * The options naming an execution's window and where its reports go: `--capture`, `--ground-truth` (when the
 * kind joins labels), `--start`, `--end`, `--out`, in that order.
 */
export function addWindowOptions(
  command: Command,
  options: { groundTruth?: boolean; startNote?: string } = {},
): Command {
  command.requiredOption(
    '--capture <uri>',
    'data-capture root (<capture>/<endpoint>/<variant>/yyyy/mm/dd/hh/)',
  );
  if (options.groundTruth)
    command.requiredOption(
      '--ground-truth <uri>',
      'ground-truth root (<ground-truth>/yyyy/mm/dd/hh/*.jsonl)',
    );
  return command
    .requiredOption('--start <iso>', `window start (inclusive; ${TIME_HELP})${options.startNote ?? ''}`)
    .requiredOption(
      '--end <iso>',
      `window end (exclusive; ${TIME_HELP}); also the scheduled time of the reports`,
    )
    .requiredOption('--out <uri>', 'report root (<out>/<endpoint>/<schedule>/yyyy/mm/dd/hh/)');
}

/**
 * The options saying how far late labels are read, for the kinds that join them (`run-quality`,
 * `run-bias`): `--ground-truth-until`, `--ground-truth-horizon`.
 */
export function addGroundTruthReadOptions(command: Command): Command {
  return command
    .option(
      '--ground-truth-until <iso>',
      'read label folders up to this time (default: now; never past --end plus --ground-truth-horizon)',
    )
    .option(
      '--ground-truth-horizon <duration>',
      "how long after the window's end labels are looked for (ISO-8601 duration)",
      'P3D',
    );
}

/** The job fields those options give: labels read until `--ground-truth-until` (default: now), the horizon. */
export function groundTruthReadFromFlags(flags: { groundTruthUntil?: string; groundTruthHorizon: string }): {
  groundTruthReadUntil: string;
  groundTruthHorizonMs: number;
} {
  return {
    groundTruthReadUntil: flags.groundTruthUntil
      ? parseTime(flags.groundTruthUntil, '--ground-truth-until')
      : new Date().toISOString(),
    groundTruthHorizonMs: parseHorizon(flags.groundTruthHorizon),
  };
}

/** The options saying where an execution reports (`--endpoint`, `--variant`, `--schedule`, `--cloudwatch`, `--sse-kms-key-id`, `--json`). */
export function addReportOptions(command: Command, defaultSchedule: string): Command {
  return command
    .option('--endpoint <name>', 'endpoint name (default: the last segment of --capture)')
    .option('--variant <name>', 'variant folder (default: every variant)')
    .option('--schedule <name>', 'monitoring schedule name', defaultSchedule)
    .option('--cloudwatch', 'publish the metrics to CloudWatch')
    .option(
      '--sse-kms-key-id <key>',
      'encrypt every object written with SSE-KMS under this key (id, ARN, alias)',
    )
    .option('--json', 'print the execution summary as JSON on the last stdout line');
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

/**
 * Prints an execution's summary: with `json` as one JSON line; else its status line, the window, the
 * kind's own lines, what was read (`inputLines`, default: records and input problems), where the reports
 * are, whether it is a stored result, why no metric was published, and a failure's reason.
 */
export function printExecutionSummary(
  summary: ExecutionSummary,
  json: boolean | undefined,
  kindLines: readonly string[],
  inputLines: readonly string[] = [
    `  input     ${summary.recordsRead} records read, ${summary.issues.total} input problems`,
  ],
): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const note = summary.storedResult;
  const lines = [
    summary.message,
    `  window    ${summary.windowStart} .. ${summary.windowEnd}`,
    ...kindLines,
    ...inputLines,
    `  reports   ${summary.reportUri}`,
    ...(note ? [`  stored    ${describeStored(note)}`] : []),
    ...(summary.metricsNotPublished !== undefined
      ? [`  metrics   not published: ${summary.metricsNotPublished}`]
      : []),
    ...(summary.failureReason ? [`  reason    ${summary.failureReason}`] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
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
 * One execution command of a kind beside data quality (`run-quality`, `run-bias`, `run-attribution`):
 * its options are `--baseline`, the window's, the kind's own, the label-reading ones when it joins late
 * labels, the report and the rerun options, in that order (the help lists them so).
 */
export interface KindCommand<Job extends ExecutionJobBase, S extends ExecutionSummary> {
  name: string;
  description: string;
  /** The help of `--baseline <uri-prefix>`. */
  baseline: string;
  /** The kind joins late labels: `--ground-truth`, `--ground-truth-until`, `--ground-truth-horizon`. */
  labels?: boolean;
  /** The kind's own options, after the window's. */
  options(command: Command): Command;
  /** Options after the label-reading ones (run-quality's estimated window). */
  optionsAfterLabels?(command: Command): Command;
  /** The job the parsed flags describe (commander's option values). */
  // biome-ignore lint/suspicious/noExplicitAny: commander's parsed option values are untyped
  job(flags: any): Job;
  run(job: Job, deps: ExecutionDeps): Promise<S>;
  /** The kind's own lines of the printed summary (printExecutionSummary). */
  summaryLines(summary: S): string[];
}

/** Registers a kind's execution command (see `KindCommand`): its options, and running it from them. */
export function registerKindCommand<Job extends ExecutionJobBase, S extends ExecutionSummary>(
  program: Command,
  kind: KindCommand<Job, S>,
): void {
  let command = kind.options(
    addWindowOptions(
      program
        .command(kind.name)
        .description(kind.description)
        .requiredOption('--baseline <uri-prefix>', kind.baseline),
      kind.labels ? { groundTruth: true, startNote: ', inference time' } : {},
    ),
  );
  if (kind.labels) command = addGroundTruthReadOptions(command);
  if (kind.optionsAfterLabels) command = kind.optionsAfterLabels(command);
  addRerunOptions(addReportOptions(command, `driftwatch-${kind.name}`)).action(async (flags) => {
    const job = kind.job(flags);
    await runFromCli(
      kind.name,
      job,
      (deps) => kind.run(job, deps),
      (summary) => printExecutionSummary(summary, flags.json, kind.summaryLines(summary)),
      flags.failOnViolations,
    );
  });
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
    ? (await import('../alerts/client.js')).createCloudWatchClient()
    : undefined;
  const publisher = cloudwatch
    ? (await import('../alerts/cloudwatch-publisher.js')).cloudWatchPublisher(cloudwatch)
    : undefined;
  // Progress of long windows on stderr (never stdout: --json output stays one JSON line).
  const interval = Number(process.env.DRIFTWATCH_PROGRESS_MS ?? 2000);
  const progress = executionProgressReporter(Number.isFinite(interval) && interval >= 0 ? interval : 2000);
  try {
    const summary = await execute({
      storage,
      ...(publisher ? { publisher } : {}),
      logger: createLogger({ level: 'warn' }),
      attempt: `driftwatch ${command} on ${hostname()} pid ${process.pid}`,
      callerIdentity: callerIdentityLookup(),
      onProgress: (p) => progress.update(p),
    });
    progress.done();
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
