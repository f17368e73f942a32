/**
 * `driftwatch status`: monitors (from `--config`, else from the schedulers in Redis), their next run,
 * their last executions and results, and the jobs running now with their progress.
 */
import type { Command } from 'commander';
import { type MonitorConfig, parseMonitor } from '../../config/monitors.js';
import { createStorage } from '../../io/storage.js';
import { monitorOfSchedulerId } from '../../jobs/ids.js';
import { executionKinds } from '../../jobs/kinds.js';
import { listSchedulers } from '../../jobs/queue.js';
import { collectStatus, formatStatus } from '../../jobs/status.js';
import {
  addQueueOptions,
  positiveInteger,
  type QueueCommandOptions,
  queueContext,
  withQueue,
} from './worker.js';

interface StatusOptions extends QueueCommandOptions {
  json?: boolean;
  last: number;
  storage: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('status')
    .description('Show monitors, their next run, their last executions and the jobs running now');
  addQueueOptions(command, false)
    .option('--last <n>', 'executions to show per monitor', positiveInteger, 5)
    .option('--no-storage', 'do not look up execution summaries in storage for windows without a job')
    .option('--json', 'print the status as JSON')
    .action(async (options: StatusOptions) => {
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
            ...(storage ? { storage, kinds: executionKinds } : {}),
          });
        });
        process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatStatus(report));
      } finally {
        storage?.destroy();
      }
    });
}
