/** The options and queue handling the queue commands share (worker, schedule, backfill, status). */
import type { Queue } from 'bullmq';
import { type Command, Option } from 'commander';
import { loadMonitorsConfig, type MonitorsConfig, type QueueSettings } from '../config/monitors.js';
import { ConfigError, TransientError } from '../core/errors.js';
import { closeQueue, openQueue } from '../jobs/queue.js';
import { redactRedisUrl, waitForRedis } from '../jobs/redis.js';

export interface QueueCommandOptions {
  config?: string;
  redisUrl?: string;
  queue?: string;
  prefix?: string;
}

/** Adds `--config`, `--redis-url`, `--queue`, `--prefix` to a queue command. */
export function addQueueOptions(command: Command, configRequired: boolean): Command {
  const config = new Option('--config <file>', 'monitors config file (YAML or JSON)');
  if (configRequired) config.makeOptionMandatory();
  return command
    .addOption(config)
    .addOption(new Option('--redis-url <url>', 'Redis URL (redis:// or rediss://)').env('REDIS_URL'))
    .option('--queue <name>', 'queue name (default: the config file\'s queue.name, else "driftwatch")')
    .option('--prefix <prefix>', 'Redis key prefix (default: the config file\'s queue.prefix, else "bull")');
}

export interface QueueContext {
  config: MonitorsConfig | undefined;
  redisUrl: string;
  queue: QueueSettings;
}

/**
 * Loads the config (when given), resolves the Redis URL and queue settings, and checks that Redis answers:
 * at once by default (one line and exit when it does not), or for up to `redisWait.waitMs` (a worker).
 */
export async function queueContext(
  options: QueueCommandOptions,
  redisWait: Parameters<typeof waitForRedis>[1] = { waitMs: 0 },
): Promise<QueueContext> {
  const config = options.config ? await loadMonitorsConfig(options.config) : undefined;
  const queue: QueueSettings = {
    name: options.queue ?? config?.queue.name ?? 'driftwatch',
    prefix: options.prefix ?? config?.queue.prefix ?? 'bull',
  };
  for (const [field, value] of Object.entries(queue)) {
    if (!/^[A-Za-z0-9._-]+$/.test(value))
      throw new ConfigError(`must match [A-Za-z0-9._-]+`, {
        field: `--${field === 'name' ? 'queue' : field}`,
      });
  }
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  // Before any queue is opened: an unreachable Redis is one line and exit.
  await waitForRedis(redisUrl, redisWait);
  return { config, redisUrl, queue };
}

function isRedisUnreachable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string } | undefined;
  return (
    e?.name === 'MaxRetriesPerRequestError' ||
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'].includes(e?.code ?? '') ||
    /Connection is closed|max retries per request|ECONNREFUSED|NOAUTH|WRONGPASS/i.test(e?.message ?? '')
  );
}

/** Runs `fn` with the command's queue, always closes it, and reports an unreachable Redis in one line. */
export async function withQueue<T>(context: QueueContext, fn: (queue: Queue) => Promise<T>): Promise<T> {
  const queue = openQueue({ redis: context.redisUrl, queue: context.queue });
  try {
    return await fn(queue);
  } catch (error) {
    if (isRedisUnreachable(error)) {
      throw new TransientError(
        `cannot use Redis at ${redactRedisUrl(context.redisUrl)}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    await closeQueue(queue).catch(() => {});
  }
}
