/**
 * Settings of the two Clarify monitor kinds (spec §9): the `bias` block of a `type: bias` monitor and
 * the `attribution` block of a `type: attribution` monitor. Names follow SageMaker's job definition
 * (`EndpointInput` attributes, §9.1) where one exists.
 *
 * ```yaml
 * - name: credit-bias
 *   type: bias
 *   endpoint: credit
 *   baseline: s3://bucket/baselines/credit-bias/        # analysis.json (the baselining job's, or ours)
 *   output: s3://bucket/monitoring/credit-bias/
 *   schedule: cron(0 * ? * * *)
 *   window: { start: -P1DT1H, end: -P1D }                # labels come a day late
 *   bias:
 *     groundTruth: s3://bucket/ground-truth/credit/     # <gt>/yyyy/mm/dd/hh/*.jsonl (as model quality)
 *     analysisConfig: s3://bucket/baselines/credit-bias/analysis_config.json  # default: <baseline>/analysis_config.json
 *     probabilityAttribute: "0"                        # or inferenceAttribute; CSV index or JMESPath
 *     probabilityThresholdAttribute: 0.8              # default: the config's probability_threshold, else 0.5
 *
 * - name: credit-attribution
 *   type: attribution
 *   ...
 *   attribution:
 *     analysisConfig: s3://.../analysis_config.json    # optional: headers, methods.shap.agg_method
 *     ndcgThreshold: 0.9
 * ```
 */
import { z } from 'zod';
import { ATTRIBUTION_AGG_METHODS } from '../metrics/attribution/agg-methods.js';
import { durationSchema, labelJoinFields, retryMissingLabelsForSchema } from './model-quality.js';

export const biasSettingsSchema = z
  .object({
    groundTruth: z.string().min(1).describe("Ground-truth root URI (the same layout as model quality's)."),
    analysisConfig: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The Clarify analysis_config.json (label, label_values_or_threshold, facet, group_variable, headers, methods). Default: analysis_config.json in the baseline prefix.',
      ),
    inferenceAttribute: z
      .string()
      .min(1)
      .optional()
      .describe('CSV column index or JSON path (JMESPath) of the predicted label in the endpoint output.'),
    probabilityAttribute: z
      .string()
      .min(1)
      .optional()
      .describe('CSV column index or JSON path of the score; the predicted label is score > threshold.'),
    probabilityThresholdAttribute: z
      .number()
      .refine(Number.isFinite, 'a finite number')
      .optional()
      .describe(
        "Score cut-off. Default: the analysis config's probability_threshold (itself 0.5 by default).",
      ),
    featuresAttribute: z
      .string()
      .min(1)
      .optional()
      .describe(
        'JMESPath of the feature list in a JSON request (FeaturesAttribute); CSV requests need none.',
      ),
    groundTruthHorizon: durationSchema
      .default('P3D')
      .describe(
        "Labels are read from the ground-truth hour folders from the window's start up to the execution's time, but never more than this long after the window's end (ISO-8601 duration), as for model quality.",
      ),
    retryMissingLabelsFor: retryMissingLabelsForSchema,
    check: z
      .enum(['point', 'bootstrap'])
      .default('point')
      .describe(
        "point: violation iff |window| > |baseline| (what SageMaker's real outputs show); bootstrap: the documented interval (bootstrapReplicates replicates, z = 1.96).",
      ),
    bootstrapReplicates: z
      .number()
      .int()
      .min(10)
      .max(100_000)
      .default(1000)
      .describe('Bootstrap replicates (check: bootstrap).'),
    flipTestMaxRows: z
      .number()
      .int()
      .min(10)
      .max(1_000_000)
      .default(2000)
      .describe(
        'Flip test (FT, a kNN): rows kept per group (a seeded reservoir); larger groups give an estimate on the sample. Time grows with its square.',
      ),
    ...labelJoinFields,
  })
  .strict();

export type BiasSettings = z.output<typeof biasSettingsSchema>;

export const attributionSettingsSchema = z
  .object({
    analysisConfig: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The Clarify analysis_config.json: headers name the features when a response has no feature_header; methods.shap.agg_method.',
      ),
    aggMethod: z
      .enum(ATTRIBUTION_AGG_METHODS as ['mean_abs', 'median', 'mean_sq'])
      .optional()
      .describe(
        "Global value from local ones: mean_abs, median or mean_sq. Default: the config's agg_method, else mean_abs.",
      ),
    ndcgThreshold: z
      .number()
      .gt(0)
      .max(1)
      .default(0.9)
      .describe('Violation iff the NDCG of a label is below this.'),
    attributions: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Local attributions supplied as files instead of captured explanations: CSV tables (a header of feature names, one row per explained record) in the yyyy/mm/dd/hh/ folders under this prefix, read for the window's hours.",
      ),
    labelKey: z
      .string()
      .min(1)
      .default('label0')
      .describe('The kernel_shap label key of supplied attribution files.'),
  })
  .strict();

export type AttributionSettings = z.output<typeof attributionSettingsSchema>;
