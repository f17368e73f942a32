/**
 * The payloads of the two Clarify monitor kinds (BullMQ job data, or built by `driftwatch run-bias` /
 * `run-attribution`), built once from a monitor's validated `bias` / `attribution` settings
 * (config/clarify-monitor.ts). Setting names are the config's, except `joinMemoryMiB`, carried in bytes.
 */
import type { AttributionSettings, BiasSettings } from '../config/clarify-monitor.js';
import { parseDuration } from '../config/schedule.js';
import { ConfigError } from '../core/errors.js';
import { joinUri } from '../io/storage.js';
import type { AttributionAggMethod } from '../metrics/attribution/agg-methods.js';
import type { ExecutionJobBase } from './types.js';

/** The baseline file of both Clarify kinds (the baselining job's `analysis.json`, §9.5, §9.7). */
export const CLARIFY_BASELINE_FILE = 'analysis.json';
/** Where the kinds look for `analysis_config.json` when the monitor names none: the baseline prefix. */
export const CLARIFY_CONFIG_FILE = 'analysis_config.json';

/**
 * Everything a bias-drift execution needs. The baseline prefix holds `analysis.json`; the window's captured
 * requests (facets, group variable, FT features) and responses (predicted label) are joined with the
 * ground truth collected since, as for model quality.
 */
export interface BiasJob extends ExecutionJobBase {
  /** Ground-truth root: `<gt>/yyyy/mm/dd/hh/*.jsonl`. */
  groundTruthUri: string;
  /** The Clarify analysis_config.json (label, label values, facets, group variable, headers, methods). */
  analysisConfigUri: string;
  inferenceAttribute?: string;
  probabilityAttribute?: string;
  /** Score cut-off; undefined = the analysis config's `probability_threshold`. */
  probabilityThresholdAttribute?: number;
  /** JMESPath of the feature list in a JSON request. */
  featuresAttribute?: string;
  /** @defaultValue point */
  check?: 'point' | 'bootstrap';
  /** @defaultValue 1000 */
  bootstrapReplicates?: number;
  /** Flip-test rows kept per group. @defaultValue 2000 */
  flipTestMaxRows?: number;
  /** Labels are read from folders up to this time. @defaultValue scheduledTime (at least windowEnd) */
  groundTruthReadUntil?: string;
  /** Labels are read at most this long after the window's end (ms). @defaultValue 3 days */
  groundTruthHorizonMs?: number;
  /** @defaultValue 256 */
  joinPartitions?: number;
  /** @defaultValue 32 MiB */
  joinMemoryBytes?: number;
}

/**
 * Everything a feature-attribution-drift execution needs. The baseline prefix holds `analysis.json` (its
 * `explanations.kernel_shap`); the window's local attributions come from the captured Clarify
 * online-explainability responses (`endpointOutput`, §9.9).
 */
export interface AttributionJob extends ExecutionJobBase {
  /** Optional analysis_config.json: `headers` name the features when a response has no feature_header. */
  analysisConfigUri?: string;
  /** undefined = the config's `methods.shap.agg_method`, else mean_abs. */
  aggMethod?: AttributionAggMethod;
  /** @defaultValue 0.9 */
  ndcgThreshold?: number;
  /** Supplied local attributions: CSV tables under `<attributionsUri>/yyyy/mm/dd/hh/` (else the capture). */
  attributionsUri?: string;
  /** Label key of the supplied tables. @defaultValue label0 */
  labelKey?: string;
}

function missing(monitorName: string, field: string): never {
  throw new ConfigError(`a ${field} monitor needs ${field} settings`, {
    file: `monitor ${monitorName}`,
    field,
  });
}

/** The bias payload of a monitor's execution (window already shifted by the monitor's offsets). */
export function biasJobOf(base: ExecutionJobBase, settings: BiasSettings | undefined): BiasJob {
  const s = settings ?? missing(base.monitorName, 'bias');
  return {
    ...base,
    groundTruthUri: s.groundTruth,
    analysisConfigUri: s.analysisConfig ?? joinUri(base.baselineUri, CLARIFY_CONFIG_FILE),
    ...(s.inferenceAttribute !== undefined ? { inferenceAttribute: s.inferenceAttribute } : {}),
    ...(s.probabilityAttribute !== undefined ? { probabilityAttribute: s.probabilityAttribute } : {}),
    ...(s.probabilityThresholdAttribute !== undefined
      ? { probabilityThresholdAttribute: s.probabilityThresholdAttribute }
      : {}),
    ...(s.featuresAttribute !== undefined ? { featuresAttribute: s.featuresAttribute } : {}),
    groundTruthHorizonMs: parseDuration(s.groundTruthHorizon),
    check: s.check,
    bootstrapReplicates: s.bootstrapReplicates,
    flipTestMaxRows: s.flipTestMaxRows,
    joinPartitions: s.joinPartitions,
    joinMemoryBytes: Math.round(s.joinMemoryMiB * 1024 * 1024),
  };
}

/** The attribution payload of a monitor's execution. */
export function attributionJobOf(
  base: ExecutionJobBase,
  settings: AttributionSettings | undefined,
): AttributionJob {
  return {
    ...base,
    ...(settings?.analysisConfig !== undefined ? { analysisConfigUri: settings.analysisConfig } : {}),
    ...(settings?.aggMethod !== undefined ? { aggMethod: settings.aggMethod } : {}),
    ndcgThreshold: settings?.ndcgThreshold ?? 0.9,
    ...(settings?.attributions !== undefined
      ? { attributionsUri: settings.attributions, labelKey: settings.labelKey }
      : {}),
  };
}
