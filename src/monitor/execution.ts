/**
 * The execution skeleton: the one path every monitor kind (data quality, model quality; bias and
 * attribution plug in the same way) runs through, from the CLI (`driftwatch run`, `run-quality`, `demo`)
 * and from the worker's processor. Read top to bottom, an execution is:
 *
 * ```
 *   execution.json stored? ──yes──▶ return it (nothing read, nothing written, nothing published), or
 *        │                          refuse it, or replace it (stored.ts: validated, same inputs, job.rerun)
 *        │ no
 *   window validated, report prefix <output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/
 *   baseline read, once                          kind.readBaseline
 *   inputs read and profiled                     kind.collect (in one process), or the worker's parts
 *                                                (kind.parts.profile per part, kind.parts.merge)
 *   checked against the baseline                 kind.check → failure reason, report files, metrics, summary
 *   aborted? stop (nothing written)
 *   report files written                         deterministic: a retry overwrites them with the same bytes
 *   metrics published exactly once               publishOnce (a claim and a marker, see once.ts)
 *   report.html, then execution.json create-only storeSummaryOnce: the commit point
 * ```
 *
 * A kind supplies only what differs: how to read its baseline, how to read and profile its inputs, how to
 * check them and what its reports and metrics are. It never writes reports or publishes itself.
 */
import type { MonitorType } from '../config/monitors.js';
import { toDriftwatchError } from '../core/error-boundary.js';
import { ConfigError, type DriftwatchError, isPermanent } from '../core/errors.js';
import type { IssueLog } from '../core/issues.js';
import type { ExecutionStatus } from '../core/types.js';
import { joinUri, type ObjectInfo, type Storage } from '../io/storage.js';
import { executionAudit, touchesAws } from '../security/audit.js';
import { redactIssues } from '../security/pii.js';
import { metricsNotPublished } from './metrics-age.js';
import {
  type Publication,
  publishOnce,
  publishOptions,
  readStoredSummary,
  storeSummaryOnce,
} from './once.js';
import { checkAborted, jobWindow } from './profile-window.js';
import { reportPrefix } from './report-prefix.js';
import { storedResult } from './stored.js';
import type {
  ExecutionDeps,
  ExecutionJobBase,
  ExecutionSummary,
  ExecutionSummaryBase,
  PartialProfileJSON,
} from './types.js';

/** What every kind's baseline carries: the files it was read from (with etags), for the summary. */
export interface KindBaseline {
  files: Array<{ uri: string; etag: string }>;
}

/** One report file of an execution, written under the report prefix. */
export interface ReportFile {
  name: string;
  body: string;
}

/**
 * What every kind's `collect` (or `parts.merge`) gives besides its own data: the window's inputs as the
 * summary lists them, the records read from them and the input problems. The skeleton summarises these
 * itself; the kind's check may add problems to `issues`, and the skeleton adds its own (a re-publication).
 */
export interface CollectedInputs {
  issues: IssueLog;
  recordsRead: number;
  inputs: Array<{ uri: string; etag: string; size: number }>;
}

/** The result of `kind.check`: everything the skeleton writes, publishes and summarises. */
export interface CheckedExecution<Details extends object, Fields extends object = object> {
  /** Set when the execution failed (no usable data): status `Failed`, this is its reason. */
  failureReason?: string | undefined;
  /** Violations found (0 when failed). */
  violations: number;
  /** Report files, written in this order (none at all is fine, e.g. when failed). */
  reports: ReportFile[];
  rowsProfiled: number;
  /** Feature names with a drift violation (data quality); none when left out. */
  driftedFeatures?: string[];
  /** Kind-specific summary fields, placed before `baseline` (e.g. data quality's `violatedChecks`). */
  fields?: Fields;
  /** Kind-specific summary fields, placed last (e.g. `modelQuality`). */
  details: Details;
  /** The summary's issues have their samples redacted (sensitive values, security/pii.ts). */
  redactIssues?: boolean;
  /**
   * What the execution publishes (its metric datums and heartbeat), asked only when the job publishes;
   * the skeleton sends it exactly once (`publishOnce`).
   */
  publication?(status: ExecutionStatus): Publication | Promise<Publication>;
}

