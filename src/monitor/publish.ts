/** Publishing one data-quality execution's CloudWatch metrics (spec §7.2) and its heartbeat. */
import type { CloudWatchClient, MetricDatum } from '@aws-sdk/client-cloudwatch';
import {
  dataQualityMetricData,
  executionHeartbeatDatum,
  type FeatureMetricInput,
  type MonitorType,
} from '../alerts/data-quality-metrics.js';
import { datumLanded, putMetrics } from '../alerts/publish.js';
import type { DataQualityResult } from '../checks/data-quality.js';
import type { IssueLog } from '../core/issues.js';
import type { ExecutionStatus } from '../core/types.js';
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';
import type { DataQualityJob, ExecutionJobBase } from './types.js';

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

/** Publishes the execution's metrics; returns the number of datums sent. Throws TransientError on failure. */
export async function publishDataQualityMetrics(
  client: CloudWatchClient,
  input: {
    job: DataQualityJob;
    profile: DatasetProfile;
    result: DataQualityResult;
    status: ExecutionStatus;
    emitMetrics: boolean;
    issues: IssueLog;
    signal?: AbortSignal;
  },
): Promise<number> {
  const { job } = input;
  const { namespace, datums } =
    input.status === 'Failed'
      ? { namespace: '', datums: [] as MetricDatum[] }
      : dataQualityMetricData({
          ...metricIdentity(job),
          features: featureMetricInputs(input.profile, input.result, input.emitMetrics),
        });
  const heartbeat = heartbeatOf('data-quality', job, input.status);
  let sent = 0;
  if (datums.length > 0)
    sent += await putMetrics(client, namespace, datums, { signal: input.signal, issues: input.issues });
  sent += await putMetrics(client, heartbeat.namespace, [heartbeat.datum], {
    signal: input.signal,
    issues: input.issues,
  });
  return sent;
}

/** What names an execution's metrics. */
type MetricJob = Pick<ExecutionJobBase, 'endpoint' | 'scheduleName' | 'scheduledTime'>;

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
  client: CloudWatchClient,
  type: MonitorType,
  job: MetricJob,
  signal?: AbortSignal,
): Promise<boolean> {
  const { namespace, datum } = heartbeatOf(type, job, 'Completed');
  return await datumLanded(client, namespace, datum, signal ? { signal } : {});
}
