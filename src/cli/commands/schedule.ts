/**
 * `driftwatch schedule --config <file>`: makes the queue's job schedulers match the config: one per
 * recurring monitor (created or updated), NOW monitors enqueued once, schedulers of monitors that left
 * the file removed. Safe to run again (e.g. from every deploy).
 */
import type { Command } from 'commander';
import { syncSchedulers } from '../../jobs/queue.js';
import { addQueueOptions, type QueueCommandOptions, queueContext, withQueue } from '../queue-options.js';

export function register(program: Command): void {
  const command = program
    .command('schedule')
    .description('Create, update and remove the job schedulers of the monitors in a config file');
  addQueueOptions(command, true)
    .option('--json', 'print the result as JSON')
    .action(async (options: QueueCommandOptions & { json?: boolean }) => {
      const context = await queueContext(options);
      const monitors = context.config?.monitors ?? [];
      const result = await withQueue(context, (queue) => syncSchedulers(queue, monitors));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const s of result.scheduled) {
        lines.push(
          `scheduled  ${s.monitor}  '${s.pattern}' ${s.timezone}${s.next ? `  next ${s.next}` : ''}`,
        );
      }
      for (const o of result.oneOff) {
        lines.push(`one-off    ${o.id}  ${o.added ? 'enqueued' : `already ${o.state}`}`);
      }
      for (const name of result.removed) lines.push(`removed    ${name}`);
      if (!lines.length) lines.push('nothing to schedule');
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
