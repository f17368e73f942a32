/**
 * The CloudWatch metrics of one execution, named as SageMaker Model Monitor names them (spec §7), plus
 * driftwatch's execution heartbeat (used by the "stopped reporting" alarm).
 *
 * Namespaces and dimensions (spec §7.1):
 * | monitor       | endpoint namespace                      | batch namespace                             |
 * | data quality  | aws/sagemaker/Endpoints/data-metrics    | aws/sagemaker/ModelMonitoring/data-metrics  |
 * | model quality | aws/sagemaker/Endpoints/model-metrics   | aws/sagemaker/ModelMonitoring/model-metrics |
 * Data-quality datums carry `Endpoint` (endpoint schedules only), `Feature`, `MonitoringSchedule`;
 * model-quality datums carry `Endpoint` (endpoint only), `MonitoringSchedule`. No unit (spec §7.1).
 * A schedule is "batch" when `batch` is true, or when no endpoint is given.
 *
 * Feature names are untrusted: metric names use `featureMetricPart` (metric-names.ts), the `Feature`
 * dimension keeps the real name when CloudWatch accepts it.
 */

import type { ExecutionStatus } from '../core/types.js';
import { dimensionValue, featureDimensionValue, featureMetricName, safeNamePart } from './metric-names.js';
import type { Datum, DatumDimension } from './metric-publisher.js';

export type MonitorType = 'data-quality' | 'model-quality' | 'bias' | 'attribution';

export const NAMESPACES = {
  'data-quality': {
    endpoint: 'aws/sagemaker/Endpoints/data-metrics',
    batch: 'aws/sagemaker/ModelMonitoring/data-metrics',
  },
  'model-quality': {
    endpoint: 'aws/sagemaker/Endpoints/model-metrics',
    batch: 'aws/sagemaker/ModelMonitoring/model-metrics',
  },
  /** Clarify bias drift (spec §9.8). */
  bias: {
    endpoint: 'aws/sagemaker/Endpoints/bias-metrics',
    batch: 'aws/sagemaker/ModelMonitoring/bias-metrics',
  },
  /** Clarify feature-attribution drift (spec §9.8). */
  attribution: {
    endpoint: 'aws/sagemaker/Endpoints/explainability-metrics',
    batch: 'aws/sagemaker/ModelMonitoring/explainability-metrics',
  },
} as const satisfies Record<MonitorType, { endpoint: string; batch: string }>;

/** Data-quality metric name prefixes (spec §7.2); the metric is `<prefix><feature part>`. */
export const FEATURE_METRIC_PREFIXES = {
  data: 'feature_data_',
  nonNull: 'feature_non_null_',
  null: 'feature_null_',
  completeness: 'feature_completeness_',
  baselineDrift: 'feature_baseline_drift_',
  /** driftwatch extension (calibrated drift): the score relative to its calibrated threshold, ≥ 1 is drift. */
  baselineDriftRatio: 'feature_baseline_drift_ratio_',
  estimatedUniqueValues: 'feature_estimated_unique_values_',
  fractionalCounts: 'feature_fractional_counts_',
  integralCounts: 'feature_integral_counts_',
  stringCounts: 'feature_string_counts_',
  booleanCounts: 'feature_boolean_counts_',
  unknownCounts: 'feature_unknown_counts_',
  /** driftwatch's: values of sensitive types (e-mail, card numbers, ...) in the window (security/pii.ts). */
  sensitiveValues: 'feature_sensitive_values_',
} as const;

/**
 * driftwatch's own heartbeat metric, published by every execution: 1 when it completed (with or without
 * violations), 0 when it failed. The "stopped reporting" alarm fires when its Sum stays below 1 (failed)
 * or it is missing (no execution at all).
 */
export const EXECUTION_HEARTBEAT_METRIC = 'driftwatch_execution_completed';

export interface ScheduleIdentity {
  /** Endpoint name; absent for batch-transform schedules. */
  endpoint?: string;
  scheduleName: string;
  /** Use the batch namespace and leave out the `Endpoint` dimension. @defaultValue `endpoint === undefined` */
  batch?: boolean;
}

export function isBatchSchedule(id: ScheduleIdentity): boolean {
  return id.batch ?? id.endpoint === undefined;
}

