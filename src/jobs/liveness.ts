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
 * Owners that never stamped the set (a worker of an older version) are left to their lock's expiry. A
 * worker that was only paused (SIGSTOP, a long GC or event-loop stall) may lose its job this way; the
 * fencing of `lease.ts` then stops it from writing or publishing anything, as after a lock expiry.
 */
import type { Worker } from 'bullmq';
import type { Logger } from '../core/log.js';

/** The Redis calls liveness needs (the worker's ioredis connection). */
interface LivenessRedis {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

const STAMP = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return now`;

// KEYS: workers, active, stalled, stalled-check. ARGV: queue key prefix ('<prefix>:<queue>:'), ttl ms.
const REAP = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
local reaped = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local lockKey = ARGV[1] .. id .. ':lock'
  local token = redis.call('GET', lockKey)
  if token then
    local owner = string.match(token, '^(.+):%d+$')
    local seen = owner and redis.call('ZSCORE', KEYS[1], owner)
    if seen and now - tonumber(seen) > ttl then
      redis.call('DEL', lockKey)
      redis.call('SADD', KEYS[3], id)
      table.insert(reaped, id .. '|' .. token)
    end
  end
end
if #reaped > 0 then redis.call('DEL', KEYS[4]) end
return reaped`;

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
      const redis = (await this.#worker.client) as unknown as LivenessRedis;
      const workers = this.#workersKey;
      // Entries outlive any lock: a dead worker's entry goes once its locks would have expired anyway.
      await redis.eval(
        STAMP,
        1,
        workers,
        this.#worker.id,
        Math.max(600_000, 2 * (this.#worker.opts.lockDuration ?? 30_000)),
      );
      const reaped = (await redis.eval(
        REAP,
        4,
        workers,
        this.#worker.toKey('active'),
        this.#worker.toKey('stalled'),
        this.#worker.toKey('stalled-check'),
        this.#worker.toKey(''),
        this.#ttlMs,
      )) as string[];
      if (reaped.length === 0 || this.#closed) return;
      for (const entry of reaped) {
        const [jobId, token] = entry.split('|');
        this.#logger.warn(
          { jobId, lockToken: token },
          `the worker holding this job stopped stamping its liveness for over ${this.#ttlMs} ms; released its lock`,
        );
      }
      // BullMQ's stalled-job check (private in its types, there since BullMQ 1) moves the jobs back to wait.
      await (this.#worker as unknown as { moveStalledJobsToWait(): Promise<void> }).moveStalledJobsToWait();
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
