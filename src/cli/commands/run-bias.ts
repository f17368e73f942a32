/**
 * `driftwatch run-bias`: one bias-drift execution (SageMaker Clarify ModelBias, spec §9): the window's
 * captured requests and predictions joined with late ground truth, analysed as Clarify does, checked
 * against the baseline analysis.json.
 */
import { type Command, Option } from 'commander';
import { joinUri } from '../../io/storage.js';
import { type BiasSummary, runBiasExecution } from '../../monitor/bias.js';
import { type BiasJob, CLARIFY_CONFIG_FILE } from '../../monitor/clarify-job.js';
import { groundTruthReadFromFlags, jobBaseFromFlags, registerKindCommand } from '../execution-flags.js';
import { parseThreshold } from '../flags.js';

export const RUN_BIAS_SUMMARY =
  'Run one bias-drift execution (Clarify): captured requests and predictions joined with late ground truth';

function biasLines(summary: BiasSummary): string[] {
  const d = summary.bias;
  if (!d) return [];
  const j = d.join;
  return [
    `  join      ${j.predictions} predictions, ${j.labels} labels, ${j.matched} matched, ${j.unmatchedPredictions} without label`,
    `  analysed  ${d.rows} rows (${d.check} check)`,
    ...(d.violatedMetrics.length > 0 ? [`  violated  ${d.violatedMetrics.join(', ')}`] : []),
  ];
}

export function register(program: Command): void {
  registerKindCommand(program, {
    name: 'run-bias',
    description: RUN_BIAS_SUMMARY,
    baseline: 'prefix holding the baseline analysis.json',
    labels: true,
    options: (command) =>
      command
        .option(
          '--analysis-config <uri>',
          `Clarify analysis_config.json (default: <baseline>/${CLARIFY_CONFIG_FILE})`,
        )
        .option('--inference-attribute <attr>', 'CSV column index or JSON path of the predicted label')
        .option('--probability-attribute <attr>', 'CSV column index or JSON path of the score')
        .option(
          '--probability-threshold-attribute <number>',
          "score cut-off: score > threshold is label 1 (default: the config's probability_threshold)",
        )
        .option('--features-attribute <jmespath>', 'JMESPath of the feature list in a JSON request')
        .addOption(
          new Option('--check <mode>', 'point: |live| > |baseline|; bootstrap: the documented interval')
            .choices(['point', 'bootstrap'])
            .default('point'),
        ),
    job(options): BiasJob {
      const base = jobBaseFromFlags(options);
      const threshold = parseThreshold(
        options.probabilityThresholdAttribute,
        '--probability-threshold-attribute',
      );
      return {
        ...base,
        groundTruthUri: options.groundTruth,
        analysisConfigUri: options.analysisConfig ?? joinUri(base.baselineUri, CLARIFY_CONFIG_FILE),
        ...(options.inferenceAttribute !== undefined
          ? { inferenceAttribute: options.inferenceAttribute }
          : {}),
        ...(options.probabilityAttribute !== undefined
          ? { probabilityAttribute: options.probabilityAttribute }
          : {}),
        ...(threshold !== undefined ? { probabilityThresholdAttribute: threshold } : {}),
        ...(options.featuresAttribute !== undefined ? { featuresAttribute: options.featuresAttribute } : {}),
        check: options.check,
        ...groundTruthReadFromFlags(options),
      };
    },
    run: runBiasExecution,
    summaryLines: biasLines,
  });
}
