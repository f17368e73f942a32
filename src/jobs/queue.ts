/**
 * The producer side of the driftwatch queue: job schedulers (one per monitor), NOW executions, backfills.
 * Used by the `schedule` and `backfill` commands; the worker uses `openQueue` too.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { JobState, Queue } from 'bullmq';
import type { MonitorConfig, QueueSettings } from '../config/monitors.js';
import { scheduleOf, windowOf } from '../config/monitors.js';
import { parseWindowBound, runsBetween } from '../config/schedule.js';
import { ConfigError } from '../core/errors.js';
import type { RerunPolicy } from '../monitor/stored.js';
import { QueueClass } from './bullmq.js';
import { lastTickKey, monitorOfSchedulerId, schedulerId } from './ids.js';
import {
  type ExecutionJobData,
  type ExecutionResult,
  executionFor,
  executionJobOptions,
  jobNames,
  type TickJobData,
} from './payloads.js';
import {
  type RedisConnectOptions,
  type RedisRole,
  type RedisSettings,
  redisOptionsFromUrl,
} from './redis.js';

export interface OpenQueueOptions {
  redis: string | RedisSettings;
  queue: QueueSettings;
  /** @defaultValue 'client' (fail fast); the worker uses 'worker' (wait for Redis). */
  role?: RedisRole;
  connect?: RedisConnectOptions;
}

/** A BullMQ queue on its own connection (closed by `queue.close()`). */
export function openQueue(options: OpenQueueOptions): Queue {
  const queue = new QueueClass(options.queue.name, {
    connection: redisOptionsFromUrl(options.redis, options.role ?? 'client', options.connect),
    prefix: options.queue.prefix,
  });
  // Connection errors surface on the commands that fail; without a listener they would be thrown.
  queue.on('error', () => {});
  return queue;
}

/**
 * Closes a queue from `openQueue`. BullMQ drops the queue's error listeners when it closes, and a
 * connection attempt still under way then fails as an unhandled rejection; so the connection is let
 * settle (ready, or given up: a client connection gives up after a few retries) for up to `settleMs` first.
 */
export async function closeQueue(queue: Queue, settleMs = 10_000): Promise<void> {
  const settled = queue.waitUntilReady().then(
    () => {},
    () => {},
  );
  await Promise.race([settled, delay(settleMs, undefined, { ref: false })]);
  await queue.close();
}

/** Options of the tick jobs a scheduler produces: few kept when done, failed ones kept for inspection. */
const tickJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { count: 200 },
  removeOnFail: { age: 90 * 86_400 },
} as const;

export interface EnqueueResult {
  id: string;
  scheduledTime: string;
  /** False when a job with this id existed already (nothing new was added). */
  added: boolean;
  /** The state of the existing job when `added` is false. */
  state?: JobState | 'unknown';
}

/**
 * Adds the execution of `monitor` at `scheduledTime`, unless it exists (deterministic id). `rerun`: what
 * the execution does with a result already stored for its window (monitor/stored.ts; default: return it).
 */
export async function enqueueExecution(
  queue: Queue,
  monitor: MonitorConfig,
  scheduledTime: Date,
  trigger: ExecutionJobData['trigger'],
  options: { rerun?: RerunPolicy } = {},
): Promise<EnqueueResult> {
  const built = executionFor(monitor, scheduledTime, trigger);
  const id = built.id;
  const data = options.rerun
    ? ({ ...built.data, execution: { ...built.data.execution, rerun: options.rerun } } as ExecutionJobData)
    : built.data;
  const existing = await queue.getJob(id);
  if (existing) {
    return { id, scheduledTime: scheduledTime.toISOString(), added: false, state: await existing.getState() };
  }
  await queue.add(jobNames.execution, data, executionJobOptions(id, data));
  return { id, scheduledTime: scheduledTime.toISOString(), added: true };
}

export interface SyncResult {
  /** Monitors whose scheduler was created or updated. */
  scheduled: Array<{ monitor: string; pattern: string; timezone: string; next?: string }>;
  /** Monitors whose scheduler was removed (they left the config, or became NOW). */
  removed: string[];
  /** One-off (NOW) executions. */
  oneOff: EnqueueResult[];
}

/** The scheduled time of a NOW monitor: its window end when the window is absolute, else now (to the minute). */
export function oneOffScheduledTime(monitor: MonitorConfig, now: Date): Date {
  if (monitor.window && parseWindowBound(monitor.window.end).kind === 'instant')
    return windowOf(monitor, now).end;
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
}

/**
 * Makes the queue's job schedulers match the monitors: upserts one per recurring monitor, enqueues NOW
 * monitors once, and removes driftwatch schedulers (id `monitor__*`) of monitors no longer listed.
 */
export async function syncSchedulers(
  queue: Queue,
  monitors: MonitorConfig[],
  now = new Date(),
): Promise<SyncResult> {
  const result: SyncResult = { scheduled: [], removed: [], oneOff: [] };
  const recurring = new Set<string>();
  for (const monitor of monitors) {
    const schedule = scheduleOf(monitor);
    if (schedule.kind === 'now') {
      result.oneOff.push(await enqueueExecution(queue, monitor, oneOffScheduledTime(monitor, now), 'now'));
      continue;
    }
    recurring.add(monitor.name);
    const data: TickJobData = { monitor };
    const job = await queue.upsertJobScheduler(
      schedulerId(monitor.name),
      { pattern: schedule.pattern, tz: schedule.timezone },
      { name: jobNames.tick, data, opts: tickJobOptions },
    );
    const delay = job?.opts.delay ?? 0;
    result.scheduled.push({
      monitor: monitor.name,
      pattern: schedule.pattern,
      timezone: schedule.timezone,
      ...(job
        ? {
            next: new Date(
              (job.opts.prevMillis as number | undefined) ?? job.timestamp + delay,
            ).toISOString(),
          }
        : {}),
    });
  }
  const client = await queue.client;
  for (const scheduler of await listSchedulers(queue)) {
    const name = monitorOfSchedulerId(scheduler.key);
    if (name === undefined || recurring.has(name)) continue;
    await queue.removeJobScheduler(scheduler.key);
    await client.hdel(lastTickKey(queue), name);
    result.removed.push(name);
  }
  return result;
}

