/**
 * What `driftwatch status` shows: per monitor its scheduler and next run, and its last scheduled
 * executions (from the queue's jobs, else from the execution summaries in storage); the jobs running now
 * with their progress; the queue's job counts.
 */
import type { Job, JobState, Queue } from 'bullmq';
import { type MonitorConfig, scheduleOf, windowOf } from '../config/monitors.js';
import { runsBetween } from '../config/schedule.js';
import { ConfigError, InputError } from '../core/errors.js';
import type { Storage } from '../io/storage.js';
import { readExecutionSummary } from '../monitor/execution.js';
import type { ExecutionProgress } from '../monitor/types.js';
import { existingExecutionTimes } from './existing-executions.js';
import { executionJobId, monitorOfSchedulerId, schedulerId } from './ids.js';
import type { ExecutionKinds } from './kinds.js';
import { type ExecutionJobData, type ExecutionResult, executionFor, jobNames } from './payloads.js';
import { listSchedulers, oneOffScheduledTime } from './queue.js';

export interface ExecutionRow {
  id: string;
  scheduledTime: string;
  /** The data the execution reads: `[start, end)` of the monitor's window at `scheduledTime`. */
  window: { start: string; end: string };
  /** Job state; `done` = no job any more but a summary in storage; `none` = never enqueued (or expired). */
  state: JobState | 'unknown' | 'done' | 'none';
  trigger?: ExecutionJobData['trigger'];
  attemptsMade?: number;
  progress?: ExecutionProgress;
  /** Split executions: parts finished / all parts. */
  parts?: { done: number; total: number };
  result?: Pick<ExecutionResult, 'status' | 'message' | 'violations' | 'recordsRead' | 'reportUri'>;
  failedReason?: string;
  finishedAt?: string;
}

export interface MonitorStatus {
  name: string;
  type: MonitorConfig['type'];
  schedule: string;
  timezone: string;
  /** False when the config lists the monitor but no scheduler exists (run `driftwatch schedule`). */
  scheduled: boolean;
  nextRun?: string;
  executions: ExecutionRow[];
  /** Why its report folders could not be read (said once, not on every execution). */
  storageError?: string;
  /** Failed executions of this monitor still kept by the queue (newest first), beyond `executions`. */
  recentFailures: Array<{ id: string; scheduledTime: string; failedReason: string; finishedAt?: string }>;
}

export interface ActiveJob {
  id: string;
  name: string;
  state: 'active' | 'waiting-children';
  startedAt?: string;
  progress?: ExecutionProgress;
  parts?: { done: number; total: number };
}

export interface StatusReport {
  /** The Redis read (password redacted; set by the CLI). */
  redis?: string;
  queue: { name: string; prefix: string; counts: Record<string, number> };
  monitors: MonitorStatus[];
  active: ActiveJob[];
  /** Monitors that have a job scheduler but are not in the given list (left the config: run `schedule`). */
  orphanSchedulers: string[];
}

function progressOf(job: Job): ExecutionProgress | undefined {
  const p = job.progress as Partial<ExecutionProgress> | number;
  if (typeof p === 'object' && p && typeof p.objectsDone === 'number') return p as ExecutionProgress;
  return undefined;
}

async function partsOf(job: Job): Promise<{ done: number; total: number } | undefined> {
  const plan = (job.data as ExecutionJobData).plan;
  if (!plan) return undefined;
  const counts = await job.getDependenciesCount({ processed: true });
  return { done: counts.processed ?? 0, total: plan.length };
}

class StorageUnreadable extends Error {}

/** A failure reason on one line (a stack or a multi-line message cut at its first line, at most 300 chars). */
export function oneLine(text: string): string {
  const first = text.trim().split('\n', 1)[0] ?? '';
  return first.length > 300 ? `${first.slice(0, 299)}…` : first;
}

