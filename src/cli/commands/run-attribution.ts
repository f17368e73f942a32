/**
 * `driftwatch run-attribution`: one feature-attribution-drift execution (SageMaker Clarify
 * ModelExplainability, spec §9.7–9.9) from the window's captured online-explainability responses.
 */
import { type Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { ATTRIBUTION_AGG_METHODS } from '../../metrics/attribution/aggregate.js';
import { type AttributionSummary, runAttributionExecution } from '../../monitor/attribution.js';
import type { AttributionJob } from '../../monitor/clarify-job.js';
import {
  addReportOptions,
  addRerunOptions,
  addWindowOptions,
  jobBaseFromFlags,
  printExecutionSummary,
  runFromCli,
} from '../execution-flags.js';
import { parseThreshold } from '../flags.js';

export const RUN_ATTRIBUTION_SUMMARY =
  'Run one feature-attribution-drift execution (Clarify) from captured online explanations';

function printAttributionSummary(summary: AttributionSummary, json: boolean | undefined): void {
  const d = summary.attribution;
  const lines: string[] = [];
  if (d) {
    lines.push(`  explained ${d.explainedRecords} records (${d.aggMethod})`);
    for (const l of d.labels) {
      lines.push(
        `  ${l.label.padEnd(9)} ${l.ndcg === undefined ? `skipped: ${l.skipped}` : `NDCG ${l.ndcg.toFixed(4)} (threshold ${l.threshold})${l.violation ? ' VIOLATION' : ''}`}`,
      );
    }
  }
  printExecutionSummary(summary, json, lines);
}

export function register(program: Command): void {
  const command = addReportOptions(
    addWindowOptions(
      program
        .command('run-attribution')
        .description(RUN_ATTRIBUTION_SUMMARY)
        .requiredOption(
          '--baseline <uri-prefix>',
          'prefix holding the baseline (explainability) analysis.json',
        ),
    )
      .option(
        '--analysis-config <uri>',
        'Clarify analysis_config.json (headers name the features, agg_method)',
      )
      .addOption(
        new Option(
          '--agg-method <method>',
          "global value from local ones (default: the config's, else mean_abs)",
        ).choices([...ATTRIBUTION_AGG_METHODS]),
      )
      .option('--ndcg-threshold <number>', 'violation when NDCG is below this', '0.9')
      .option(
        '--attributions <uri-prefix>',
        'read local attributions from CSV tables under <prefix>/yyyy/mm/dd/hh/ instead of captured explanations',
      )
      .option('--label-key <key>', 'label key of the --attributions tables', 'label0'),
    'driftwatch-run-attribution',
  );
  addRerunOptions(command).action(async (options) => {
    const threshold = parseThreshold(options.ndcgThreshold, '--ndcg-threshold') ?? 0.9;
    if (!(threshold > 0 && threshold <= 1))
      throw new ConfigError(`expected a number in (0, 1], got ${threshold}`, { field: '--ndcg-threshold' });
    const job: AttributionJob = {
      ...jobBaseFromFlags(options),
      ...(options.analysisConfig !== undefined ? { analysisConfigUri: options.analysisConfig } : {}),
      ...(options.aggMethod !== undefined ? { aggMethod: options.aggMethod } : {}),
      ndcgThreshold: threshold,
      ...(options.attributions !== undefined
        ? { attributionsUri: options.attributions, labelKey: options.labelKey }
        : {}),
    };
    await runFromCli(
      'run-attribution',
      job,
      (deps) => runAttributionExecution(job, deps),
      (summary) => printAttributionSummary(summary, options.json),
      options.failOnViolations,
    );
  });
}
