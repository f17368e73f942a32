/**
 * The small interface `monitor/` publishes through: it sees metric datums and a publisher, never the AWS
 * SDK. `cloudWatchPublisher` is the one implementation (PutMetricData with retries, `putMetrics`).
 */
import type { CloudWatchClient, MetricDatum } from '@aws-sdk/client-cloudwatch';
import { datumLanded, type PutMetricsOptions, putMetrics } from './publish.js';

/** One metric datum as driftwatch builds it (CloudWatch's `MetricDatum` shape). */
export type Datum = MetricDatum;

/** The CloudWatch client an execution is given (`ExecutionDeps.cloudwatch`). */
export type MetricClient = CloudWatchClient;

/** Where an execution's datums go. */
export interface MetricPublisher {
  /** Publishes `datums` to `namespace`; returns how many were sent (see `putMetrics`). */
  put(namespace: string, datums: Datum[], options?: PutMetricsOptions): Promise<number>;
  /** Whether `datum` (same name, dimensions and timestamp) is already stored. */
  landed(namespace: string, datum: Datum, options?: { signal?: AbortSignal }): Promise<boolean>;
}

/** The publisher that sends to CloudWatch through `client`. */
export function cloudWatchPublisher(client: MetricClient): MetricPublisher {
  return {
    put: (namespace, datums, options) => putMetrics(client, namespace, datums, options),
    landed: (namespace, datum, options) => datumLanded(client, namespace, datum, options ?? {}),
  };
}
