/**
 * `driftwatch run-attribution`: one feature-attribution-drift execution (SageMaker Clarify
 * ModelExplainability, spec §9.7–9.9) from the window's captured online-explainability responses.
 */
import { type Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { ATTRIBUTION_AGG_METHODS } from '../../metrics/attribution/agg-methods.js';
import { type AttributionSummary, runAttributionExecution } from '../../monitor/attribution.js';
import type { AttributionJob } from '../../monitor/clarify-job.js';
import { jobBaseFromFlags, registerKindCommand } from '../execution-flags.js';
import { parseThreshold } from '../flags.js';

export const RUN_ATTRIBUTION_SUMMARY =
  'Run one feature-attribution-drift execution (Clarify) from captured online explanations';

function attributionLines(summary: AttributionSummary): string[] {
  const d = summary.attribution;
  if (!d) return [];
  return [
    `  explained ${d.explainedRecords} records (${d.aggMethod})`,
    ...d.labels.map(
      (l) =>
        `  ${l.label.padEnd(9)} ${l.ndcg === undefined ? `skipped: ${l.skipped}` : `NDCG ${l.ndcg.toFixed(4)} (threshold ${l.threshold})${l.violation ? ' VIOLATION' : ''}`}`,
    ),
  ];
}

export function register(program: Command): void {
  registerKindCommand(program, {
    name: 'run-attribution',
    description: RUN_ATTRIBUTION_SUMMARY,
    baseline: 'prefix holding the baseline (explainability) analysis.json',
    options: (command) =>
      command
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
    job(options): AttributionJob {
      const threshold = parseThreshold(options.ndcgThreshold, '--ndcg-threshold') ?? 0.9;
      if (!(threshold > 0 && threshold <= 1))
        throw new ConfigError(`expected a number in (0, 1], got ${threshold}`, { field: '--ndcg-threshold' });
      return {
        ...jobBaseFromFlags(options),
        ...(options.analysisConfig !== undefined ? { analysisConfigUri: options.analysisConfig } : {}),
        ...(options.aggMethod !== undefined ? { aggMethod: options.aggMethod } : {}),
        ndcgThreshold: threshold,
        ...(options.attributions !== undefined
          ? { attributionsUri: options.attributions, labelKey: options.labelKey }
          : {}),
      };
    },
    run: runAttributionExecution,
    summaryLines: attributionLines,
  });
}
