/**
 * `driftwatch status`: monitors (from `--config`, else from the schedulers in Redis), their next run,
 * their last executions (`--last N`, or every scheduled time in `--from`..`--to`) and results, and the jobs
 * running now with their progress.
 */
import type { Command } from 'commander';
import { type MonitorConfig, parseMonitor } from '../../config/monitors.js';
import { ConfigError } from '../../core/errors.js';
import { parseIsoTime, TIME_HELP } from '../../core/time.js';
import { createStorage } from '../../io/storage.js';
import { monitorOfSchedulerId } from '../../jobs/ids.js';
import { executionKinds } from '../../jobs/kinds.js';
import { listSchedulers } from '../../jobs/queue.js';
import { redactRedisUrl } from '../../jobs/redis.js';
import { collectStatus, formatStatus } from '../../jobs/status.js';
import { positiveInteger } from '../flags.js';
import { addQueueOptions, type QueueCommandOptions, queueContext, withQueue } from '../queue-options.js';

interface StatusOptions extends QueueCommandOptions {
  json?: boolean;
  last: number;
  from?: string;
  to?: string;
  storage: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('status')
    .description('Show monitors, their next run, their last executions and the jobs running now');
  addQueueOptions(command, false)
    .option(
      '--last <n>',
      'executions to show per monitor: the newest that exist (queued, or stored in the report folders)',
      positiveInteger,
      5,
    )
    .option(
      '--from <time>',
      `instead of --last: every scheduled time from this one (inclusive, as backfill takes them; ${TIME_HELP})`,
    )
    .option('--to <time>', `with --from: end of the scheduled times (exclusive; default now; ${TIME_HELP})`)
    .option('--no-storage', 'do not look up execution summaries in storage for windows without a job')
    .option('--json', 'print the status as JSON')
    .action(async (options: StatusOptions) => {
      // Flags are checked before Redis is reached.
      if (options.to !== undefined && options.from === undefined)
        throw new ConfigError('--to needs --from', { field: '--to' });
      const range =
        options.from !== undefined
          ? {
              from: parseIsoTime(options.from, '--from'),
              to: options.to !== undefined ? parseIsoTime(options.to, '--to') : new Date(),
            }
          : undefined;
      if (range && !(range.from < range.to))
        throw new ConfigError(
          `--from (${range.from.toISOString()}) must be before --to (${range.to.toISOString()})`,
          { field: '--from' },
        );
      const context = await queueContext(options);
      const storage = options.storage ? createStorage() : undefined;
      try {
        const report = await withQueue(context, async (queue) => {
          let monitors: MonitorConfig[] = context.config?.monitors ?? [];
          if (!context.config) {
            // No config: the monitors as their schedulers last stored them.
            for (const s of await listSchedulers(queue)) {
              if (monitorOfSchedulerId(s.key) === undefined) continue;
              const scheduler = await queue.getJobScheduler(s.key);
              const stored = (scheduler?.template?.data as { monitor?: unknown } | undefined)?.monitor;
              if (stored)
                monitors.push(parseMonitor(stored, { file: `job scheduler ${s.key}`, field: 'monitor' }));
            }
            monitors = monitors.sort((a, b) => a.name.localeCompare(b.name));
          }
          return await collectStatus(queue, monitors, {
            last: options.last,
            ...(range ? { range } : {}),
            ...(storage ? { storage, kinds: executionKinds } : {}),
          });
        });
        // Which Redis was read, first: a status of the wrong Redis looks like an idle one.
        const named = { redis: redactRedisUrl(context.redisUrl), ...report };
        process.stdout.write(options.json ? `${JSON.stringify(named)}\n` : formatStatus(named));
      } finally {
        storage?.destroy();
      }
    });
}