async function rowFor(
  queue: Queue,
  monitor: MonitorConfig,
  at: Date,
  options: { storage?: Storage; kinds?: ExecutionKinds },
): Promise<ExecutionRow> {
  const id = executionJobId(monitor.type, monitor.name, at);
  const window = windowOf(monitor, at);
  const row: ExecutionRow = {
    id,
    scheduledTime: at.toISOString(),
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    state: 'none',
  };
  const job = await queue.getJob(id);
  if (job) {
    row.state = await job.getState();
    const data = job.data as ExecutionJobData;
    row.trigger = data.trigger;
    row.attemptsMade = job.attemptsMade;
    const progress = progressOf(job);
    if (progress) row.progress = progress;
    const parts = await partsOf(job);
    if (parts) row.parts = parts;
    const result = job.returnvalue as ExecutionResult | null | undefined;
    if (result && typeof result === 'object' && 'status' in result) {
      row.result = {
        status: result.status,
        message: result.message,
        violations: result.violations,
        recordsRead: result.recordsRead,
        reportUri: result.reportUri,
      };
    }
    if (job.failedReason) row.failedReason = oneLine(job.failedReason);
    if (job.finishedOn) row.finishedAt = new Date(job.finishedOn).toISOString();
    return row;
  }
  if (options.storage && options.kinds?.[monitor.type]) {
    try {
      const summary = await readExecutionSummary(
        options.storage,
        executionFor(monitor, at, 'manual').data.execution,
      );
      if (summary) {
        row.state = 'done';
        row.result = {
          status: summary.status,
          message: summary.message,
          violations: summary.violations,
          recordsRead: summary.recordsRead,
          reportUri: summary.reportUri,
        };
      }
    } catch (error) {
      // An unusable execution.json is this row's problem (its message names the file); storage that
      // cannot be read at all is the monitor's, said once (collectStatus).
      if (!(error instanceof InputError)) throw new StorageUnreadable(oneLine((error as Error).message));
      row.failedReason = oneLine((error as Error).message);
    }
  }
  return row;
}

/** Longest list of executions per monitor `status --from --to` shows. */
export const STATUS_RANGE_LIMIT = 1_000;

export interface StatusOptions {
  /** Executions per monitor: the latest `last` scheduled times up to now. @defaultValue 5 */
  last?: number;
  /**
   * Instead of the latest `last`: every scheduled time in `[range.from, range.to)` (as `backfill` takes
   * them), at most `STATUS_RANGE_LIMIT` per monitor.
   */
  range?: { from: Date; to: Date };
  now?: Date;
  storage?: Storage;
  kinds?: ExecutionKinds;
}

/** Collects the status of `monitors` (newest execution first, `last` per monitor or those of `range`). */
export async function collectStatus(
  queue: Queue,
  monitors: MonitorConfig[],
  options: StatusOptions = {},
): Promise<StatusReport> {
  const now = options.now ?? new Date();
  const last = options.last ?? 5;
  const range = options.range;
  if (range && !(range.from < range.to)) {
    throw new ConfigError(
      `--from (${range.from.toISOString()}) must be before --to (${range.to.toISOString()})`,
      { field: 'from' },
    );
  }
  const counts = await queue.getJobCounts(
    'active',
    'waiting',
    'waiting-children',
    'prioritized',
    'delayed',
    'completed',
    'failed',
  );
  const report: StatusReport = {
    queue: { name: queue.name, prefix: queue.opts.prefix ?? 'bull', counts },
    monitors: [],
    active: [],
    orphanSchedulers: [],
  };
  // Newest failed executions, grouped by monitor (the failed set is ordered by finish time).
  const failures = new Map<string, MonitorStatus['recentFailures']>();
  for (const job of await queue.getJobs(['failed'], 0, 499, false)) {
    if (!job?.id || job.name !== jobNames.execution) continue;
    const data = job.data as ExecutionJobData;
    const list = failures.get(data.execution.monitorName) ?? [];
    if (list.length >= last) continue;
    list.push({
      id: job.id,
      scheduledTime: data.execution.scheduledTime,
      failedReason: oneLine(job.failedReason ?? ''),
      ...(job.finishedOn ? { finishedAt: new Date(job.finishedOn).toISOString() } : {}),
    });
    failures.set(data.execution.monitorName, list);
  }
  for (const monitor of monitors) {
    const schedule = scheduleOf(monitor);
    const scheduler =
      schedule.kind === 'cron' ? await queue.getJobScheduler(schedulerId(monitor.name)) : undefined;
    // Without a range: the newest executions that exist (queued or stored), not the latest scheduled
    // times (after a backfill of older windows those never ran). A storage failure is said once.
    let storageError: string | undefined;
    const readable = options.storage && options.kinds?.[monitor.type] ? options.storage : undefined;
    let times: Date[];
    if (schedule.kind !== 'cron') times = [oneOffScheduledTime(monitor, now)];
    else if (range) {
      try {
        times = runsBetween(schedule, range.from, range.to, STATUS_RANGE_LIMIT).reverse();
      } catch (error) {
        throw new ConfigError(`${monitor.name}: ${(error as Error).message}; narrow --from/--to`, {
          field: 'from/to',
        });
      }
    } else {
      try {
        times = await existingExecutionTimes(queue, monitor, last, readable);
      } catch (error) {
        storageError = oneLine((error as Error).message);
        times = await existingExecutionTimes(queue, monitor, last);
      }
    }
    const executions: ExecutionRow[] = [];
    let rowOptions = storageError ? { ...options, storage: undefined } : options;
    for (const at of times) {
      try {
        executions.push(await rowFor(queue, monitor, at, rowOptions));
      } catch (error) {
        if (!(error instanceof StorageUnreadable)) throw error;
        storageError = error.message;
        rowOptions = { ...options, storage: undefined };
        executions.push(await rowFor(queue, monitor, at, rowOptions));
      }
    }
    const shown = new Set(executions.map((e) => e.id));
    report.monitors.push({
      name: monitor.name,
      type: monitor.type,
      schedule: monitor.schedule,
      timezone: schedule.kind === 'cron' ? schedule.timezone : 'UTC',
      scheduled: Boolean(scheduler),
      ...(scheduler?.next ? { nextRun: new Date(scheduler.next).toISOString() } : {}),
      executions,
      ...(storageError ? { storageError } : {}),
      recentFailures: (failures.get(monitor.name) ?? []).filter((f) => !shown.has(f.id)),
    });
  }
  const listed = new Set(monitors.map((m) => m.name));
  for (const scheduler of await listSchedulers(queue)) {
    const name = monitorOfSchedulerId(scheduler.key);
    if (name !== undefined && !listed.has(name)) report.orphanSchedulers.push(name);
  }
  for (const state of ['active', 'waiting-children'] as const) {
    const jobs = await queue.getJobs([state], 0, 99, true);
    for (const job of jobs) {
      if (!job?.id || job.name === jobNames.tick) continue;
      const progress = progressOf(job);
      const parts = await partsOf(job);
      report.active.push({
        id: job.id,
        name: job.name,
        state,
        ...(job.processedOn ? { startedAt: new Date(job.processedOn).toISOString() } : {}),
        ...(progress ? { progress } : {}),
        ...(parts ? { parts } : {}),
      });
    }
  }
  return report;
}

