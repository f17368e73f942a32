/**
 * `driftwatch run-quality`: one model-quality execution over a window of captured predictions, joined with
 * the ground truth collected since (spec §2, §6).
 */
import { type Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { type ModelQualitySummary, runModelQualityExecution } from '../../monitor/model-quality.js';
import type { ModelQualityJob } from '../../monitor/model-quality-job.js';
import {
  groundTruthReadFromFlags,
  jobBaseFromFlags,
  parseTime,
  registerKindCommand,
} from '../execution-flags.js';
import { parseThreshold } from '../flags.js';

const PROBLEM_TYPES = ['Regression', 'BinaryClassification', 'MulticlassClassification'] as const;

function formatMetric(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(4);
}

function qualityLines(summary: ModelQualitySummary): string[] {
  const d = summary.modelQuality;
  if (!d) return [];
  const j = d.join;
  const lines = [
    `  join      ${j.predictions} predictions, ${j.labels} labels, ${j.matched} matched, ${j.unmatchedPredictions} without label, ${j.orphanLabels} orphan labels`,
  ];
  const shown = Object.entries(d.metrics).filter(([k]) => !k.endsWith('_best_constant_classifier'));
  if (shown.length > 0)
    lines.push(`  metrics   ${shown.map(([k, v]) => `${k}=${formatMetric(v)}`).join(' ')}`);
  for (const [label, e] of [
    ['estimated', d.estimated],
    ['recent', d.estimatedRecent],
  ] as const) {
    if (!e) continue;
    const m = e.estimate.metrics;
    lines.push(
      `  ${label.padEnd(9)} ${e.windowStart} .. ${e.windowEnd}: f1=${formatMetric(m.f1.value)} [${formatMetric(m.f1.lower)}, ${formatMetric(m.f1.upper)}] accuracy=${formatMetric(m.accuracy.value)} auc=${formatMetric(m.auc.value)}`,
    );
  }
  if (d.violatedMetrics.length > 0) lines.push(`  violated  ${d.violatedMetrics.join(', ')}`);
  return lines;
}

export function register(program: Command): void {
  registerKindCommand(program, {
    name: 'run-quality',
    description:
      'Run one model-quality execution: captured predictions of a window joined with late ground truth',
    baseline: 'prefix holding constraints.json (and model_quality_calibration.json)',
    labels: true,
    options: (command) =>
      command
        .addOption(
          new Option('--problem-type <type>', 'problem type')
            .choices([...PROBLEM_TYPES])
            .makeOptionMandatory(),
        )
        .option('--inference-attribute <attr>', 'CSV column index or JSON path of the prediction')
        .option(
          '--probability-attribute <attr>',
          'CSV column index or JSON path of the positive-label probability (binary)',
        )
        .option('--probability-threshold-attribute <number>', 'probability cut-off (binary)', '0.5')
        .option('--positive-label <label>', 'positive label (binary)', '1')
        .option('--negative-label <label>', 'negative label (binary)', '0'),
    optionsAfterLabels: (command) =>
      command
        .option(
          '--estimate-start <iso>',
          'also estimate (CBPE) this recent window, whose labels may be missing',
        )
        .option('--estimate-end <iso>', 'end of the estimated window'),
    job(options): ModelQualityJob {
      const base = jobBaseFromFlags(options);
      if ((options.estimateStart === undefined) !== (options.estimateEnd === undefined)) {
        throw new ConfigError('give both --estimate-start and --estimate-end, or neither', {
          field: '--estimate-start',
        });
      }
      return {
        ...base,
        groundTruthUri: options.groundTruth,
        problemType: options.problemType,
        inferenceAttribute: options.inferenceAttribute,
        probabilityAttribute: options.probabilityAttribute,
        probabilityThresholdAttribute: parseThreshold(
          options.probabilityThresholdAttribute,
          '--probability-threshold-attribute',
        ),
        positiveLabel: options.positiveLabel,
        negativeLabel: options.negativeLabel,
        ...groundTruthReadFromFlags(options),
        ...(options.estimateStart
          ? {
              estimationWindowStart: parseTime(options.estimateStart, '--estimate-start'),
              estimationWindowEnd: parseTime(options.estimateEnd, '--estimate-end'),
            }
          : {}),
      };
    },
    run: runModelQualityExecution,
    summaryLines: qualityLines,
  });
}
