/** `driftwatch lineage`: training data → baseline → execution → metrics → alarms (issue 17, audit trail). */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { createStorage } from '../../io/storage.js';
import { executionLineage, executionsOfBaseline, formatLineage } from '../../monitor/lineage.js';

interface LineageOptions {
  execution?: string;
  baseline?: string;
  reports?: string;
  alarms: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('lineage')
    .description(
      'Print the chain behind an execution (training data → baseline → execution → metrics → alarms), or the executions that used a baseline',
    )
    .option(
      '--execution <report-prefix>',
      'an execution: its report folder <output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/',
    )
    .option('--baseline <prefix>', 'a baseline: list the executions under --reports that used it')
    .option('--reports <uri>', 'with --baseline: the report root to search')
    .option('--no-alarms', 'do not ask CloudWatch which alarms watch the metrics')
    .option('--json', 'print JSON')
    .action(async (options: LineageOptions) => {
      if (Boolean(options.execution) === Boolean(options.baseline))
        throw new ConfigError('give --execution or --baseline (one of them)', { field: '--execution' });
      const storage = createStorage();
      try {
        if (options.baseline) {
          if (!options.reports) throw new ConfigError('--baseline needs --reports', { field: '--reports' });
          const executions = await executionsOfBaseline(storage, options.baseline, options.reports);
          process.stdout.write(
            options.json
              ? `${JSON.stringify({ baseline: options.baseline, executions })}\n`
              : `${executions.map((e) => `${e.scheduledTime}  ${e.status}  ${e.reportUri}`).join('\n')}${executions.length ? '\n' : `no execution under ${options.reports} used ${options.baseline}\n`}`,
          );
          return;
        }
        const cloudwatch = options.alarms
          ? (await import('../../alerts/client.js')).createCloudWatchClient()
          : undefined;
        try {
          const alarmsOf = cloudwatch
            ? async (endpoint: string, schedule: string) =>
                (await import('../../alerts/schedule-alarms.js')).alarmsOfSchedule(
                  cloudwatch,
                  endpoint,
                  schedule,
                )
            : undefined;
          const lineage = await executionLineage(storage, options.execution!, alarmsOf);
          process.stdout.write(options.json ? `${JSON.stringify(lineage)}\n` : formatLineage(lineage));
        } finally {
          cloudwatch?.destroy();
        }
      } finally {
        storage.destroy();
      }
    });
}
