/**
 * The worker service: one lifecycle object around a BullMQ worker that runs driftwatch jobs.
 *
 * - `start()` connects and starts taking jobs; `close()` stops, and is idempotent (every call returns
 *   the same promise).
 * - Graceful close: stop taking jobs, let active jobs finish for `shutdownTimeoutMs`; then abort them:
 *   an aborted job is handed back to the queue (due now, no attempt used) for another worker.
 *   `close({ force: true })` (or a second call with force while closing) aborts at once.
 * - A job whose worker died (SIGKILL, lost host) is taken back once that worker has not stamped its
 *   liveness for `livenessTtlMs` (`liveness.ts`: another worker releases its lock), at the latest when its
 *   lock expires after `lockDurationMs`; the stalled-job check then moves it back to wait, and it runs
 *   again under the same id.
 * - With a stable `workerId` (a pod or instance name kept across restarts), a restarted process takes its
 *   dead predecessor's jobs back as soon as it is connected (`worker-identity.ts`); a second live process
 *   with the same id takes them from the first, which then stops (`replacedBy`).
 * - Redis outages: connections retry forever; commands wait for the reconnect (jobs in progress go on
 *   with their S3 work; their lock is renewed when Redis is back).
 * Signal handlers belong to the CLI (`driftwatch worker`), not to this class.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Queue, Worker } from 'bullmq';
import type { MetricPublisher } from '../alerts/metric-publisher.js';
import type { QueueSettings } from '../config/monitors.js';
import { DriftwatchError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/log.js';
import type { Storage } from '../io/storage.js';
import type { CallerIdentityLookup } from '../security/caller-identity.js';
import { WorkerClass } from './bullmq.js';
import { type ExecutionKinds, executionKinds } from './kinds.js';
import { LockLeases } from './lease.js';
import { Liveness, stopStalledCheck } from './liveness.js';
import type { WorkerMetrics } from './observability.js';
import { createProcessor } from './processor.js';
import { openQueue } from './queue.js';
import { type RedisSettings, redisOptionsFromUrl } from './redis.js';
import { checkWorkerId, WorkerIdentity } from './worker-identity.js';

export interface WorkerServiceOptions {
  /** Redis URL (`redis://`, `rediss://`), as in `REDIS_URL`. */
  redis: string | RedisSettings;
  queue: QueueSettings;
  storage: Storage;
  /** Where executions publish their metrics (`cloudWatchPublisher`); needed by monitors that publish. */
  publisher?: MetricPublisher;
  logger?: Logger;
  /** Jobs this process runs at once. @defaultValue 1 */
  concurrency?: number;
  /** Profiling threads per job (scale out with worker processes first). @defaultValue 1 */
  threads?: number;
  /** How long a job's lock lasts without renewal, in ms: a dead worker's job is retaken after this. @defaultValue 30000 */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs, in ms. @defaultValue 30000 */
  stalledIntervalMs?: number;
  /** Times a job may stall (its worker died) before it fails. @defaultValue 2 */
  maxStalledCount?: number;
  /**
   * A worker that has not stamped its liveness in Redis for this long counts as dead, and any worker
   * releases its jobs' locks at once instead of waiting for them to expire (see `liveness.ts`). 0 turns
   * this off; it is off too when not shorter than the lock duration. @defaultValue 3000
   */
  livenessTtlMs?: number;
  /**
   * A stable name for this worker, kept by whatever restarts it (a StatefulSet pod name, a systemd
   * instance): a process started with the id of one that died takes that one's jobs back at once (see
   * `worker-identity.ts`). Two live processes must not share it: the older one stops. Also BullMQ's
   * worker name (each job's `processedBy`). `[A-Za-z0-9._@-]`, at most 128 characters.
   * @defaultValue none: a fresh identity per process, takeover by liveness or lock expiry only
   */
  workerId?: string;
  /** How long a graceful close waits for active jobs before handing them back, in ms. @defaultValue 30000 */
  shutdownTimeoutMs?: number;
  /** How long to wait for aborted jobs to hand themselves back, in ms. @defaultValue 10000 */
  handBackTimeoutMs?: number;
  /** How long a dead attempt's metrics may take to show in CloudWatch, in ms (see `publishOnce`). @defaultValue 180000 */
  metricsSettleMs?: number;
  /** Minimum time between progress updates of a job, in ms. @defaultValue 1000 */
  progressIntervalMs?: number;
  /** The execution kinds this worker runs. @defaultValue `executionKinds` */
  kinds?: ExecutionKinds;
  /** Counts executions, what they read and the queue depth (served by `HealthServer` at `/metrics`). */
  metrics?: WorkerMetrics;
  /** Who the worker runs as (STS, asked once), recorded in each execution's `audit.caller`. */
  callerIdentity?: CallerIdentityLookup;
}

export type WorkerServiceState = 'new' | 'starting' | 'running' | 'closing' | 'closed';

/** Resolves to 'timeout' after `ms`, without keeping the process alive. */
const sleep = (ms: number) => delay(ms, 'timeout' as const, { ref: false });

