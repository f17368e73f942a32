/**
 * A stable worker identity (`driftwatch worker --worker-id`, e.g. a StatefulSet pod name or a systemd
 * instance): a process restarted under the same id knows that its previous incarnation is gone, and takes
 * its jobs back at once instead of waiting for its liveness stamp to age out (`liveness.ts`) or its locks
 * to expire.
 *
 * Terms: the *worker id* is the stable name given by the operator; an *incarnation* is one process under
 * that name, known by its BullMQ worker id (random per process, the first part of its lock tokens
 * `<incarnation>:<n>`). Lock tokens stay unique per process, so fencing (`lease.ts`) tells two
 * incarnations apart.
 *
 * The hash `<prefix>:<queue>:worker-ids` maps each worker id to its current incarnation. At start (once
 * connected, before taking jobs) one Lua script records this process as the current incarnation and, when
 * another one was recorded, removes that one's liveness stamp, deletes the locks of the active jobs it
 * held and marks them stalled; the worker then runs BullMQ's stalled-job check at once, which moves them
 * back to wait (counting a stall, as a lock expiry would). The entry is never removed: an incarnation
 * closed gracefully has handed its jobs back and leaves nothing to take.
 *
 * Two live processes given the same id (a misconfiguration): the newer one wins, as it must (a predecessor
 * that died a moment ago looks the same). The older one looks at the hash every `checkIntervalMs`; once it
 * finds another incarnation there it logs an error and `onReplaced` stops it. Its jobs' locks are gone, so
 * fencing has already stopped them from writing or publishing anything.
 */
import type { Worker } from 'bullmq';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { evalReleasingLocks, logReleasedLocks, RELEASE_LOCKS, runStalledJobCheck } from './liveness.js';

/** Worker ids: letters, digits, `.`, `_`, `-`, `@` (no `:`: BullMQ builds lock tokens with it). */
const WORKER_ID_PATTERN = /^[A-Za-z0-9._@-]{1,128}$/;

/** Throws `ConfigError` unless `id` is a valid worker id. */
export function checkWorkerId(id: string, field = 'workerId'): string {
  if (!WORKER_ID_PATTERN.test(id))
    throw new ConfigError('must be 1-128 characters of [A-Za-z0-9._@-]', { field });
  return id;
}

interface IdentityRedis {
  hget(key: string, field: string): Promise<string | null>;
}

// KEYS: worker-ids, workers (liveness stamps), active, stalled, stalled-check. ARGV: queue key prefix
// ('<prefix>:<queue>:'), worker id, this incarnation. Returns the previous incarnation ('' if none) and
// '<job id>|<lock token>' for each job whose lock it released.
const CLAIM = `${RELEASE_LOCKS}
local previous = redis.call('HGET', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
if not previous or previous == ARGV[3] then return {''} end
redis.call('ZREM', KEYS[2], previous)
return releaseLocks({previous}, function(owner) return owner == previous end)`;

export class WorkerIdentity {
  readonly #worker: Worker;
  readonly #workerId: string;
  readonly #logger: Logger;
  readonly #checkIntervalMs: number;
  readonly #onReplaced: (by: string) => void | Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #closed = false;

  constructor(options: {
    worker: Worker;
    /** Checked by `WorkerService` (`checkWorkerId`). */
    workerId: string;
    logger: Logger;
    /** Called once when another process has taken this worker id over. */
    onReplaced: (by: string) => void | Promise<void>;
    /** How often to check that this process is still the id's incarnation, in ms. @defaultValue 1000 */
    checkIntervalMs?: number;
  }) {
    this.#worker = options.worker;
    this.#workerId = options.workerId;
    this.#logger = options.logger;
    this.#onReplaced = options.onReplaced;
    this.#checkIntervalMs = options.checkIntervalMs ?? 1_000;
  }

  get #idsKey(): string {
    return this.#worker.toKey('worker-ids');
  }

  async #redis(): Promise<IdentityRedis> {
    return (await this.#worker.client) as unknown as IdentityRedis;
  }

  /**
   * Records this process as the worker id's incarnation and takes back the jobs of the previous one (call
   * once connected, before the worker takes jobs). Returns the ids of the jobs taken back.
   */
  async claim(): Promise<string[]> {
    const [previous = '', ...taken] = await evalReleasingLocks(
      this.#worker,
      CLAIM,
      [this.#idsKey, this.#worker.toKey('workers')],
      [this.#workerId, this.#worker.id],
    );
    if (previous)
      this.#logger.info(
        { workerId: this.#workerId, previous, jobs: taken.length },
        'took over the worker id from its previous process',
      );
    const jobIds = logReleasedLocks(
      this.#logger,
      taken,
      'the previous process of this worker id held this job; released its lock',
      { workerId: this.#workerId },
    );
    if (jobIds.length > 0) await runStalledJobCheck(this.#worker);
    return jobIds;
  }

  /** Starts checking that no other process has taken this worker id over. */
  start(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setInterval(() => void this.#check(), this.#checkIntervalMs);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    if (this.#busy || this.#closed) return;
    this.#busy = true;
    try {
      const current = await (await this.#redis()).hget(this.#idsKey, this.#workerId);
      if (this.#closed || current === null || current === this.#worker.id) return;
      this.close();
      this.#logger.error(
        { workerId: this.#workerId, by: current },
        'another process started with this worker id and took over its jobs: stopping this one (two live workers must not share a --worker-id)',
      );
      await this.#onReplaced(current);
    } catch (error) {
      if (!this.#closed) this.#logger.debug({ err: error }, 'worker id check failed (retrying)');
    } finally {
      this.#busy = false;
    }
  }

  /** Stops checking. The id's entry stays: a later process with this id finds nothing of ours to take. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
