/**
 * Fencing: a job runs only while it holds its BullMQ lock, and writes or publishes nothing after.
 *
 * BullMQ renews a job's lock every ~lockDuration/2 and, when a renewal finds the lock gone (expired and
 * perhaps retaken by another worker), only emits `lockRenewalFailed`; the job would run on. `LockLeases`
 * follows those events and:
 * - aborts the job's `AbortSignal` (reason `LOCK_LOST`) as soon as a renewal fails, or as soon as no
 *   renewal has been confirmed for `lockDurationMs` minus a safety margin (Redis unreachable or paused:
 *   the lock may be expiring, and another worker may take the job);
 * - gives each job a `fence()`, called before every storage write or delete and every metric call of the
 *   execution, each attempt of each (`fencedStorage`, `fencedPublisher`): it throws `LockLostError` unless the lease is
 *   fresh and Redis confirms the job's lock still holds this attempt's token (a GET bounded by the time
 *   left on the lease).
 * A job that lost its lock is left as it is (no hand-back, no failure recorded): the worker that owns it
 * now, or the stalled-job check, decides what happens to it.
 */
import type { Job, Worker } from 'bullmq';
import type { MetricPublisher } from '../alerts/metric-publisher.js';
import { DriftwatchError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Storage } from '../io/storage.js';

export const LOCK_LOST = 'lock lost';

export class LockLostError extends DriftwatchError {
  constructor(message: string) {
    super('E_LOCK_LOST', message);
  }
}

interface Held {
  token: string;
  /** Reads the job's lock from Redis. */
  read: () => Promise<string | null>;
  confirmedAt: number;
  lost?: string;
  cancel: (reason: string) => void;
}

export interface Lease {
  /** Throws `LockLostError` unless this attempt still holds the job's lock. */
  fence(): Promise<void>;
  release(): void;
}

/** Minimal Redis client the fence needs (the queue's ioredis connection). */
export interface LockReader {
  get(key: string): Promise<string | null>;
}

/**
 * A job's lock as `read` finds it in Redis, or `'timeout'` when Redis has not answered within `ms` (a read
 * that fails rejects).
 */
async function readWithin(
  read: () => Promise<string | null>,
  ms: number,
): Promise<string | null | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([read(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class LockLeases {
  readonly #held = new Map<string, Held>();
  readonly #lockDurationMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { lockDurationMs: number; logger: Logger }) {
    this.#lockDurationMs = options.lockDurationMs;
    this.#logger = options.logger;
  }

  /** How long a lease is trusted after its last confirmed renewal. */
  get #trustMs(): number {
    return Math.max(1, this.#lockDurationMs - Math.max(250, this.#lockDurationMs / 5));
  }

  attach(worker: Worker): void {
    worker.on('locksRenewed', ({ jobIds }: { jobIds: string[] }) => {
      const now = Date.now();
      for (const id of jobIds) {
        const held = this.#held.get(id);
        if (held && !held.lost) held.confirmedAt = now;
      }
    });
    worker.on('lockRenewalFailed', (jobIds: string[]) => {
      for (const id of jobIds)
        this.#lose(id, 'its lock could not be renewed (expired or taken by another worker)');
    });
    this.#timer = setInterval(() => this.#watch(), Math.max(50, Math.min(1_000, this.#lockDurationMs / 8)));
    this.#timer.unref();
    worker.on('closed', () => this.close());
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #watch(): void {
    const now = Date.now();
    for (const [id, held] of this.#held) {
      if (!held.lost && now - held.confirmedAt > this.#trustMs)
        this.#lose(id, `no lock renewal confirmed for ${now - held.confirmedAt} ms (Redis unreachable?)`);
    }
  }

  /**
   * Stops each job whose lock no longer holds its attempt's token (`why` is logged), as a failed renewal
   * would; jobs still locked by this process are left to it (e.g. to hand back). A lock that cannot be
   * read within a second counts as lost.
   */
  async loseTaken(why: string): Promise<void> {
    await Promise.all(
      [...this.#held].map(async ([id, held]) => {
        if (held.lost) return;
        const value = await readWithin(held.read, 1_000).catch(() => 'timeout' as const);
        if (value !== held.token) this.#lose(id, why);
      }),
    );
  }

  #lose(jobId: string, why: string): void {
    const held = this.#held.get(jobId);
    if (!held || held.lost) return;
    held.lost = why;
    this.#logger.warn({ jobId }, `lock lost: ${why}; stopping the job, writing and publishing nothing more`);
    held.cancel(LOCK_LOST);
  }

  /**
   * A lease on `job`'s lock for the attempt holding `token`; `cancel` aborts the attempt's signal.
   * `redis` reads the lock key.
   */
  lease(job: Job, token: string, redis: Promise<LockReader>, cancel: (reason: string) => void): Lease {
    const id = job.id as string;
    const lockKey = `${job.queueQualifiedName}:${id}:lock`;
    const held: Held = {
      token,
      read: async () => (await redis).get(lockKey),
      confirmedAt: Date.now(),
      cancel,
    };
    this.#held.set(id, held);
    return {
      fence: async () => {
        if (held.lost) throw new LockLostError(`job ${id}: ${held.lost}`);
        const left = held.confirmedAt + this.#trustMs - Date.now();
        if (left <= 0) {
          this.#lose(id, 'its lease ran out before a renewal was confirmed');
          throw new LockLostError(`job ${id}: lock lease ran out`);
        }
        const value = await readWithin(held.read, left);
        if (value === 'timeout') {
          this.#lose(id, 'Redis did not confirm the lock in time');
        } else if (value !== token) {
          this.#lose(id, value === null ? 'its lock expired' : 'another worker holds its lock');
        } else {
          return;
        }
        throw new LockLostError(`job ${id}: ${held.lost}`);
      },
      release: () => {
        if (this.#held.get(id) === held) this.#held.delete(id);
      },
    };
  }
}

/** `storage` whose writes and deletes first pass `fence`. */
export function fencedStorage(storage: Storage, fence: () => Promise<void>): Storage {
  const out: Storage = {
    readStream: (uri) => storage.readStream(uri),
    readText: (uri) => storage.readText(uri),
    readRange: (uri, start, end) => storage.readRange(uri, start, end),
    head: (uri) => storage.head(uri),
    list: (prefix) => storage.list(prefix),
    write: async (uri, body, options) => {
      await fence();
      return await storage.write(uri, body, options);
    },
    delete: async (uri) => {
      await fence();
      await storage.delete(uri);
    },
  };
  const listFolders = storage.listFolders?.bind(storage);
  if (listFolders) out.listFolders = listFolders;
  return out;
}

/** `publisher` whose every call (each attempt of each PutMetricData above all) first passes `fence`. */
export function fencedPublisher(publisher: MetricPublisher, fence: () => Promise<void>): MetricPublisher {
  const before = (earlier: (() => Promise<void>) | undefined) =>
    earlier
      ? async () => {
          await earlier();
          await fence();
        }
      : fence;
  return {
    put: (namespace, datums, options) =>
      publisher.put(namespace, datums, { ...options, beforeSend: before(options?.beforeSend) }),
    landed: (namespace, datum, options) =>
      publisher.landed(namespace, datum, { ...options, beforeSend: before(options?.beforeSend) }),
  };
}
