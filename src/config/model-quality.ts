/**
 * Model-quality settings of a monitor (`type: model-quality`), the `modelQuality` block of the monitors
 * config. Names follow SageMaker's (spec §6.1, §8.5):
 *
 * ```yaml
 * - name: churn-quality
 *   type: model-quality
 *   endpoint: churn-endpoint
 *   baseline: s3://bucket/baselines/churn-quality/     # constraints.json (+ model_quality_calibration.json)
 *   output: s3://bucket/monitoring/churn-quality/
 *   schedule: cron(0 * ? * * *)
 *   window: { start: -P1DT1H, end: -P1D }               # StartTimeOffset / EndTimeOffset: labels come a day late
 *   modelQuality:
 *     problemType: BinaryClassification                # Regression | BinaryClassification | MulticlassClassification
 *     groundTruth: s3://bucket/ground-truth/churn/     # <gt>/yyyy/mm/dd/hh/*.jsonl
 *     probabilityAttribute: "0"                        # CSV column index, or a JSON path for JSON outputs
 *     probabilityThresholdAttribute: 0.5
 *     estimationWindow: { start: -PT1H, end: -PT0H }   # CBPE estimate of the latest hour (binary)
 * ```
 */
import { z } from 'zod';
import { PROBLEM_TYPES } from '../metrics/quality/problem-types.js';
import { parseDuration, parseWindowBound, ScheduleSyntaxError } from './schedule.js';

const offsetWindowSchema = z
  .object({ start: z.string().min(1), end: z.string().min(1) })
  .strict()
  .superRefine((w, ctx) => {
    const ms: Partial<Record<'start' | 'end', number>> = {};
    for (const key of ['start', 'end'] as const) {
      try {
        const bound = parseWindowBound(w[key]);
        if (bound.kind !== 'offset')
          ctx.addIssue({ code: 'custom', path: [key], message: 'expected an offset such as -PT1H' });
        else ms[key] = bound.ms;
      } catch (error) {
        if (!(error instanceof ScheduleSyntaxError)) throw error;
        ctx.addIssue({ code: 'custom', path: [key], message: error.message });
      }
    }
    if (ms.start !== undefined && ms.end !== undefined && !(ms.start < ms.end)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'window start must be before window end' });
    }
  });

/** A non-negative ISO-8601 duration (`P3D`, `PT36H`, `PT0S`). */
export const durationSchema = z.string().superRefine((text, ctx) => {
  try {
    if (parseDuration(text) < 0)
      ctx.addIssue({ code: 'custom', message: 'expected a duration of zero or more, such as P1D' });
  } catch (error) {
    if (!(error instanceof ScheduleSyntaxError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});

/** The late-labels retry of the kinds that join ground truth (model quality, bias): jobs/processor.ts. */
export const retryMissingLabelsForSchema = durationSchema
  .default('P1D')
  .describe(
    'A window that failed for lack of labels ("No ground truth to merge") is computed again at each later tick of its monitor until this long after its scheduled time (ISO-8601 duration; `PT0S`: never). SageMaker runs each window once.',
  );

/** The sizing of the prediction–label join, for the kinds that join late labels (model quality, bias). */
export const labelJoinFields = {
  joinPartitions: z
    .number()
    .int()
    .min(1)
    .max(65_536)
    .default(256)
    .describe('Hash buckets of the prediction–label join.'),
  joinMemoryMiB: z
    .number()
    .min(1)
    .max(65_536)
    .default(32)
    .describe('Join buffer before spilling to local disk, in MiB.'),
};

export const modelQualitySettingsSchema = z
  .object({
    problemType: z
      .enum(PROBLEM_TYPES)
      .describe('Regression, BinaryClassification or MulticlassClassification.'),
    groundTruth: z.string().min(1).describe('Ground-truth root URI.'),
    inferenceAttribute: z
      .string()
      .min(1)
      .optional()
      .describe('CSV column index or JSON path (JMESPath) of the prediction in the endpoint output.'),
    probabilityAttribute: z
      .string()
      .min(1)
      .optional()
      .describe('CSV column index or JSON path of the positive-label probability (binary).'),
    probabilityThresholdAttribute: z
      .number()
      .refine(Number.isFinite, 'a finite number')
      .default(0.5)
      .describe('Probability cut-off (binary).'),
    positiveLabel: z.string().min(1).default('1').describe('The positive class label (binary).'),
    negativeLabel: z.string().min(1).default('0').describe('The negative class label (binary).'),
    estimationWindow: offsetWindowSchema
      .optional()
      .describe(
        'Offsets (from the scheduled time) of a recent window estimated by CBPE before its labels exist.',
      ),
    groundTruthHorizon: durationSchema
      .default('P3D')
      .describe(
        "Labels are read from the ground-truth hour folders from the window's start up to the execution's time, but never more than this long after the window's end (ISO-8601 duration).",
      ),
    retryMissingLabelsFor: retryMissingLabelsForSchema,
    ...labelJoinFields,
    maxCurvePoints: z
      .number()
      .int()
      .min(2)
      .max(1_000_000)
      .default(1000)
      .describe('Maximum points per ROC/PR curve in statistics.json.'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.problemType === 'BinaryClassification') {
      if (s.positiveLabel === s.negativeLabel)
        ctx.addIssue({ code: 'custom', path: ['negativeLabel'], message: 'must differ from positiveLabel' });
    } else if (s.probabilityAttribute !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['probabilityAttribute'],
        message: `only binary classification uses a probability (problemType is ${s.problemType})`,
      });
    }
    if (s.estimationWindow && s.problemType !== 'BinaryClassification') {
      ctx.addIssue({
        code: 'custom',
        path: ['estimationWindow'],
        message: 'performance estimation (CBPE) is for binary classification only',
      });
    }
  });

export type ModelQualitySettings = z.output<typeof modelQualitySettingsSchema>;
