/** What one data-quality execution publishes to CloudWatch (spec §7.2): its metrics and its heartbeat. */
import type { DataQualityResult } from '../checks/data-quality.js';
import type { ExecutionStatus } from '../core/types.js';
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';
import {
  dataQualityMetricData,
  executionHeartbeatDatum,
  type FeatureMetricInput,
  type MonitorType,
  scheduleDimensions,
} from './data-quality-metrics.js';
import type { Datum, MetricPublisher } from './metric-publisher.js';

/** What one execution publishes (`monitor/once.ts` `publishOnce` sends it exactly once). */
export interface Publication {
  namespace: string;
  /** The execution's metric datums, in a deterministic order (the heartbeat not among them). */
  datums: Datum[];
  /** The execution heartbeat: the marker of the last (or only) batch. */
  heartbeat: Datum;
  /** The marker of batch `index` (0-based) of `count`, when the datums need several calls. */
  batchMarker(index: number, count: number): Datum;
}

export function featureMetricInputs(
  profile: DatasetProfile,
  result: DataQualityResult,
  emitMetrics: boolean,
): FeatureMetricInput[] {
  const byName = new Map(result.features.map((f) => [f.name, f]));
  return profile.columns.map((column) => {
    const checked = byName.get(column.name);
    const numMissing = profile.itemCount - column.numPresent;
    const m = column.moments;
    return {
      name: column.name,
      inferredType: column.inferredType,
      numPresent: column.numPresent,
      numMissing,
      // A column with sensitive values (e.g. card numbers) publishes no min and max: they would be values.
      ...(m.count > 0 && !column.sensitive.any ? { numeric: { sum: m.sum, min: m.min, max: m.max } } : {}),
      distinctCount: Math.round(column.distinct.estimate()),
      ...(checked?.drift?.decided ? { driftDistance: checked.drift.distance } : {}),
      ...(checked?.drift?.calibrated ? { driftRatio: checked.drift.calibrated.ratio } : {}),
      ...(column.sensitive.any ? { sensitiveValues: column.sensitive.total } : {}),
      typeCounts: {
        integral: column.integral,
        fractional: column.fractional,
        string: column.string,
        boolean: column.boolean,
        unknown: numMissing,
      },
      emitMetrics: checked ? checked.emitMetrics : emitMetrics,
    };
  });
}

/** The multivariate check as published: the value and |value − baseline| relative to the band's half-width. */
function multivariateMetric(m: NonNullable<DataQualityResult['multivariate']>): {
  value: number;
  ratio: number;
} {
  const half = m.value > m.baselineMean ? m.upper - m.baselineMean : m.baselineMean - m.lower;
  const ratio = half > 0 ? Math.abs(m.value - m.baselineMean) / half : 0;
  return { value: m.value, ratio };
}

/** What a data-quality execution publishes (see `publishOnce`): its feature metrics and heartbeat. */
export function dataQualityPublication(input: {
  job: MetricJob;
  profile: DatasetProfile;
  result: DataQualityResult;
  status: ExecutionStatus;
  emitMetrics: boolean;
}): Publication {
  const { job } = input;
  const heartbeat = heartbeatOf('data-quality', job, input.status);
  const datums =
    input.status === 'Failed'
      ? []
      : dataQualityMetricData({
          ...metricIdentity(job),
          features: featureMetricInputs(input.profile, input.result, input.emitMetrics),
          ...(input.result.multivariate
            ? { multivariate: multivariateMetric(input.result.multivariate) }
            : {}),
        }).datums;
  return publicationOf(job, heartbeat, datums);
}

/** The metric that marks batch i of n of a publication too large for one PutMetricData call. */
export const PUBLICATION_BATCH_METRIC = 'driftwatch_publication_batch';

/** A publication of `datums` (all in the heartbeat's namespace) ending with the heartbeat. */
export function publicationOf(
  job: MetricJob,
  heartbeat: { namespace: string; datum: Datum },
  datums: Datum[],
): Publication {
  const identity = metricIdentity(job);
  return {
    namespace: heartbeat.namespace,
    datums,
    heartbeat: heartbeat.datum,
    batchMarker: (index, count) => ({
      MetricName: PUBLICATION_BATCH_METRIC,
      Dimensions: [
        ...scheduleDimensions(identity),
        { Name: 'PublicationBatch', Value: `${index + 1}/${count}` },
      ],
      Timestamp: identity.timestamp,
      Value: 1,
    }),
  };
}

/** What names an execution's metrics (the fields of its job that say which schedule and hour). */
export interface MetricJob {
  endpoint: string;
  scheduleName: string;
  /** ISO-8601 time of the scheduled hour. */
  scheduledTime: string;
}

/** The schedule identity (an endpoint schedule, spec §7.1) and timestamp of an execution's metrics. */
export function metricIdentity(job: MetricJob) {
  return {
    endpoint: job.endpoint,
    scheduleName: job.scheduleName,
    batch: false,
    timestamp: new Date(job.scheduledTime),
  };
}

/** The execution's heartbeat: the last datum its publication sends. */
export function heartbeatOf(type: MonitorType, job: MetricJob, status: ExecutionStatus) {
  return executionHeartbeatDatum({ ...metricIdentity(job), type, status });
}

/**
 * Whether the heartbeat of an execution (the last datum its publication sends, data or model quality) is
 * in CloudWatch: then everything that execution published went out.
 */
export async function heartbeatLanded(
  publisher: MetricPublisher,
  type: MonitorType,
  job: MetricJob,
  signal?: AbortSignal,
): Promise<boolean> {
  const { namespace, datum } = heartbeatOf(type, job, 'Completed');
  return await publisher.landed(namespace, datum, signal ? { signal } : {});
}