/** A plain-text rendering of a status report (one block per monitor). */
export function formatStatus(report: StatusReport): string {
  const lines: string[] = [];
  const c = report.queue.counts;
  if (report.redis) lines.push(`redis ${report.redis}`);
  lines.push(
    `queue ${report.queue.prefix}:${report.queue.name}  active ${c.active ?? 0}  waiting ${(c.waiting ?? 0) + (c.prioritized ?? 0)}  ` +
      `delayed ${c.delayed ?? 0}  waiting-children ${c['waiting-children'] ?? 0}  completed ${c.completed ?? 0}  failed ${c.failed ?? 0}`,
  );
  for (const m of report.monitors) {
    lines.push('');
    const next = m.scheduled
      ? `next ${m.nextRun ?? '?'}`
      : m.schedule === 'NOW'
        ? 'one-off'
        : 'NOT SCHEDULED (run driftwatch schedule)';
    lines.push(
      `${m.name}  (${m.type}, ${m.schedule}${m.timezone !== 'UTC' ? ` ${m.timezone}` : ''})  ${next}`,
    );
    if (m.storageError) lines.push(`  storage: ${m.storageError}`);
    if (m.executions.length === 0) lines.push('  no executions yet');
    for (const e of m.executions) {
      let detail = '';
      if (e.result)
        detail = `${e.result.status}, ${e.result.violations} violations, ${e.result.recordsRead} records`;
      else if (e.failedReason) detail = e.failedReason;
      if (e.parts) detail = `${detail ? `${detail}, ` : ''}parts ${e.parts.done}/${e.parts.total}`;
      if (e.progress)
        detail = `${detail ? `${detail}, ` : ''}objects ${e.progress.objectsDone}/${e.progress.objectsTotal}`;
      const attempts = e.attemptsMade ? ` (attempts ${e.attemptsMade})` : '';
      lines.push(`  ${e.scheduledTime}  ${e.state.padEnd(16)}${detail}${attempts}`);
    }
  }
  for (const m of report.monitors) {
    if (!m.recentFailures.length) continue;
    lines.push('', `${m.name}: recent failures`);
    for (const f of m.recentFailures) lines.push(`  ${f.scheduledTime}  ${f.id}  ${f.failedReason}`);
  }
  if (report.orphanSchedulers.length) {
    lines.push(
      '',
      `schedulers of monitors not in the config (run driftwatch schedule to remove them): ${report.orphanSchedulers.join(', ')}`,
    );
  }
  if (report.active.length) {
    lines.push('', 'running now:');
    for (const a of report.active) {
      const progress = a.progress
        ? ` objects ${a.progress.objectsDone}/${a.progress.objectsTotal}, ${a.progress.recordsRead} records`
        : '';
      const parts = a.parts ? ` parts ${a.parts.done}/${a.parts.total}` : '';
      lines.push(`  ${a.id}  ${a.state}${progress}${parts}${a.startedAt ? ` since ${a.startedAt}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
