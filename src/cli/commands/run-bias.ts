/**
 * `driftwatch run-bias`: one bias-drift execution (SageMaker Clarify ModelBias, spec §9): the window's
 * captured requests and predictions joined with late ground truth, analysed as Clarify does, checked
 * against the baseline analysis.json.
 */
import { type Command, Option } from 'commander';
import { joinUri } from '../../io/storage.js';
import { type BiasSummary, runBiasExecution } from '../../monitor/bias.js';
import { type BiasJob, CLARIFY_CONFIG_FILE } from '../../monitor/clarify-job.js';
import {
  addGroundTruthReadOptions,
  addReportOptions,
  addRerunOptions,
  addWindowOptions,
  groundTruthReadFromFlags,
  jobBaseFromFlags,
  printExecutionSummary,
  runFromCli,
} from '../execution-flags.js';
import { parseThreshold } from '../flags.js';

export const RUN_BIAS_SUMMARY =
  'Run one bias-drift execution (Clarify): captured requests and predictions joined with late ground truth';

function printBiasSummary(summary: BiasSummary, json: boolean | undefined): void {
  const d = summary.bias;
  const lines: string[] = [];
  if (d) {
    const j = d.join;
    lines.push(
      `  join      ${j.predictions} predictions, ${j.labels} labels, ${j.matched} matched, ${j.unmatchedPredictions} without label`,
      `  analysed  ${d.rows} rows (${d.check} check)`,
    );
    if (d.violatedMetrics.length > 0) lines.push(`  violated  ${d.violatedMetrics.join(', ')}`);
  }
  printExecutionSummary(summary, json, lines);
}

export function register(program: Command): void {
  const command = addReportOptions(
    addGroundTruthReadOptions(
      addWindowOptions(
        program
          .command('run-bias')
          .description(RUN_BIAS_SUMMARY)
          .requiredOption('--baseline <uri-prefix>', 'prefix holding the baseline analysis.json'),
        { groundTruth: true, startNote: ', inference time' },
      )
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
    ),
    'driftwatch-run-bias',
  );
  addRerunOptions(command).action(async (options) => {
    const base = jobBaseFromFlags(options);
    const threshold = parseThreshold(
      options.probabilityThresholdAttribute,
      '--probability-threshold-attribute',
    );
    const job: BiasJob = {
      ...base,
      groundTruthUri: options.groundTruth,
      analysisConfigUri: options.analysisConfig ?? joinUri(base.baselineUri, CLARIFY_CONFIG_FILE),
      ...(options.inferenceAttribute !== undefined ? { inferenceAttribute: options.inferenceAttribute } : {}),
      ...(options.probabilityAttribute !== undefined
        ? { probabilityAttribute: options.probabilityAttribute }
        : {}),
      ...(threshold !== undefined ? { probabilityThresholdAttribute: threshold } : {}),
      ...(options.featuresAttribute !== undefined ? { featuresAttribute: options.featuresAttribute } : {}),
      check: options.check,
      ...groundTruthReadFromFlags(options),
    };
    await runFromCli(
      'run-bias',
      job,
      (deps) => runBiasExecution(job, deps),
      (summary) => printBiasSummary(summary, options.json),
      options.failOnViolations,
    );
  });
}
