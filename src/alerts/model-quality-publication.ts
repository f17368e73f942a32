/**
 * Publishing one model-quality execution's CloudWatch metrics (spec §7.3): every finite scalar metric
 * under its own name in the model-metrics namespace, CBPE estimates as `estimated_<metric>` with
 * `estimated_<metric>_lower` / `_upper` (the band), and the execution heartbeat.
 */
import type { ExecutionStatus } from '../core/types.js';
import { type BinaryPerformanceEstimate, ESTIMATED_METRIC_NAMES } from '../metrics/quality/cbpe.js';
import { modelQualityMetricData } from './data-quality-metrics.js';
import {
  heartbeatOf,
  type MetricJob,
  metricIdentity,
  type Publication,
  publicationOf,
} from './execution-publication.js';
import type { Datum } from './metric-publisher.js';

/** The scalar values published for an estimate: `<metric>`, `<metric>_lower`, `<metric>_upper` (finite only). */
export function estimateScalars(estimate: BinaryPerformanceEstimate): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of ESTIMATED_METRIC_NAMES) {
    const m = estimate.metrics[name];
    if (Number.isFinite(m.value)) out[name] = m.value;
    if (Number.isFinite(m.lower)) out[`${name}_lower`] = m.lower;
    if (Number.isFinite(m.upper)) out[`${name}_upper`] = m.upper;
  }
  return out;
}

/** What a model-quality execution publishes (see `publishOnce`). */
export function modelQualityPublication(input: {
  job: MetricJob;
  status: ExecutionStatus;
  realised: Record<string, number>;
  estimate: BinaryPerformanceEstimate | undefined;
}): Publication {
  const { job } = input;
  const identity = metricIdentity(job);
  const datums: Datum[] = [];
  if (Object.keys(input.realised).length > 0)
    datums.push(...modelQualityMetricData({ ...identity, metrics: input.realised }).datums);
  if (input.estimate) {
    datums.push(
      ...modelQualityMetricData({
        ...identity,
        metrics: estimateScalars(input.estimate),
        prefix: 'estimated_',
      }).datums,
    );
  }
  return publicationOf(job, heartbeatOf('model-quality', job, input.status), datums);
}