/** Namespace of a monitor's metrics (spec §7.1). */
export function metricNamespace(type: MonitorType, id: ScheduleIdentity): string {
  return isBatchSchedule(id) ? NAMESPACES[type].batch : NAMESPACES[type].endpoint;
}

/**
 * The dimensions identifying a schedule's metrics, in SageMaker's order (`Endpoint`, [`Feature`],
 * `MonitoringSchedule`). `feature` is the real feature name (rendered by `featureDimensionValue`).
 */
export function scheduleDimensions(id: ScheduleIdentity, feature?: string): DatumDimension[] {
  const dims: DatumDimension[] = [];
  if (!isBatchSchedule(id)) {
    if (id.endpoint === undefined) throw new TypeError('an endpoint schedule needs an endpoint name');
    dims.push({ Name: 'Endpoint', Value: dimensionValue(id.endpoint) });
  }
  if (feature !== undefined) dims.push({ Name: 'Feature', Value: featureDimensionValue(feature) });
  dims.push({ Name: 'MonitoringSchedule', Value: dimensionValue(id.scheduleName) });
  return dims;
}

export type InferredType = 'Integral' | 'Fractional' | 'String' | 'Unknown' | 'Boolean';

export interface FeatureMetricInput {
  name: string;
  inferredType: InferredType;
  /** Non-null values in the window. */
  numPresent: number;
  /** Null or missing values in the window. */
  numMissing: number;
  /** Sum, min and max of the numeric values (numeric features). */
  numeric?: { sum: number; min: number; max: number };
  distinctCount?: number;
  /** Drift distance against the baseline (spec §5.3), when computed. */
  driftDistance?: number;
  /** The drift score relative to its calibrated threshold (drift_mode calibrated), when computed. */
  driftRatio?: number;
  /** Values of sensitive types in the window, when any. */
  sensitiveValues?: number;
  typeCounts: { integral: number; fractional: number; string: number; boolean: number; unknown: number };
  /** False when `emit_metrics` is disabled for this feature (globally or by override). */
  emitMetrics: boolean;
}

export interface DataQualityMetricInput extends ScheduleIdentity {
  /** The execution's scheduled time: the timestamp of every datum. */
  timestamp: Date;
  features: FeatureMetricInput[];
  /**
   * Multivariate drift (calibrated baselines with a PCA model): the window's mean reconstruction error and
   * its distance from the baseline's mean relative to the band's half-width (≥ 1 exactly when it is drift).
   */
  multivariate?: { value: number; ratio: number };
}

/** driftwatch extension metrics of the multivariate check (schedule dimensions, no `Feature`). */
export const MULTIVARIATE_METRICS = {
  value: 'multivariate_reconstruction_error',
  ratio: 'multivariate_drift_ratio',
} as const;

/**
 * The §7.2 datums of one data-quality execution. Per feature with `emitMetrics`:
 * `feature_data_<f>` (StatisticSet SampleCount=numPresent, Sum, Minimum, Maximum; numeric features with
 * at least one value), `feature_non_null_<f>`, `feature_null_<f>`, `feature_completeness_<f>` (0..1; when
 * the window has rows), `feature_baseline_drift_<f>` (when a distance was computed),
 * `feature_estimated_unique_values_<f>` (when known), the five `feature_<type>_counts_<f>` and driftwatch's
 * `feature_sensitive_values_<f>` (when the window holds sensitive values in the feature).
 * Values are passed through as given: `putMetrics` skips and counts non-finite ones.
 */