export class WorkerService {
  readonly #options: WorkerServiceOptions;
  readonly #logger: Logger;
  #state: WorkerServiceState = 'new';
  #worker: Worker | undefined;
  #queue: Queue | undefined;
  #running: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #abort: (() => void) | undefined;
  #lastConnectionErrorLog = 0;
  #ready = false;
  #liveness: Liveness | undefined;
  #identity: WorkerIdentity | undefined;
  #replacedBy: string | undefined;
  /** Set when closing before Redis was reached: connection attempts then end instead of retrying. */
  #givingUp = false;
  #resolveClosed!: () => void;
  /** Resolves once the service has closed (whoever closed it). */
  readonly closed: Promise<void> = new Promise((resolve) => {
    this.#resolveClosed = resolve;
  });

  constructor(options: WorkerServiceOptions) {
    if (options.workerId !== undefined) checkWorkerId(options.workerId);
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  get state(): WorkerServiceState {
    return this.#state;
  }

  /** The BullMQ worker (after `start()`), e.g. to listen to its events. */
  get worker(): Worker | undefined {
    return this.#worker;
  }

  /** The worker's own queue (after `start()`), e.g. for readiness checks. */
  get queue(): Queue | undefined {
    return this.#queue;
  }

  /**
   * Set when another process started with this service's `workerId` took its jobs over (the service then
   * closes itself): the incarnation (BullMQ worker id) that did.
   */
  get replacedBy(): string | undefined {
    return this.#replacedBy;
  }

  /** Connects to Redis and starts taking jobs. Resolves once the worker is connected. */
  async start(): Promise<void> {
    if (this.#state !== 'new')
      throw new DriftwatchError('E_STATE', `cannot start a worker service that is ${this.#state}`);
    this.#state = 'starting';
    const o = this.#options;
    const lockDuration = o.lockDurationMs ?? 30_000;
    const connect = { giveUp: () => this.#givingUp };
    this.#queue = openQueue({ redis: o.redis, queue: o.queue, role: 'worker', connect });
    const leases = new LockLeases({ lockDurationMs: lockDuration, logger: this.#logger });
    const processor = createProcessor({
      queue: this.#queue,
      kinds: o.kinds ?? executionKinds,
      ...(o.metrics ? { onSummary: o.metrics.countSummary.bind(o.metrics) } : {}),
      storage: o.storage,
      ...(o.publisher ? { publisher: o.publisher } : {}),
      logger: this.#logger,
      ...(o.progressIntervalMs !== undefined ? { progressIntervalMs: o.progressIntervalMs } : {}),
      ...(o.threads !== undefined ? { threads: o.threads } : {}),
      ...(o.metricsSettleMs !== undefined ? { metricsSettleMs: o.metricsSettleMs } : {}),
      ...(o.callerIdentity ? { callerIdentity: o.callerIdentity } : {}),
      leases: {
        leases,
        cancelJob: (jobId, reason) => {
          this.#worker?.cancelJob(jobId, reason);
        },
      },
    });
    const worker = new WorkerClass(o.queue.name, processor, {
      connection: redisOptionsFromUrl(o.redis, 'worker', connect),
      prefix: o.queue.prefix,
      concurrency: o.concurrency ?? 1,
      lockDuration,
      stalledInterval: o.stalledIntervalMs ?? lockDuration,
      maxStalledCount: o.maxStalledCount ?? 2,
      autorun: false,
      ...(o.workerId !== undefined ? { name: o.workerId } : {}),
    });
    this.#worker = worker;
    leases.attach(worker);
    if (o.workerId !== undefined)
      this.#identity = new WorkerIdentity({
        worker,
        workerId: o.workerId,
        logger: this.#logger,
        onReplaced: async (by) => {
          this.#replacedBy = by;
          // The jobs the other process took stop at once (fencing); any this one took since is handed back.
          await leases.loseTaken(`another process took over worker id ${o.workerId}`);
          void this.close({ force: true });
        },
      });
    const livenessTtl = o.livenessTtlMs ?? 3_000;
    if (livenessTtl > 0 && livenessTtl < lockDuration)
      this.#liveness = new Liveness({ worker, ttlMs: livenessTtl, logger: this.#logger });
    o.metrics?.observe(worker, this.#queue);
    worker.on('error', (error) => this.#onError(error));
    worker.on('stalled', (jobId) =>
      this.#logger.warn({ jobId }, 'job stalled (its worker stopped); it will run again'),
    );
    worker.on('failed', (job, error) => {
      if (!job) return;
      const final = job.finishedOn !== undefined || job.attemptsMade >= (job.opts.attempts ?? 1);
      this.#logger[final ? 'error' : 'warn'](
        { jobId: job.id, attemptsMade: job.attemptsMade, reason: error.message },
        final ? 'job failed' : 'job attempt failed',
      );
    });
    worker.on('completed', (job) => this.#logger.debug({ jobId: job.id, name: job.name }, 'job completed'));
    try {
      // A close() while Redis is still unreachable ends the start instead of waiting for Redis.
      const ready = Promise.all([worker.waitUntilReady(), this.#queue.waitUntilReady()]).then(
        () => 'ready' as const,
      );
      if ((await Promise.race([ready, this.closed.then(() => 'closed' as const)])) === 'closed') return;
    } catch (error) {
      // A close() during start-up makes the connection attempts fail on purpose: not an error of start().
      const closedDuringStart = this.#closing !== undefined;
      await this.close({ force: true });
      if (closedDuringStart) return;
      throw error;
    }
    this.#ready = true;
    if (this.#closing) return;
    if (this.#identity) {
      // Before taking jobs: the previous process's jobs go back to wait first, and are taken in order.
      try {
        await this.#identity.claim();
      } catch (error) {
        // Its jobs are then taken back by liveness or lock expiry, as without an id.
        this.#logger.warn({ err: error }, 'could not take over the worker id (going on without)');
      }
      if (this.#closing) return;
    }
    // Taking jobs (and BullMQ's stalled-job check) starts only once connected: a worker closed before it
    // reached Redis has nothing running, no check waiting out its interval.
    this.#running = worker.run().catch((error: unknown) => {
      this.#logger.error({ err: error }, 'worker stopped with an error');
    });
    this.#liveness?.start();
    this.#identity?.start();
    if (this.#state === 'starting') this.#state = 'running';
    this.#logger.info(
      {
        queue: o.queue.name,
        prefix: o.queue.prefix,
        concurrency: o.concurrency ?? 1,
        lockDurationMs: lockDuration,
        ...(o.workerId !== undefined ? { workerId: o.workerId } : {}),
      },
      'worker started',
    );
  }

  #onError(error: Error): void {
    const now = Date.now();
    // While Redis is down every reconnect attempt fails: log the first, then at most every 10 s.
    if (now - this.#lastConnectionErrorLog < 10_000) return;
    this.#lastConnectionErrorLog = now;
    this.#logger.warn({ err: error }, 'worker connection error (retrying)');
  }

  /**
   * Stops the worker. Graceful by default: active jobs get `shutdownTimeoutMs` to finish, then are handed
   * back. `force`: hand back at once. Idempotent: later calls return the same promise (a forced call
   * while a graceful close runs hands the jobs back at once).
   */
  close(options: { force?: boolean } = {}): Promise<void> {
    if (this.#closing) {
      if (options.force) this.#abort?.();
      return this.#closing;
    }
    this.#state = 'closing';
    this.#closing = this.#close(options.force ?? false).finally(() => {
      this.#state = 'closed';
      this.#resolveClosed();
    });
    return this.#closing;
  }

  /** Each Redis connection of this service, settling once it is ready or has given up. */
  #connections(): Array<Promise<unknown>> {
    // The worker's blocking connection is private in BullMQ's types; it has been there since BullMQ 1.
    const blocking = (this.#worker as unknown as { blockingConnection?: { client?: Promise<unknown> } })
      ?.blockingConnection?.client;
    return [this.#worker?.client, blocking, this.#queue?.client].filter(
      (c): c is Promise<unknown> => c !== undefined,
    );
  }

  async #close(force: boolean): Promise<void> {
    const worker = this.#worker;
    const o = this.#options;
    this.#logger.info({ force }, 'worker closing');
    this.#identity?.close();
    // Bounded: with Redis down the stamp's removal waits; the stamp then ages out.
    if (this.#liveness) await Promise.race([this.#liveness.close(), sleep(1_000)]);
    if (worker && !this.#ready) {
      // Never connected: nothing runs. Let every connection attempt fail and settle first, while the
      // error listeners are still attached; BullMQ's close drops them, and a connection attempt that
      // fails after that is thrown as an unhandled rejection.
      this.#givingUp = true;
      await Promise.race([Promise.allSettled(this.#connections()), sleep(10_000)]);
      await Promise.race([worker.close(true).catch(() => {}), sleep(5_000)]);
    } else if (worker) {
      let aborted = false;
      const abort = () => {
        if (aborted) return;
        aborted = true;
        this.#logger.warn('handing active jobs back to the queue');
        worker.cancelAllJobs('worker shutting down');
      };
      this.#abort = abort;
      const closed = worker.close().then(() => 'closed' as const);
      if (force) abort();
      else if ((await Promise.race([closed, sleep(o.shutdownTimeoutMs ?? 30_000)])) === 'timeout') abort();
      if ((await Promise.race([closed, sleep(o.handBackTimeoutMs ?? 10_000)])) === 'timeout') {
        this.#logger.error(
          'active jobs did not stop; their locks will expire and another worker will take them over',
        );
        await worker.disconnect().catch(() => {});
      }
    }
    // Bounded: with Redis down, a clean close would wait for it forever.
    if (this.#running) await Promise.race([this.#running, sleep(5_000)]);
    if (worker) await stopStalledCheck(worker);
    const queue = this.#queue;
    if (queue) {
      const closed = queue.close().then(
        () => 'closed' as const,
        () => 'closed' as const,
      );
      if ((await Promise.race([closed, sleep(5_000)])) === 'timeout')
        await queue.disconnect().catch(() => {});
    }
    this.#logger.info('worker closed');
  }
}
