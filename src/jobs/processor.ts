/**
 * The processor of the driftwatch queue: ticks, executions (single-process or split into a flow of
 * parts) and parts. Error policy: permanent errors (`isPermanent`: bad config or baseline, unreadable
 * input) become `UnrecoverableError` and fail the job at once with the reason kept on the job; other
 * errors are rethrown and retried with exponential backoff. An execution aborted by a shutdown is handed
 * back (moved to delayed, due now) without using up an attempt; so is one whose metrics an earlier, dead
 * attempt may have sent (delayed until CloudWatch can tell, `PublicationPendingError`).
 */
import { hostname } from 'node:os';
import { DelayedError, type Job, type Queue, UnrecoverableError, WaitingChildrenError } from 'bullmq';
import type { MetricPublisher } from '../alerts/metric-publisher.js';
import { type MonitorConfig, missingLabelsRetryOf, parseMonitor, scheduleOf } from '../config/monitors.js';
import { type CronSchedule, nextRuns, parseDuration, previousRuns, runsBetween } from '../config/schedule.js';
import { toDriftwatchError } from '../core/error-boundary.js';
import { ConfigError, DriftwatchError, isPermanent } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { partitionBySize } from '../core/partition.js';
import { type ObjectInfo, type Storage, withSseKms } from '../io/storage.js';
import { crashPoint } from '../monitor/crash-points.js';
import { type AnyMonitorKind, execute } from '../monitor/execution.js';
import { NO_GROUND_TRUTH } from '../monitor/model-quality.js';
import { PublicationPendingError } from '../monitor/once.js';
import type {
  ExecutionDeps,
  ExecutionProgress,
  ExecutionSummary,
  PartialProfileJSON,
} from '../monitor/types.js';
import type { CallerIdentityLookup } from '../security/caller-identity.js';
import { monitorOfSchedulerId, partJobId } from './ids.js';
import type { ExecutionKinds } from './kinds.js';
import {
  fencedPublisher,
  fencedStorage,
  type Lease,
  LOCK_LOST,
  type LockLeases,
  LockLostError,
} from './lease.js';
import {
  type ExecutionJobData,
  type ExecutionResult,
  executionFor,
  executionJobOptions,
  executionResult,
  jobNames,
  type PartJobData,
  retention,
  type SerializedObject,
  type TickJobData,
} from './payloads.js';

export interface ProcessorContext {
  /** The queue executions and parts are added to (the worker's own queue). */
  queue: Queue;
  kinds: ExecutionKinds;
  storage: Storage;
  /** Where executions publish their metrics (needed by monitors that publish). */
  publisher?: MetricPublisher;
  logger: Logger;
  /** Minimum time between two progress updates of one job, in milliseconds. @defaultValue 1000 */
  progressIntervalMs?: number;
  /** Profiling threads per job (scale out with worker processes first). @defaultValue 1 */
  threads?: number;
  /**
   * How long a dead attempt's metrics may take to show in CloudWatch before the batch they are missing
   * from is sent again (the job is delayed meanwhile, see `publishOnce`). @defaultValue 180000
   */
  metricsSettleMs?: number;
  /** Who the worker runs as (STS), recorded in each execution's `audit.caller`. */
  callerIdentity?: CallerIdentityLookup;
  /** Called with each execution's summary (e.g. to count what it read and published). */
  onSummary?: (kind: string, summary: ExecutionSummary) => void;
  /**
   * Fencing (see lease.ts): each job runs under a lease on its lock; `cancelJob` aborts a job's signal
   * (the BullMQ worker's `cancelJob`).
   */
  leases?: { leases: LockLeases; cancelJob(jobId: string, reason: string): void };
}

export interface TickResult {
  monitor: string;
  scheduledTime: string;
  /** Execution ids enqueued (or already there) by this tick, oldest first. */
  executions: string[];
}

/** The Redis hash (in the queue's key space) remembering each monitor's latest ticked scheduled time. */
export function lastTickKey(queue: Queue): string {
  return `${queue.qualifiedName}:driftwatch:last-tick`;
}