export function dataQualityMetricData(input: DataQualityMetricInput): {
  namespace: string;
  datums: Datum[];
} {
  const namespace = metricNamespace('data-quality', input);
  const datums: Datum[] = [];
  const timestamp = input.timestamp;
  for (const f of input.features) {
    if (!f.emitMetrics) continue;
    const dims = scheduleDimensions(input, f.name);
    const value = (prefix: string, v: number) =>
      datums.push({
        MetricName: featureMetricName(prefix, f.name),
        Dimensions: dims,
        Timestamp: timestamp,
        Value: v,
      });
    const isNumeric = f.inferredType === 'Integral' || f.inferredType === 'Fractional';
    if (isNumeric && f.numeric && f.numPresent > 0) {
      datums.push({
        MetricName: featureMetricName(FEATURE_METRIC_PREFIXES.data, f.name),
        Dimensions: dims,
        Timestamp: timestamp,
        StatisticValues: {
          SampleCount: f.numPresent,
          Sum: f.numeric.sum,
          Minimum: f.numeric.min,
          Maximum: f.numeric.max,
        },
      });
    }
    value(FEATURE_METRIC_PREFIXES.nonNull, f.numPresent);
    value(FEATURE_METRIC_PREFIXES.null, f.numMissing);
    const total = f.numPresent + f.numMissing;
    if (total > 0) value(FEATURE_METRIC_PREFIXES.completeness, f.numPresent / total);
    if (f.driftDistance !== undefined) value(FEATURE_METRIC_PREFIXES.baselineDrift, f.driftDistance);
    if (f.driftRatio !== undefined) value(FEATURE_METRIC_PREFIXES.baselineDriftRatio, f.driftRatio);
    if (f.distinctCount !== undefined) value(FEATURE_METRIC_PREFIXES.estimatedUniqueValues, f.distinctCount);
    if (f.sensitiveValues !== undefined) value(FEATURE_METRIC_PREFIXES.sensitiveValues, f.sensitiveValues);
    value(FEATURE_METRIC_PREFIXES.fractionalCounts, f.typeCounts.fractional);
    value(FEATURE_METRIC_PREFIXES.integralCounts, f.typeCounts.integral);
    value(FEATURE_METRIC_PREFIXES.stringCounts, f.typeCounts.string);
    value(FEATURE_METRIC_PREFIXES.booleanCounts, f.typeCounts.boolean);
    value(FEATURE_METRIC_PREFIXES.unknownCounts, f.typeCounts.unknown);
  }
  if (input.multivariate) {
    const dims = scheduleDimensions(input);
    for (const key of ['value', 'ratio'] as const) {
      datums.push({
        MetricName: MULTIVARIATE_METRICS[key],
        Dimensions: dims,
        Timestamp: timestamp,
        Value: input.multivariate[key],
      });
    }
  }
  return { namespace, datums };
}

export interface ModelQualityMetricInput extends ScheduleIdentity {
  timestamp: Date;
  /** Scalar metrics by name (spec §6.2: `mae`, `f1`, `weighted_f1`, ...). Curves and matrices are not scalars. */
  metrics: Record<string, number>;
  /** Prepended to every metric name, e.g. `estimated_` for metrics estimated without ground truth. */
  prefix?: string;
}

/** Name of a model-quality metric as published: `<prefix><metric>`, rendered safe (spec §7.3). */
export function modelQualityMetricName(metric: string, prefix = ''): string {
  return safeNamePart(`${prefix}${metric}`);
}

/** The §7.3 datums of one model-quality execution: one datum per scalar metric, named as the metric. */
export function modelQualityMetricData(input: ModelQualityMetricInput): {
  namespace: string;
  datums: Datum[];
} {
  const namespace = metricNamespace('model-quality', input);
  const dims = scheduleDimensions(input);
  const datums: Datum[] = [];
  for (const [metric, value] of Object.entries(input.metrics)) {
    datums.push({
      MetricName: modelQualityMetricName(metric, input.prefix),
      Dimensions: dims,
      Timestamp: input.timestamp,
      Value: value,
    });
  }
  return { namespace, datums };
}

export interface ExecutionHeartbeatInput extends ScheduleIdentity {
  type: MonitorType;
  /** The execution's scheduled time. */
  timestamp: Date;
  status: ExecutionStatus;
}

/**
 * The heartbeat datum every execution publishes, whatever its outcome (`EXECUTION_HEARTBEAT_METRIC`,
 * value 1 = completed, 0 = failed), in the monitor's namespace with the schedule dimensions.
 */
export function executionHeartbeatDatum(input: ExecutionHeartbeatInput): {
  namespace: string;
  datum: Datum;
} {
  return {
    namespace: metricNamespace(input.type, input),
    datum: {
      MetricName: EXECUTION_HEARTBEAT_METRIC,
      Dimensions: scheduleDimensions(input),
      Timestamp: input.timestamp,
      Value: input.status === 'Failed' ? 0 : 1,
    },
  };
}
