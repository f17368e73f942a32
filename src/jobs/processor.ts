/**
 * The processor of the driftwatch queue: each job under a lease on its lock (lease.ts), handed to its
 * kind's processor (ticks: ticks.ts; executions, single-process or split into a flow of parts, and parts:
 * execution-jobs.ts), and one error policy for all. Error policy: permanent errors (`isPermanent`: bad config or baseline, unreadable
 * input) become `UnrecoverableError` and fail the job at once with the reason kept on the job; other
 * errors are rethrown and retried with exponential backoff. An execution aborted by a shutdown is handed
 * back (moved to delayed, due now) without using up an attempt; so is one whose metrics an earlier, dead
 * attempt may have sent (delayed until CloudWatch can tell, `PublicationPendingError`).
 */
import type { Job, Queue } from 'bullmq';
import type { MetricPublisher } from '../alerts/metric-publisher.js';
import { toDriftwatchError } from '../core/error-boundary.js';
import { ConfigError, isPermanent, PublicationPendingError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Storage } from '../io/storage.js';
import type { ExecutionSummary } from '../monitor/types.js';
import type { CallerIdentityLookup } from '../security/caller-identity.js';
import { DelayedError, UnrecoverableError, WaitingChildrenError } from './bullmq.js';
import { createExecutionJobs } from './execution-jobs.js';
import type { ExecutionKinds } from './kinds.js';
import { LOCK_LOST, type LockLeases, LockLostError } from './lease.js';
import { type ExecutionJobData, jobNames, type PartJobData, type TickJobData } from './payloads.js';
import { processTick } from './ticks.js';

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

export function createProcessor(ctx: ProcessorContext) {
  const { processExecution, processPart } = createExecutionJobs(ctx);

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
          return await processTick(ctx, job as Job<TickJobData>);
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
