/** Unique BullMQ queues per test on the test Redis, cleaned up afterwards, and waiting helpers. */
import { randomUUID } from 'node:crypto';
import { type Job, type JobState, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import type { QueueSettings } from '../../src/config/monitors.js';
import { redisOptionsFromUrl } from '../../src/jobs/redis.js';

export function redisUrl(): string {
  return inject('redisUrl');
}

/** A queue name and key prefix no other test uses. */
export function uniqueQueueSettings(): QueueSettings {
  const id = randomUUID().slice(0, 8);
  return { name: `test-${id}`, prefix: `dwtest-${id}` };
}

/** Removes every key of the queue (obliterate, then any key left under its prefix) and closes the connections. */
export async function cleanupQueue(settings: QueueSettings, url = redisUrl()): Promise<void> {
  const queue = new Queue(settings.name, {
    connection: redisOptionsFromUrl(url, 'client'),
    prefix: settings.prefix,
  });
  const redis = new Redis(redisOptionsFromUrl(url, 'client'));
  try {
    await queue.obliterate({ force: true });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${settings.prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: {
    timeoutMs?: number;
    intervalMs?: number;
    what?: string;
    /** What the state was when the wait timed out, for the error message. */
    explain?: () => Promise<string> | string;
  } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const explained = options.explain ? `: ${await Promise.resolve(options.explain()).catch(String)}` : '';
      throw new Error(`timed out waiting for ${options.what ?? 'a condition'}${explained}`, {
        cause: lastError,
      });
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}

/**
 * Waits until job `id` is in one of `states` (by default completed or failed) and returns the job as read
 * after that: a job read before it finished keeps its old return value, even once its state is final.
 */
export async function waitForJob(
  queue: Queue,
  id: string,
  options: { states?: Array<JobState | 'unknown'>; timeoutMs?: number; intervalMs?: number } = {},
): Promise<Job> {
  const states = options.states ?? ['completed', 'failed'];
  return await waitFor(
    async () => {
      if (!states.includes(await queue.getJobState(id))) return undefined;
      return await queue.getJob(id);
    },
    {
      timeoutMs: options.timeoutMs ?? 20_000,
      intervalMs: options.intervalMs ?? 50,
      what: `job ${id} to be ${states.join(' or ')}`,
    },
  );
}
