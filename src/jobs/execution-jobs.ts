/**
 * Execution and part jobs: the skeleton (`monitor/execution.ts`) runs an execution; this only decides
 * whether to split its window into part jobs (a BullMQ flow: a kind with `parts`, more inputs than the
 * monitor's split threshold), collects the parts' partial profiles for the skeleton, and gives each job
 * its dependencies (SSE-KMS storage, progress reports, and under a lease the fenced storage and publisher).
 */
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import { ConfigError, DriftwatchError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { partitionBySize } from '../core/partition.js';
import { type ObjectInfo, withSseKms } from '../io/storage.js';
import { crashPoint } from '../monitor/crash-points.js';
import type { AnyMonitorKind } from '../monitor/execution.js';
import type {
  ExecutionDeps,
  ExecutionProgress,
  ExecutionSummary,
  PartialProfileJSON,
} from '../monitor/types.js';
import { WaitingChildrenError } from './bullmq.js';
import { partJobId } from './ids.js';
import type { LoadMonitorKind } from './kinds.js';
import { fencedPublisher, fencedStorage, type Lease } from './lease.js';
import {
  type ExecutionJobData,
  type ExecutionResult,
  executionResult,
  jobNames,
  type PartJobData,
  retention,
  type SerializedObject,
} from './payloads.js';
import type { ProcessorContext } from './processor.js';

function serializeObject(o: ObjectInfo): SerializedObject {
  return { uri: o.uri, size: o.size, etag: o.etag, lastModified: new Date(o.lastModified).toISOString() };
}

function reviveObject(o: SerializedObject): ObjectInfo {
  return { uri: o.uri, size: o.size, etag: o.etag, lastModified: new Date(o.lastModified) };
}

/** The processors of execution and part jobs, over `ctx`. */
export function createExecutionJobs(ctx: ProcessorContext) {
  const progressIntervalMs = ctx.progressIntervalMs ?? 1_000;

  /** The job's monitor kind, its execution code loaded on the first job of the kind. */
  async function kindOf(kind: string): Promise<AnyMonitorKind> {
    const load = (ctx.kinds as Record<string, LoadMonitorKind | undefined>)[kind];
    if (!load) {
      const known = Object.keys(ctx.kinds).join(', ');
      throw new ConfigError(`this worker cannot run '${kind}' monitors (it runs: ${known})`, {
        field: 'type',
      });
    }
    return await load();
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
    const kind = await kindOf(data.kind);
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
    // The execution skeleton (reading the baseline, writing reports, publishing) is loaded with the first
    // execution, as each kind's own code is (kinds.ts): a worker starts without it.
    const { execute } = await import('../monitor/execution.js');
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
    const kind = await kindOf(job.data.kind);
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

  return { processExecution, processPart };
}
