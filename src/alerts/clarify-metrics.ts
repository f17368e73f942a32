/**
 * CloudWatch metric data of the two Clarify monitors (spec §9.8). Pure: builds `Datum`s.
 *
 * Bias drift: namespace `aws/sagemaker/Endpoints/bias-metrics` (batch: `.../ModelMonitoring/...`),
 * metric `bias_metric_<NAME>`, dimensions `Endpoint` (endpoint only), `MonitoringSchedule`,
 * `BiasStage` (`Pre-training` / `Post-Training`, casing as documented), `Label`, `LabelValue`,
 * `Facet`, `FacetValue`. `±∞` is published as `±2^360` (CloudWatch's largest magnitude), finite
 * values beyond it are clamped and magnitudes below 2^-360 sent as 0; `null` values (errors) are
 * not published.
 * `LabelValue` / `FacetValue` strings (unconfirmed): the `","`-join of the configured values in
 * Python `str`, and for a facet without configured values the entry's value; so the dimension
 * stays the same when a continuous interval's upper bound moves with the data.
 *
 * Attribution drift: namespace `.../explainability-metrics`, `feature_<name>` (global value) with
 * `ValueType = GlobalShapValues`, and `expected_value` (metric name unconfirmed) with
 * `ValueType = ExpectedValue`; dimensions `Endpoint`, `MonitoringSchedule`,
 * `ExplainabilityMethod = KernelShap`, `Label`. The NDCG is not a SageMaker metric: it is driftwatch's
 * `attribution_ndcg` (dimensions `Endpoint`, `MonitoringSchedule`, `Label`), published with the
 * execution's other datums in the explainability namespace (one publication is one namespace, and
 * driftwatch's heartbeat already lives there), under a name SageMaker does not use. The NDCG alarm
 * watches it.
 */
import type { ClarifyAnalysis, ClarifyShapLabel } from '../baseline/clarify-analysis.js';
import type { ClarifyAnalysisConfig, ClarifyScalar } from '../config/clarify.js';
import { pythonFloatRepr } from '../metrics/bias/selection.js';
import { isBatchSchedule, NAMESPACES, type ScheduleIdentity } from './data-quality-metrics.js';
import { dimensionValue, featureMetricName } from './metric-names.js';
import type { Datum, DatumDimension } from './metric-publisher.js';

export const CLARIFY_NAMESPACES = { bias: NAMESPACES.bias, attribution: NAMESPACES.attribution } as const;

export const NDCG_METRIC = 'attribution_ndcg';
export const EXPECTED_VALUE_METRIC = 'expected_value';

/** 2^360, the largest magnitude PutMetricData accepts. */
export const CLOUDWATCH_MAX = 2 ** 360;
const CLOUDWATCH_MIN = 2 ** -360;

/** A value CloudWatch accepts: `±∞` and beyond → `±2^360`, tiny magnitudes → 0, NaN → undefined. */
export function cloudWatchValue(x: number): number | undefined {
  if (Number.isNaN(x)) return undefined;
  if (x >= CLOUDWATCH_MAX) return CLOUDWATCH_MAX;
  if (x <= -CLOUDWATCH_MAX) return -CLOUDWATCH_MAX;
  if (Math.abs(x) < CLOUDWATCH_MIN) return 0;
  return x;
}

export function clarifyNamespace(kind: 'bias' | 'attribution', id: ScheduleIdentity): string {
  return isBatchSchedule(id) ? CLARIFY_NAMESPACES[kind].batch : CLARIFY_NAMESPACES[kind].endpoint;
}

function baseDimensions(id: ScheduleIdentity): DatumDimension[] {
  const dims: DatumDimension[] = [];
  if (!isBatchSchedule(id)) {
    if (id.endpoint === undefined) throw new TypeError('an endpoint schedule needs an endpoint name');
    dims.push({ Name: 'Endpoint', Value: dimensionValue(id.endpoint) });
  }
  dims.push({ Name: 'MonitoringSchedule', Value: dimensionValue(id.scheduleName) });
  return dims;
}

export const BIAS_STAGE_DIMENSION = { pre_training: 'Pre-training', post_training: 'Post-Training' } as const;

export interface BiasDimensionIdentity {
  /** Config `label` (header name). */
  label: string;
  /** Configured `label_values_or_threshold`, `","`-joined in Python str. */
  labelValue: string;
  /** Facet name → configured `value_or_threshold` string; absent = per-value facet (entry's value). */
  facetValues: ReadonlyMap<string, string>;
}

export interface BiasMetricIdentity {
  stage: keyof typeof BIAS_STAGE_DIMENSION;
  facet: string;
  facetValue: string;
  metric: string;
}

export function biasMetricName(metric: string): string {
  return `bias_metric_${metric}`;
}

/**
 * driftwatch's `bias_drift_<NAME>`: 1 when the window's bias_drift_check flagged that facet metric, 0 when
 * it passed (not published when the comparison was skipped), with the `bias_metric_<NAME>` dimensions.
 * The bias alarms watch it, so an alarm fires exactly when a violation is written, in either check mode
 * (CloudWatch cannot alarm on |value| > |baseline| of `bias_metric_<NAME>` itself).
 */
export function biasDriftMetricName(metric: string): string {
  return `bias_drift_${metric}`;
}

