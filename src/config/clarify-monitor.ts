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
import { ATTRIBUTION_AGG_METHODS } from '../metrics/attribution/aggregate.js';

export const biasSettingsSchema = z
  .object({
    /** Ground-truth root URI (the same layout as model quality's). */
    groundTruth: z.string().min(1),
    /** The Clarify `analysis_config.json` (§9.2). @defaultValue `<baseline>/analysis_config.json` */
    analysisConfig: z.string().min(1).optional(),
    /** CSV column index or JSON path (JMESPath) of the predicted label in the endpoint output. */
    inferenceAttribute: z.string().min(1).optional(),
    /** CSV column index or JSON path of the score; label = score > threshold. */
    probabilityAttribute: z.string().min(1).optional(),
    /** Score cut-off. @defaultValue the analysis config's `probability_threshold` (itself 0.5 by default) */
    probabilityThresholdAttribute: z.number().refine(Number.isFinite, 'a finite number').optional(),
    /** JMESPath of the feature list in a JSON request (`FeaturesAttribute`); CSV requests need none. */
    featuresAttribute: z.string().min(1).optional(),
    /**
     * `point`: violation iff |live| > |baseline| (what real SageMaker output shows, §9.6); `bootstrap`: the
     * documented interval (B replicates, z = 1.96, parameters unconfirmed). @defaultValue point
     */
    check: z.enum(['point', 'bootstrap']).default('point'),
    /** Bootstrap replicates (check: bootstrap). @defaultValue 1000 */
    bootstrapReplicates: z.number().int().min(10).max(100_000).default(1000),
    /**
     * Flip test (FT, a kNN): rows kept per group (a seeded reservoir); larger groups give an estimate on
     * the sample. Time grows with its square. @defaultValue 2000
     */
    flipTestMaxRows: z.number().int().min(10).max(1_000_000).default(2000),
    /** Hash buckets of the prediction–label join. @defaultValue 256 */
    joinPartitions: z.number().int().min(1).max(65_536).default(256),
    /** Join buffer before spilling to local disk, in MiB. @defaultValue 32 */
    joinMemoryMiB: z.number().min(1).max(65_536).default(32),
  })
  .strict();

export type BiasSettings = z.output<typeof biasSettingsSchema>;

export const attributionSettingsSchema = z
  .object({
    /** The Clarify `analysis_config.json`: `headers` name the features, `methods.shap.agg_method`. */
    analysisConfig: z.string().min(1).optional(),
    /** Global value from local ones. @defaultValue the config's agg_method, else mean_abs */
    aggMethod: z.enum(ATTRIBUTION_AGG_METHODS as ['mean_abs', 'median', 'mean_sq']).optional(),
    /** Violation iff NDCG < threshold (§9.7). @defaultValue 0.9 */
    ndcgThreshold: z.number().gt(0).max(1).default(0.9),
    /**
     * Local attributions supplied as files instead of captured explanations: CSV tables (a header of
     * feature names, one row per explained record) under `<attributions>/yyyy/mm/dd/hh/`, read for the
     * hours of the window.
     */
    attributions: z.string().min(1).optional(),
    /** The `kernel_shap` label key of supplied attribution files. @defaultValue label0 */
    labelKey: z.string().min(1).default('label0'),
  })
  .strict();

export type AttributionSettings = z.output<typeof attributionSettingsSchema>;
