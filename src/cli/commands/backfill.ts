/**
 * `driftwatch backfill --config <file> --monitor NAME --from <time> --to <time>`: enqueues an execution
 * for every scheduled time of the monitor in [from, to). Windows that already have an execution are left
 * alone (one execution per window); `--retry-failed` retries the failed ones.
 */
import type { Command } from 'commander';
import { findMonitor } from '../../config/monitors.js';
import { ConfigError } from '../../core/errors.js';
import { parseIsoTime, TIME_HELP } from '../../core/time.js';
import { backfill } from '../../jobs/queue.js';
import { oldestPublishable } from '../../monitor/metrics-age.js';
import { positiveInteger } from '../flags.js';
import { addQueueOptions, type QueueCommandOptions, queueContext, withQueue } from '../queue-options.js';

interface BackfillOptions extends QueueCommandOptions {
  monitor: string;
  from: string;
  to: string;
  retryFailed?: boolean;
  limit: number;
  json?: boolean;
}

/** An ISO-8601 date-time (without a zone: UTC), or a date (midnight UTC): core/time.ts. */
export function parseInstant(text: string, flag: string): Date {
  return parseIsoTime(text, flag);
}

export function register(program: Command): void {
  const command = program
    .command('backfill')
    .description("Enqueue the executions of a monitor's scheduled times in [--from, --to)");
  addQueueOptions(command, true)
    .requiredOption('--monitor <name>', 'the monitor to backfill')
    .requiredOption('--from <time>', `first scheduled time (inclusive; ${TIME_HELP})`)
    .requiredOption('--to <time>', `end (exclusive; ${TIME_HELP})`)
    .option('--retry-failed', 're-run windows whose job failed or whose stored result is Failed')
    .option('--limit <n>', 'refuse ranges with more scheduled times than this', positiveInteger, 10_000)
    .option('--json', 'print the result as JSON')
    .action(async (options: BackfillOptions) => {
      const context = await queueContext(options);
      if (!context.config) throw new ConfigError('--config is required', { field: '--config' });
      const monitor = findMonitor(context.config, options.monitor);
      const range = { from: parseInstant(options.from, '--from'), to: parseInstant(options.to, '--to') };
      // CloudWatch refuses datums older than 14 days: said before anything is enqueued.
      const publishable = oldestPublishable();
      const tooOld = monitor.cloudwatch && range.from < publishable;
      if (tooOld)
        process.stderr.write(
          `driftwatch: warning: metrics not published for scheduled times before ${publishable.toISOString()}: window older than 14 days (CloudWatch refuses older datums); their reports are written\n`,
        );
      const result = await withQueue(context, (queue) =>
        backfill(queue, monitor, range, { retryFailed: Boolean(options.retryFailed), limit: options.limit }),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const added = result.executions.filter((e) => e.added).length;
      const lines = [
        `${monitor.name}: ${result.executions.length} scheduled times in [${result.from}, ${result.to}): ` +
          `${added} enqueued, ${result.executions.length - added} already there, ${result.retried.length} retried`,
      ];
      if (result.data)
        lines.push(`  (their windows read the data captured in [${result.data.from}, ${result.data.to}))`);
      for (const e of result.executions) {
        const state = e.added ? 'enqueued' : result.retried.includes(e.id) ? 'retried' : `already ${e.state}`;
        lines.push(`  ${e.id}  ${state}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