/** Python `str` of configured values, `","`-joined (the LabelValue / FacetValue dimensions). */
export function configuredValuesText(values: readonly ClarifyScalar[]): string {
  return values
    .map((v) =>
      typeof v === 'boolean'
        ? v
          ? 'True'
          : 'False'
        : typeof v === 'number'
          ? Number.isInteger(v)
            ? String(v)
            : pythonFloatRepr(v)
          : v,
    )
    .join(',');
}

/** The facet's name as analysis.json keys it: the name, or the header at the index. */
export function facetName(
  config: Pick<ClarifyAnalysisConfig, 'headers'>,
  nameOrIndex: string | number,
): string {
  return typeof nameOrIndex === 'number'
    ? (config.headers?.[nameOrIndex] ?? `column_${nameOrIndex}`)
    : nameOrIndex;
}

/** The LabelValue / FacetValue dimension strings of a monitor's analysis config (§9.8, unconfirmed). */
export function biasDimensionIdentity(
  config: Pick<ClarifyAnalysisConfig, 'headers' | 'facets' | 'labelValues'>,
  label: string,
): BiasDimensionIdentity {
  return {
    label,
    labelValue: configuredValuesText(config.labelValues ?? []),
    facetValues: new Map(
      config.facets.flatMap((f) =>
        f.values !== undefined && f.values.length > 0
          ? [[facetName(config, f.nameOrIndex), configuredValuesText(f.values)] as const]
          : [],
      ),
    ),
  };
}

export function biasMetricDimensions(
  id: ScheduleIdentity,
  dims: BiasDimensionIdentity,
  m: Omit<BiasMetricIdentity, 'metric'>,
): DatumDimension[] {
  return [
    ...baseDimensions(id),
    { Name: 'BiasStage', Value: BIAS_STAGE_DIMENSION[m.stage] },
    { Name: 'Label', Value: dimensionValue(dims.label) },
    { Name: 'LabelValue', Value: dimensionValue(dims.labelValue) },
    { Name: 'Facet', Value: dimensionValue(m.facet) },
    { Name: 'FacetValue', Value: dimensionValue(dims.facetValues.get(m.facet) ?? m.facetValue) },
  ];
}

/** Every non-null metric of the window's bias analysis as a datum. */
export function biasMetricData(
  id: ScheduleIdentity,
  dims: BiasDimensionIdentity,
  analysis: ClarifyAnalysis,
  timestamp: Date,
): Datum[] {
  const out: Datum[] = [];
  for (const stage of ['post_training', 'pre_training'] as const) {
    const s = stage === 'pre_training' ? analysis.preTraining : analysis.postTraining;
    if (s === undefined) continue;
    for (const [facet, entries] of s.facets) {
      for (const e of entries) {
        for (const m of e.metrics) {
          if (m.value === null) continue;
          const value = cloudWatchValue(m.value);
          if (value === undefined) continue;
          out.push({
            MetricName: biasMetricName(m.name),
            Dimensions: biasMetricDimensions(id, dims, { stage, facet, facetValue: e.valueOrThreshold }),
            Timestamp: timestamp,
            Value: value,
            Unit: 'None',
          });
        }
      }
    }
  }
  return out;
}

export function attributionDimensions(
  id: ScheduleIdentity,
  label: string,
  valueType: 'GlobalShapValues' | 'ExpectedValue',
): DatumDimension[] {
  return [
    ...baseDimensions(id),
    { Name: 'ExplainabilityMethod', Value: 'KernelShap' },
    { Name: 'Label', Value: dimensionValue(label) },
    { Name: 'ValueType', Value: valueType },
  ];
}

/** `feature_<name>` per feature and `expected_value` (when known) per label. */
export function attributionMetricData(
  id: ScheduleIdentity,
  kernelShap: ReadonlyMap<string, ClarifyShapLabel>,
  timestamp: Date,
): Datum[] {
  const out: Datum[] = [];
  for (const [label, l] of kernelShap) {
    for (const [feature, v] of l.globalShapValues) {
      const value = cloudWatchValue(v);
      if (value === undefined) continue;
      out.push({
        MetricName: featureMetricName('feature_', feature),
        Dimensions: attributionDimensions(id, label, 'GlobalShapValues'),
        Timestamp: timestamp,
        Value: value,
        Unit: 'None',
      });
    }
    const ev = l.expectedValue === undefined ? undefined : cloudWatchValue(l.expectedValue);
    if (ev !== undefined) {
      out.push({
        MetricName: EXPECTED_VALUE_METRIC,
        Dimensions: attributionDimensions(id, label, 'ExpectedValue'),
        Timestamp: timestamp,
        Value: ev,
        Unit: 'None',
      });
    }
  }
  return out;
}

export function ndcgDimensions(id: ScheduleIdentity, label: string): DatumDimension[] {
  return [...baseDimensions(id), { Name: 'Label', Value: dimensionValue(label) }];
}

/** The per-label NDCG datum (driftwatch's metric, in the explainability namespace). */
export function ndcgMetricDatum(id: ScheduleIdentity, label: string, ndcg: number, timestamp: Date): Datum {
  return {
    MetricName: NDCG_METRIC,
    Dimensions: ndcgDimensions(id, label),
    Timestamp: timestamp,
    Value: cloudWatchValue(ndcg) ?? 0,
    Unit: 'None',
  };
}
