/**
 * Fast takeover of a dead worker's jobs, without shortening locks.
 *
 * Each worker process stamps its BullMQ worker id with Redis's clock every `ttlMs / 3` in the sorted set
 * `<prefix>:<queue>:workers` (removed on a graceful close). A reaper in every worker looks, every
 * `ttlMs / 3`, at the active jobs' locks (value `<worker id>:<n>`, as BullMQ builds it). When a lock's owner
 * is in that set but has not stamped it for more than `ttlMs`, one Lua script (so nothing changes in
 * between) deletes the lock and marks the job stalled; the worker then runs BullMQ's stalled-job check at
 * once, which moves the job back to wait (counting a stall, as a lock expiry would).
 *
 * A missing stamp is evidence of death only while stamps could be made: after a Redis outage (restart,
 * pause, network) longer than `ttlMs` every worker's stamp is old, and the first worker back would take
 * every other live worker's jobs. So the reaper counts only time that Redis itself saw as watched: the
 * hash `<prefix>:<queue>:liveness` holds the last stamp by any worker (`last`) and the start of the
 * current unbroken run of stamps (`since`: reset when no worker stamped for more than `ttlMs`). An owner
 * is dead when it has not stamped for more than `ttlMs` of that run: `now - max(stamp, since) > ttlMs`.
 * After an outage the workers that are back get a full `ttlMs` to stamp again (they retry Redis at least
 * once a second); a worker that died meanwhile is found `ttlMs` after the first one is back.
 *
 * Owners that never stamped the set (a worker of an older version) are left to their lock's expiry. A
 * worker that was only paused (SIGSTOP, a long GC or event-loop stall) while others stamped may lose its
 * job this way; the fencing of `lease.ts` then stops it from writing or publishing anything, as after a
 * lock expiry.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Worker } from 'bullmq';
import type { Logger } from '../core/log.js';

/** The Redis call a `RELEASE_LOCKS` script needs (the worker's ioredis connection). */
interface ScriptRedis {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

/**
 * Lua: `releaseLocks(out, gone)` deletes the lock of each active job whose owner (a lock token's worker id,
 * `<worker id>:<n>`) `gone(owner)` says is gone, marks the job stalled and appends `<job id>|<token>` to
 * `out`, then, when it released any, clears the stalled-check key so that the next stalled-job check runs
 * at once; returns `out`.
 * KEYS[3..5] are the queue's active, stalled and stalled-check keys, ARGV[1] its key prefix
 * ('<prefix>:<queue>:'). Shared by the liveness reaper and the worker-id claim (`worker-identity.ts`).
 */
export const RELEASE_LOCKS = `
local function releaseLocks(out, gone)
  local before = #out
  for _, id in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
    local lockKey = ARGV[1] .. id .. ':lock'
    local token = redis.call('GET', lockKey)
    local owner = token and string.match(token, '^(.+):%d+$')
    if owner and gone(owner) then
      redis.call('DEL', lockKey)
      redis.call('SADD', KEYS[4], id)
      table.insert(out, id .. '|' .. token)
    end
  end
  if #out > before then redis.call('DEL', KEYS[5]) end
  return out
end`;

/**
 * Runs `script` (one built on `RELEASE_LOCKS`) on `worker`'s connection. KEYS: the script's own two
 * (`keys`), then the queue's active, stalled and stalled-check keys; ARGV: the queue's key prefix
 * ('<prefix>:<queue>:'), then `args`. Returns the script's reply.
 */
export async function evalReleasingLocks(
  worker: Worker,
  script: string,
  keys: readonly [string, string],
  args: ReadonlyArray<string | number>,
): Promise<string[]> {
  const redis = (await worker.client) as unknown as ScriptRedis;
  return (await redis.eval(
    script,
    5,
    ...keys,
    worker.toKey('active'),
    worker.toKey('stalled'),
    worker.toKey('stalled-check'),
    worker.toKey(''),
    ...args,
  )) as string[];
}

/**
 * The ids of the jobs whose locks a `RELEASE_LOCKS` script released (its `<job id>|<token>` entries), each
 * logged as a warning: `message`, with the job id, the released lock token and `fields`.
 */
export function logReleasedLocks(
  logger: Logger,
  entries: readonly string[],
  message: string,
  fields: Record<string, unknown> = {},
): string[] {
  return entries.map((entry) => {
    const [jobId = '', lockToken] = entry.split('|');
    logger.warn({ jobId, lockToken, ...fields }, message);
    return jobId;
  });
}

/**
 * BullMQ's stalled-job check, run now: it moves the jobs whose locks `RELEASE_LOCKS` released back to wait
 * (private in BullMQ's types, there since BullMQ 1).
 */
export async function runStalledJobCheck(worker: Worker): Promise<void> {
  await (worker as unknown as { moveStalledJobsToWait(): Promise<void> }).moveStalledJobsToWait();
}

/**
 * Ends BullMQ's stalled-job check loop of a closed worker. Its close stops the check's wait, but a check
 * that was still talking to Redis then starts another wait of the stalled interval (a timer keeping the
 * process up to 30 s longer); stop each wait until the loop has seen the close. Bounded (1 s).
 */
export async function stopStalledCheck(worker: Worker): Promise<void> {
  // Private in BullMQ's types, there since BullMQ 5.
  const checker = worker as unknown as { stalledCheckerRunning?: boolean; stalledCheckStopper?: () => void };
  const deadline = Date.now() + 1_000;
  while (checker.stalledCheckerRunning && Date.now() < deadline) {
    checker.stalledCheckStopper?.();
    await delay(10, undefined, { ref: false });
  }
}

// One script, one clock: stamp this worker, then reap. KEYS: workers, liveness, active, stalled,
// stalled-check. ARGV: queue key prefix ('<prefix>:<queue>:'), this worker's id, ttl ms, retention ms.
const TICK = `${RELEASE_LOCKS}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
local last = tonumber(redis.call('HGET', KEYS[2], 'last'))
local since = tonumber(redis.call('HGET', KEYS[2], 'since'))
if not last or not since or now - last > ttl then
  since = now
  redis.call('HSET', KEYS[2], 'since', since)
end
redis.call('HSET', KEYS[2], 'last', now)
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[4]))
local reaped = {}
if now - since <= ttl then return reaped end
return releaseLocks(reaped, function(owner)
  local seen = redis.call('ZSCORE', KEYS[1], owner)
  return seen and now - math.max(tonumber(seen), since) > ttl
end)`;

export class Liveness {
  readonly #worker: Worker;
  readonly #ttlMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #closed = false;

