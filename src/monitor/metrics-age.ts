/**
 * CloudWatch refuses datums more than 14 days old (PutMetricData's rule; checked datum by datum in
 * alerts/publish.ts). An execution's metrics are all timestamped with its scheduled time, so a window
 * scheduled more than 14 days ago publishes nothing: its summary says so in its own field,
 * `metricsNotPublished`, the CLI warns, and `backfill` says it before enqueuing.
 */
import type { ExecutionJobBase } from './types.js';

export const CLOUDWATCH_MAX_AGE_MS = 14 * 24 * 3600 * 1000;

export const TOO_OLD_FOR_CLOUDWATCH = 'window older than 14 days';

/** Why the metrics of `job` cannot be published (undefined: they can, or the job publishes none). */
export function metricsNotPublished(
  job: Pick<ExecutionJobBase, 'cloudwatch' | 'scheduledTime'>,
  now: Date = new Date(),
): string | undefined {
  if (!job.cloudwatch) return undefined;
  return Date.parse(job.scheduledTime) < now.getTime() - CLOUDWATCH_MAX_AGE_MS
    ? TOO_OLD_FOR_CLOUDWATCH
    : undefined;
}

/** The first scheduled time whose metrics CloudWatch still accepts. */
export function oldestPublishable(now: Date = new Date()): Date {
  return new Date(now.getTime() - CLOUDWATCH_MAX_AGE_MS);
}