function serializeObject(o: ObjectInfo): SerializedObject {
  return { uri: o.uri, size: o.size, etag: o.etag, lastModified: new Date(o.lastModified).toISOString() };
}

function reviveObject(o: SerializedObject): ObjectInfo {
  return { uri: o.uri, size: o.size, etag: o.etag, lastModified: new Date(o.lastModified) };
}

export function createProcessor(ctx: ProcessorContext) {
  const progressIntervalMs = ctx.progressIntervalMs ?? 1_000;

  function kindOf(kind: string): AnyMonitorKind {
    const found = (ctx.kinds as Record<string, AnyMonitorKind | undefined>)[kind];
    if (!found) {
      const known = Object.keys(ctx.kinds).join(', ');
      throw new ConfigError(`this worker cannot run '${kind}' monitors (it runs: ${known})`, {
        field: 'type',
      });
    }
    return found;
  }

  function depsFor(
    job: Job,
    logger: Logger,
    signal: AbortSignal | undefined,
    token?: string,
    lease?: Lease,
  ): ExecutionDeps {
    let last = 0;
    const onProgress = (progress: ExecutionProgress) => {
      const now = Date.now();
      if (now - last < progressIntervalMs && progress.objectsDone < progress.objectsTotal) return;
      last = now;
      job.updateProgress({ ...progress }).catch((error: unknown) => {
        logger.warn({ err: error }, 'could not report progress');
      });
    };
    // The monitor's SSE-KMS key encrypts everything its execution writes (reports, claims, markers).
    const kmsKey = (job.data as { execution?: { sseKmsKeyId?: string } }).execution?.sseKmsKeyId;
    const storage = withSseKms(ctx.storage, kmsKey);
    // Under a lease, nothing is written or published once the lock is no longer this attempt's.
    const fence = lease?.fence;
    const publisher = ctx.publisher && fence ? fencedPublisher(ctx.publisher, fence) : ctx.publisher;
    return {
      storage: fence ? fencedStorage(storage, fence) : storage,
      ...(publisher ? { publisher } : {}),
      logger,
      ...(signal ? { signal } : {}),
      threads: ctx.threads ?? 1,
      ...(token ? { lockToken: token } : {}),
      publication: {
        defer: true,
        ...(ctx.metricsSettleMs !== undefined
          ? {
              settleMs: ctx.metricsSettleMs,
              pollMs: Math.max(100, Math.min(15_000, ctx.metricsSettleMs / 4)),
            }
          : {}),
      },
      attempt: `job ${job.id} attempt ${job.attemptsMade + 1} on ${hostname()} pid ${process.pid}`,
      ...(ctx.callerIdentity ? { callerIdentity: ctx.callerIdentity } : {}),
      onProgress,
    };
  }

  async function processTick(job: Job<TickJobData>): Promise<TickResult> {
    const scheduledMillis = job.opts.prevMillis ?? Number(job.id?.split(':').at(-1));
    if (!Number.isFinite(scheduledMillis)) {
      throw new ConfigError(`tick ${job.id} has no scheduled time`, { field: 'prevMillis' });
    }
    const scheduled = new Date(scheduledMillis);
    const source = `job scheduler ${job.repeatJobKey ?? job.id}`;
    const monitor: MonitorConfig = parseMonitor(job.data.monitor, { file: source, field: 'monitor' });
    const expected = job.repeatJobKey ? monitorOfSchedulerId(job.repeatJobKey) : monitor.name;
    if (expected !== undefined && expected !== monitor.name) {
      throw new ConfigError(`the scheduler belongs to '${expected}' but carries monitor '${monitor.name}'`, {
        file: source,
        field: 'monitor.name',
      });
    }
    const schedule = scheduleOf(monitor);
    const times: Array<{ at: Date; trigger: ExecutionJobData['trigger'] }> = [];
    const client = await ctx.queue.client;
    const key = lastTickKey(ctx.queue);
    const previous = await client.hget(key, monitor.name);
    if (schedule.kind === 'cron' && monitor.catchUp > 0) {
      const [expression, millis] = previous?.split('|') ?? [];
      // Missed before this tick (worker or Redis down): after the last tick seen, on the same schedule
      // (a new expression starts afresh), the latest `catchUp` of them.
      if (expression === schedule.expression && millis && Number.isFinite(Number(millis))) {
        const missed = previousRuns(schedule, new Date(scheduled.getTime() - 1), monitor.catchUp)
          .filter((at) => at.getTime() > Number(millis))
          .reverse();
        for (const at of missed) times.push({ at, trigger: 'catch-up' });
      }
    }
    times.push({ at: scheduled, trigger: 'schedule' });
    if (schedule.kind === 'cron' && monitor.catchUp > 0) {
      // Skipped after this tick: a late tick makes BullMQ plan the next one from "now", so the scheduled
      // times between this one and now would never fire.
      const now = Date.now();
      for (const at of nextRuns(schedule, scheduled, monitor.catchUp)) {
        if (at.getTime() <= now) times.push({ at, trigger: 'catch-up' });
      }
    }
    const executions: string[] = [];
    for (const { at, trigger } of times) {
      const { id, data } = executionFor(monitor, at, trigger);
      await ctx.queue.add(jobNames.execution, data, executionJobOptions(id, data));
      executions.push(id);
    }
    if (schedule.kind === 'cron')
      executions.push(...(await retryMissingLabels(monitor, schedule, scheduled)));
    const latest = times[times.length - 1]?.at ?? scheduled;
    const scheduleText = schedule.kind === 'cron' ? schedule.expression : 'NOW';
    // Not atomic with other ticks of this monitor: an older value written late only makes a later tick
    // re-enqueue executions that exist already, which their deterministic ids turn into no-ops.
    const [previousExpression, previousMillis] = previous?.split('|') ?? [];
    if (previousExpression !== scheduleText || !(Number(previousMillis) >= latest.getTime())) {
      await client.hset(key, { [monitor.name]: `${scheduleText}|${latest.getTime()}` });
    }
    if (times.length > 1) {
      ctx.logger.info({ monitor: monitor.name, executions }, 'enqueued missed scheduled executions');
    }
    return { monitor: monitor.name, scheduledTime: scheduled.toISOString(), executions };
  }

  /**
   * Model quality and bias: labels arrive late, and a window that failed for lack of them ("No ground truth to
   * merge") is computed again at each later tick, until `retryMissingLabelsFor` after its scheduled time
   * (SageMaker runs each window once: its offsets, e.g. `-P1DT1H..-P1D`, give labels a day, and a window
   * whose labels come later stays failed). The retry reads label folders up to this tick (within the
   * monitor's `groundTruthHorizon`) and replaces the stored `Failed` result (`rerun.recomputeFailed`). The
   * deadline is decided here, against the tick's scheduled time, so a late or catch-up tick decides as the
   * tick on time would have.
   * Returns the ids of the windows enqueued again.
   */
  async function retryMissingLabels(
    monitor: MonitorConfig,
    schedule: CronSchedule,
    scheduled: Date,
  ): Promise<string[]> {
    const retryFor = missingLabelsRetryOf(monitor);
    if (retryFor === undefined) return [];
    const retryMs = parseDuration(retryFor);
    if (!(retryMs > 0)) return [];
    const retried: string[] = [];
    for (const at of runsBetween(schedule, new Date(scheduled.getTime() - retryMs), scheduled, 1_000)) {
      const { id, data } = executionFor(monitor, at, 'label-retry');
      const job = await ctx.queue.getJob(id);
      if (!job || (await job.getState()) !== 'completed') continue;
      const result = job.returnvalue as Partial<ExecutionResult> | null | undefined;
      if (result?.status !== 'Failed' || !result.failureReason?.startsWith(NO_GROUND_TRUTH)) continue;
      await job.remove();
      const retryData = {
        ...data,
        execution: {
          ...data.execution,
          groundTruthReadUntil: scheduled.toISOString(),
          rerun: { recomputeFailed: true },
        },
      } as ExecutionJobData;
      await ctx.queue.add(jobNames.execution, retryData, executionJobOptions(id, retryData));
      retried.push(id);
    }
    if (retried.length > 0)
      ctx.logger.info({ monitor: monitor.name, executions: retried }, 'windows waiting for labels retried');
    return retried;
  }

  /**
   * An execution job: the skeleton (monitor/execution.ts) runs it; this only decides whether to split its
   * window into part jobs (a kind with `parts`, more inputs than the monitor's split threshold), and then
   * collects the parts' partial profiles for the skeleton.
   */
  async function processExecution(
    job: Job<ExecutionJobData>,
    token: string | undefined,
    signal: AbortSignal | undefined,
    lease: Lease | undefined,
  ): Promise<ExecutionResult> {
    const data = job.data;
    const kind = kindOf(data.kind);
    const logger = ctx.logger.child({
      jobId: job.id,
      monitor: data.execution.monitorName,
      scheduledTime: data.execution.scheduledTime,
    });
    const deps = depsFor(job, logger, signal, token, lease);
    const parts = kind.parts;
    let planned = 0;
    const collect = parts
      ? async (baseline: unknown, timings: Record<string, number>): Promise<unknown> => {
          let plan = job.data.plan;
          if (!plan) {
            logger.info({ trigger: data.trigger, attempt: job.attemptsMade + 1 }, 'execution started');
            const started = Date.now();
            const objects = await parts.listInputs(data.execution, deps);
            timings.listMs = Date.now() - started;
            if (objects.length <= data.split.threshold) {
              deps.onProgress?.({ objectsDone: 0, objectsTotal: objects.length, recordsRead: 0 });
              const partial = await parts.profile(data.execution, objects, deps);
              timings.profileMs = Date.now() - started - timings.listMs;
              return parts.merge(data.execution, baseline, [partial]);
            }
            plan = partitionBySize(objects.map(serializeObject), data.split.maxParts);
            // The plan is stored before any part exists, so a restarted parent re-adds exactly the same parts.
            await job.updateData({ ...job.data, plan, splitAt: Date.now() });
            logger.info({ objects: objects.length, parts: plan.length }, 'window split into parts');
          }
          if (job.data.step !== 'merge') {
            await addParts(job, plan);
            await job.updateData({ ...job.data, plan, step: 'merge' });
          }
          planned = plan.length;
          const partials = await partsDone(job, token, plan, logger);
          const splitAt = job.data.splitAt;
          if (typeof splitAt === 'number') timings.partsMs = Date.now() - splitAt;
          logger.info({ parts: plan.length, ...timings }, 'parts merged');
          return parts.merge(data.execution, baseline, partials);
        }
      : undefined;
    const summary = await execute(kind, data.execution, deps, {
      ...(collect ? { collect } : {}),
      onComplete: (done) => {
        ctx.onSummary?.(data.kind, done);
        logSummary(logger, done);
      },
    });
    return executionResult(summary, planned);
  }

  async function addParts(
    job: Job<ExecutionJobData>,
    plan: SerializedObject[][],
    only?: Set<number>,
  ): Promise<void> {
    const parent = { id: job.id as string, queue: job.queueQualifiedName };
    const parts = plan
      .map((objects, index) => ({ objects, index }))
      .filter(({ index }) => !only || only.has(index))
      .map(({ objects, index }) => ({
        name: jobNames.part,
        data: { kind: job.data.kind, execution: job.data.execution, objects, index } as PartJobData,
        opts: {
          jobId: partJobId(job.id as string, index),
          parent,
          failParentOnFailure: true,
          attempts: job.data.retry.attempts,
          backoff: { type: 'exponential', delay: job.data.retry.backoffMs },
          ...retention,
        },
      }));
    for (let i = 0; i < parts.length; i += 500) await ctx.queue.addBulk(parts.slice(i, i + 500));
  }

  /** The partial profiles of every part (in plan order), or `WaitingChildrenError` while some run. */
  async function partsDone(
    job: Job<ExecutionJobData>,
    token: string | undefined,
    plan: SerializedObject[][],
    logger: Logger,
  ): Promise<PartialProfileJSON[]> {
    if (!token) throw new DriftwatchError('E_INTERNAL', 'a split execution needs its lock token');
    for (let round = 0; ; round++) {
      if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
      const values = await job.getChildrenValues<PartialProfileJSON>();
      const byIndex = new Map<number, PartialProfileJSON>();
      for (const [childKey, value] of Object.entries(values)) {
        const match = /__part(\d+)$/.exec(childKey);
        if (match && value) byIndex.set(Number(match[1]), value);
      }
      const missing = new Set<number>();
      for (let i = 0; i < plan.length; i++) if (!byIndex.has(i)) missing.add(i);
      if (missing.size === 0) return plan.map((_, i) => byIndex.get(i) as PartialProfileJSON);
      if (round >= 2) {
        throw new DriftwatchError('E_PARTS', `${missing.size} of ${plan.length} parts have no result`);
      }
      logger.warn({ missing: [...missing] }, 're-adding parts that have no result');
      await addParts(job, plan, missing);
    }
  }

  async function processPart(
    job: Job<PartJobData>,
    signal: AbortSignal | undefined,
    lease: Lease | undefined,
  ): Promise<PartialProfileJSON> {
    const kind = kindOf(job.data.kind);
    if (!kind.parts)
      throw new ConfigError(`'${job.data.kind}' executions cannot be split`, { field: 'type' });
    const logger = ctx.logger.child({ jobId: job.id, monitor: job.data.execution.monitorName });
    const deps = depsFor(job, logger, signal, undefined, lease);
    crashPoint('part:start');
    return await kind.parts.profile(job.data.execution, job.data.objects.map(reviveObject), deps);
  }

  function logSummary(logger: Logger, summary: ExecutionSummary): void {
    logger.info(
      {
        status: summary.status,
        violations: summary.violations,
        recordsRead: summary.recordsRead,
        metricsPublished: summary.metricsPublished,
        reportUri: summary.reportUri,
      },
      'execution finished',
    );
  }

  return async function processJob(job: Job, token?: string, signal?: AbortSignal): Promise<unknown> {
    const leases = ctx.leases;
    const lease =
      leases && token && job.name !== jobNames.tick
        ? leases.leases.lease(job, token, ctx.queue.client, (reason) =>
            leases.cancelJob(job.id as string, reason),
          )
        : undefined;
    try {
      switch (job.name) {
        case jobNames.tick:
          return await processTick(job as Job<TickJobData>);
        case jobNames.execution:
          return await processExecution(job as Job<ExecutionJobData>, token, signal, lease);
        case jobNames.part:
          return await processPart(job as Job<PartJobData>, signal, lease);
        default:
          throw new ConfigError(`unknown job name '${job.name}'`, { field: 'name' });
      }
    } catch (error) {
      if (error instanceof WaitingChildrenError || error instanceof DelayedError) throw error;
      if (error instanceof LockLostError || signal?.reason === LOCK_LOST) {
        // The job is no longer this attempt's: leave it to its new owner or to the stalled-job check.
        ctx.logger.warn({ jobId: job.id, err: error }, 'job stopped: its lock was lost');
        throw new DelayedError();
      }
      if (error instanceof PublicationPendingError && token) {
        // Not a failure, and no reason to hold this worker's slot: look again later.
        await job.moveToDelayed(error.retryAt, token);
        ctx.logger.info({ jobId: job.id, retryAt: new Date(error.retryAt).toISOString() }, error.message);
        throw new DelayedError();
      }
      if (signal?.aborted && token) {
        // Shutting down: hand the job back (due now) without using up an attempt.
        await job.moveToDelayed(Date.now(), token);
        ctx.logger.info({ jobId: job.id }, 'handed the job back to the queue');
        throw new DelayedError();
      }
      // The error boundary: SDK, file-system and Redis errors become one line naming the operation and URI.
      const failure = toDriftwatchError(error);
      if (isPermanent(failure)) {
        ctx.logger.error({ jobId: job.id, err: error }, 'job failed permanently');
        throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
      }
      ctx.logger.warn(
        { jobId: job.id, attempt: job.attemptsMade + 1, err: error },
        'job failed; it will be retried',
      );
      throw failure;
    } finally {
      lease?.release();
    }
  };
}