  constructor(options: { worker: Worker; ttlMs: number; logger: Logger }) {
    this.#worker = options.worker;
    this.#ttlMs = options.ttlMs;
    this.#logger = options.logger;
  }

  get #workersKey(): string {
    return this.#worker.toKey('workers');
  }

  /** Starts stamping and reaping (call once the worker is connected). */
  start(): void {
    if (this.#timer || this.#closed) return;
    const tick = () => void this.#tick();
    this.#timer = setInterval(tick, Math.max(50, Math.floor(this.#ttlMs / 3)));
    this.#timer.unref();
    tick();
  }

  async #tick(): Promise<void> {
    if (this.#busy || this.#closed) return;
    this.#busy = true;
    try {
      const reaped = await evalReleasingLocks(
        this.#worker,
        TICK,
        [this.#workersKey, this.#worker.toKey('liveness')],
        [
          this.#worker.id,
          this.#ttlMs,
          // Entries outlive any lock: a dead worker's entry goes once its locks would have expired anyway.
          Math.max(600_000, 2 * (this.#worker.opts.lockDuration ?? 30_000)),
        ],
      );
      if (reaped.length === 0 || this.#closed) return;
      logReleasedLocks(
        this.#logger,
        reaped,
        `the worker holding this job stopped stamping its liveness for over ${this.#ttlMs} ms; released its lock`,
      );
      await runStalledJobCheck(this.#worker);
    } catch (error) {
      if (!this.#closed) this.#logger.debug({ err: error }, 'liveness stamp or reap failed (retrying)');
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Stops stamping and removes this worker's entry (a graceful close): its jobs then keep their locks
   * until they finish, are handed back, or the locks expire.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    try {
      const redis = (await this.#worker.client) as unknown as {
        zrem(key: string, member: string): Promise<unknown>;
      };
      await redis.zrem(this.#workersKey, this.#worker.id);
    } catch {
      // Redis away: the entry ages out.
    }
  }
}