/**
 * A monitor kind: what differs between data quality, model quality, bias, attribution...
 *
 * - `Job`: its execution payload (JSON, built once from the validated monitor config, see jobs/payloads.ts).
 * - `Baseline`: its baseline, read once per execution by `readBaseline`.
 * - `Collected`: what reading and profiling the window's inputs gives (profiles, counts, and the
 *   `CollectedInputs`).
 * - `Details`: the kind's own summary fields, placed last in `execution.json`.
 * - `Fields`: the kind's own summary fields placed before `baseline` (data quality's `violatedChecks`).
 *
 * Every function may be called again for the same execution (a retry): none may write or publish.
 */
export interface MonitorKind<
  Job extends ExecutionJobBase = ExecutionJobBase,
  Baseline extends KindBaseline = KindBaseline,
  Collected extends CollectedInputs = CollectedInputs,
  Details extends object = object,
  Fields extends object = object,
> {
  readonly type: MonitorType;
  /** Reads and validates the baseline; a bad one is a `ConfigError` naming the file. */
  readBaseline(storage: Storage, job: Job): Promise<Baseline>;
  /** Reads and profiles the window's inputs in this process; adds its timings (ms) to `timings`. */
  collect(
    job: Job,
    baseline: Baseline,
    deps: ExecutionDeps,
    timings: Record<string, number>,
  ): Promise<Collected>;
  /**
   * Optional: the kind's inputs can be profiled in parallel parts (the worker's split executions): list
   * the window's inputs, profile a group of them (a part job, in any process), merge the partials.
   */
  parts?: {
    listInputs(job: Job, deps: ExecutionDeps): Promise<ObjectInfo[]>;
    profile(job: Job, objects: ObjectInfo[], deps: ExecutionDeps): Promise<PartialProfileJSON>;
    merge(job: Job, baseline: Baseline, partials: PartialProfileJSON[]): Collected;
  };
  /** Checks what was collected against the baseline (no I/O). */
  check(job: Job, baseline: Baseline, collected: Collected): CheckedExecution<Details, Fields>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds kinds of every payload type
export type AnyMonitorKind = MonitorKind<any, any, any, any, any>;

export interface ExecuteOptions<Baseline, Collected> {
  /**
   * Replaces `kind.collect` (the worker's processor uses it to split the window into parts). It may throw
   * to stop this attempt without writing anything (BullMQ's `WaitingChildrenError`).
   */
  collect?: (baseline: Baseline, timings: Record<string, number>) => Promise<Collected>;
  /** Timings measured before the call (ms), kept in the summary. */
  timings?: Record<string, number>;
  /** Called with the summary when this call ran the execution (not when it was found done at entry). */
  onComplete?: (summary: ExecutionSummary) => void;
}

/** The stored summary of a job's execution (any kind: the report layout is the same), or undefined. */
export async function readExecutionSummary(
  storage: Storage,
  job: Pick<ExecutionJobBase, 'outputUri' | 'endpoint' | 'scheduleName' | 'scheduledTime'>,
): Promise<ExecutionSummary | undefined> {
  return await readStoredSummary(storage, reportPrefix(job));
}

function statusMessage(status: ExecutionStatus, violations: number, reason?: string): string {
  if (status === 'Failed') return `Failed: ${reason ?? 'Job failed.'}`;
  if (status === 'CompletedWithViolations')
    return `CompletedWithViolations: Job completed successfully with ${violations} violations.`;
  return 'Completed: Job completed successfully with no violations.';
}

/** Runs one execution of `kind` (see the top of this file). Idempotent per (monitor, scheduled time). */
export async function execute<
  Job extends ExecutionJobBase,
  Baseline extends KindBaseline,
  Collected extends CollectedInputs,
  Details extends object,
  Fields extends object = object,
>(
  kind: MonitorKind<Job, Baseline, Collected, Details, Fields>,
  job: Job,
  deps: ExecutionDeps,
  options: ExecuteOptions<Baseline, Collected> = {},
): Promise<ExecutionSummary<Fields & Details>> {
  const prefix = reportPrefix(job);
  // The window is checked before anything is looked up; then a stored result is returned, refused or
  // replaced, per job.rerun (stored.ts).
  const window = jobWindow(job);
  const existing = await storedResult(deps.storage, prefix, job);
  if (existing) {
    deps.logger.info({ status: existing.status }, 'execution already complete; nothing to do');
    return existing as ExecutionSummary<Fields & Details>;
  }
  if (job.cloudwatch && !deps.publisher)
    throw new ConfigError('CloudWatch publishing is on but no metric publisher was given', {
      field: 'cloudwatch',
    });
  const timings: Record<string, number> = { ...options.timings };

  const baseline = await kind.readBaseline(deps.storage, job);
  const collected = options.collect
    ? await options.collect(baseline, timings)
    : await kind.collect(job, baseline, deps, timings);

  const t0 = Date.now();
  const checked = kind.check(job, baseline, collected);
  const status: ExecutionStatus = checked.failureReason
    ? 'Failed'
    : checked.violations > 0
      ? 'CompletedWithViolations'
      : 'Completed';
  checkAborted(deps.signal);

  const t1 = Date.now();
  for (const report of checked.reports)
    await deps.storage.write(joinUri(prefix, report.name), report.body, { contentType: 'application/json' });

  const t2 = Date.now();
  let metricsPublished = 0;
  let refused: DriftwatchError | undefined;
  // A window older than CloudWatch's 14 days publishes nothing (its summary's metricsNotPublished says so).
  if (job.cloudwatch && deps.publisher && checked.publication && !metricsNotPublished(job)) {
    try {
      metricsPublished = await publishOnce(
        deps.storage,
        prefix,
        deps.publisher,
        await checked.publication(status),
        publishOptions(deps, collected.issues),
      );
    } catch (error) {
      // CloudWatch refused the metrics for good (access denied, invalid): the report set is completed with
      // a Failed execution.json saying so, then the error goes up (one line, exit 2 / a failed job). The
      // CLI recomputes a stored Failed result; the worker retries it (stored.ts).
      const e = toDriftwatchError(error);
      if (!isPermanent(e)) throw error;
      refused = e;
    }
  }
  const caller = deps.callerIdentity && touchesAws(job) ? await deps.callerIdentity() : undefined;
  const t3 = Date.now();
  const failureReason = refused ? `metrics not published: ${refused.message}` : checked.failureReason;
  const finalStatus: ExecutionStatus = refused ? 'Failed' : status;

  const head: ExecutionSummaryBase = {
    monitorName: job.monitorName,
    status: finalStatus,
    message: statusMessage(finalStatus, checked.violations, failureReason),
    ...(failureReason ? { failureReason } : {}),
    windowStart: window.start.toISOString(),
    windowEnd: window.end.toISOString(),
    scheduledTime: new Date(job.scheduledTime).toISOString(),
    reportUri: prefix,
    recordsRead: collected.recordsRead,
    rowsProfiled: checked.rowsProfiled,
    violations: checked.violations,
    driftedFeatures: checked.driftedFeatures ?? [],
    baseline: [],
    inputs: [],
    issues: { total: 0, counts: {}, samples: [] },
    metricsPublished: 0,
    timings: {},
  };
  const summary: ExecutionSummary<Fields & Details> = {
    ...head,
    ...(checked.fields as Fields),
    baseline: baseline.files,
    audit: executionAudit(job, deps.attempt, caller),
    inputs: collected.inputs,
    issues: checked.redactIssues ? redactIssues(collected.issues.toJSON()) : collected.issues.toJSON(),
    metricsPublished,
    timings: { ...timings, checkMs: t1 - t0, writeReportsMs: t2 - t1, publishMs: t3 - t2 },
    ...checked.details,
  };
  const stored = await storeSummaryOnce(deps.storage, prefix, summary, job);
  if (refused) throw refused;
  options.onComplete?.(stored);
  return stored;
}