/** Every job scheduler of the queue (paginated underneath). */
export async function listSchedulers(
  queue: Queue,
): Promise<Array<{ key: string; next?: number; pattern?: string; tz?: string }>> {
  const out: Array<{ key: string; next?: number; pattern?: string; tz?: string }> = [];
  const page = 500;
  for (let start = 0; ; start += page) {
    const batch = await queue.getJobSchedulers(start, start + page - 1, true);
    for (const s of batch) {
      if (!s) continue;
      out.push({
        key: s.key,
        ...(typeof s.next === 'number' ? { next: s.next } : {}),
        ...(s.pattern ? { pattern: s.pattern } : {}),
        ...(s.tz ? { tz: s.tz } : {}),
      });
    }
    if (batch.length < page) return out;
  }
}

export interface BackfillResult {
  monitor: string;
  from: string;
  to: string;
  /**
   * The captured data these executions read: from the first window's start to the last window's end
   * (each scheduled time reads the window before it, so `--from 2024-05-01T01:00Z --to
   * 2024-05-02T01:00Z` of an hourly monitor covers 2024-05-01). Absent when no time was in range.
   */
  data?: { from: string; to: string };
  executions: EnqueueResult[];
  /**
   * With `retryFailed`: executions run again because their job failed, or because they completed with
   * status `Failed` (e.g. no captured data yet). New executions of a retry-failed backfill also recompute
   * a `Failed` result stored by the CLI or by a job no longer kept.
   */
  retried: string[];
}

/**
 * Enqueues every scheduled time of `monitor` in `[from, to)`. Windows that already have an execution job
 * are left alone (one execution per window); with `retryFailed`, failed ones are retried.
 */
export async function backfill(
  queue: Queue,
  monitor: MonitorConfig,
  range: { from: Date; to: Date },
  options: { retryFailed?: boolean; limit?: number } = {},
): Promise<BackfillResult> {
  const schedule = scheduleOf(monitor);
  if (schedule.kind === 'now') {
    throw new ConfigError(`monitor '${monitor.name}' has a NOW schedule: nothing to backfill`, {
      field: 'schedule',
    });
  }
  if (!(range.from < range.to)) {
    throw new ConfigError(
      `--from (${range.from.toISOString()}) must be before --to (${range.to.toISOString()})`,
      {
        field: 'from',
      },
    );
  }
  let times: Date[];
  try {
    times = runsBetween(schedule, range.from, range.to, options.limit ?? 10_000);
  } catch (error) {
    throw new ConfigError((error as Error).message, { field: 'from/to' }, { cause: error });
  }
  const result: BackfillResult = {
    monitor: monitor.name,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    executions: [],
    retried: [],
  };
  const first = times[0];
  const latest = times[times.length - 1];
  if (first && latest) {
    result.data = {
      from: windowOf(monitor, first).start.toISOString(),
      to: windowOf(monitor, latest).end.toISOString(),
    };
  }
  // A stored `Failed` result is recomputed by what a retry-failed backfill enqueues (stored.ts).
  const rerun = options.retryFailed ? { rerun: { recomputeFailed: true } } : {};
  for (const at of times) {
    const enqueued = await enqueueExecution(queue, monitor, at, 'backfill', rerun);
    if (!enqueued.added && enqueued.state === 'completed' && options.retryFailed) {
      const job = await queue.getJob(enqueued.id);
      const status = (job?.returnvalue as Partial<ExecutionResult> | null | undefined)?.status;
      if (job && status === 'Failed') {
        // Completed with status Failed (no captured data, no ground truth...): its result is stored, so
        // the window runs again as a new job that recomputes it.
        await job.remove({ removeChildren: true });
        const again = await enqueueExecution(queue, monitor, at, 'backfill', rerun);
        result.retried.push(enqueued.id);
        result.executions.push({ ...again, added: false, state: 'completed' });
        continue;
      }
    }
    if (!enqueued.added && enqueued.state === 'failed' && options.retryFailed) {
      const job = await queue.getJob(enqueued.id);
      if (job) {
        if ((job.data as Partial<ExecutionJobData>).plan) {
          // A split execution whose part failed (e.g. stalled past the limit): BullMQ cannot complete a
          // parent with a failed child, so the flow is rebuilt: the failed job and its parts go, and the
          // window is enqueued afresh (it splits again; reports and metrics are still written once).
          await job.remove({ removeChildren: true });
          const again = await enqueueExecution(queue, monitor, at, 'backfill', rerun);
          result.retried.push(enqueued.id);
          result.executions.push({ ...again, added: false, state: 'failed' });
          continue;
        }
        await job.retry('failed');
        result.retried.push(enqueued.id);
      }
    }
    result.executions.push(enqueued);
  }
  return result;
}
