/**
 * The CloudWatch implementation of `MetricPublisher` (`metric-publisher.ts`): datums sent with
 * `PutMetricData` in batches within CloudWatch's limits (`publish.ts`), each call retried
 * (`callWithRetry`), and looked up with `GetMetricStatistics`. The only module that sends datums to the
 * AWS SDK.
 */
// Types only: the SDK's commands are imported when a datum is sent (a run that publishes nothing never
// loads the CloudWatch SDK, issue 15).
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Datum, LandedOptions, MetricPublisher, PutMetricsOptions } from './metric-publisher.js';
import { batchMetricData } from './publish.js';
import { callWithRetry } from './retry.js';

export type { PutMetricsOptions } from './metric-publisher.js';

/** The CloudWatch client a publisher wraps (`createCloudWatchClient`, `client.ts`). */
export type MetricClient = CloudWatchClient;

/** The publisher that sends to CloudWatch through `client`. */
export function cloudWatchPublisher(client: MetricClient): MetricPublisher {
  return {
    put: (namespace, datums, options) => putMetrics(client, namespace, datums, options),
    landed: (namespace, datum, options) => datumLanded(client, namespace, datum, options ?? {}),
  };
}

/**
 * A publisher whose CloudWatch client is made by `create` when it first publishes or looks a datum up
 * (e.g. `() => import('./client.js').then((m) => m.createCloudWatchClient())`): a worker then starts
 * without loading the CloudWatch SDK (~0.1 s of CPU), and one whose jobs publish nothing never loads it.
 * `destroy()` destroys the client if one was made.
 */
export function lazyCloudWatchPublisher(create: () => Promise<MetricClient>): MetricPublisher & {
  destroy(): Promise<void>;
} {
  let client: Promise<MetricClient> | undefined;
  const made = () => {
    client ??= create();
    return client;
  };
  return {
    put: async (namespace, datums, options) => putMetrics(await made(), namespace, datums, options),
    landed: async (namespace, datum, options) => datumLanded(await made(), namespace, datum, options ?? {}),
    destroy: async () => {
      (await client?.catch(() => undefined))?.destroy();
    },
  };
}

/** `send()`, after `before` when given (the fence of a worker's job, awaited before every attempt). */
async function sendAfter<T>(before: (() => Promise<void>) | undefined, send: () => Promise<T>): Promise<T> {
  if (before) await before();
  return await send();
}

/**
 * Publishes `datums` to `namespace` and returns how many were sent (invalid ones are skipped and counted,
 * see `publish.ts`). Batches go one after another; each call is retried on throttling, 5xx and
 * network faults. When a batch still fails, throws `TransientError` (retryable job failure) naming how
 * many datums were already published; other refusals throw at once (see `callWithRetry`).
 */
export async function putMetrics(
  client: CloudWatchClient,
  namespace: string,
  datums: Datum[],
  options: PutMetricsOptions = {},
): Promise<number> {
  const { batches, skipped } = batchMetricData(namespace, datums, {
    limits: options.limits,
    now: options.now,
  });
  for (const s of skipped) {
    options.issues?.add({
      kind: 'metric-datum-invalid',
      source: `cloudwatch:${namespace}`,
      column: s.metricName,
      message: `metric datum not published: ${s.reason}`,
    });
  }
  if (batches.length === 0) return 0;
  const { PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  let sent = 0;
  for (const [i, batch] of batches.entries()) {
    const what = `PutMetricData to ${namespace} (batch ${i + 1}/${batches.length}, ${batch.length} datums; ${sent} sent before)`;
    await callWithRetry(
      what,
      () =>
        sendAfter(options.beforeSend, () =>
          client.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: batch }), {
            abortSignal: options.signal,
          }),
        ),
      { ...options.retry, signal: options.signal, maxAttempts: options.maxAttempts },
    );
    sent += batch.length;
  }
  return sent;
}

/**
 * Whether CloudWatch holds a value of `datum` (same namespace, name and dimensions) in the minute of its
 * timestamp: how a later attempt learns that an earlier one's publication went out.
 */
export async function datumLanded(
  client: CloudWatchClient,
  namespace: string,
  datum: Datum,
  options: LandedOptions = {},
): Promise<boolean> {
  const at = datum.Timestamp instanceof Date ? datum.Timestamp : new Date(datum.Timestamp ?? Date.now());
  const start = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  const { GetMetricStatisticsCommand } = await import('@aws-sdk/client-cloudwatch');
  const out = await callWithRetry(
    `GetMetricStatistics of ${namespace}/${datum.MetricName} at ${start.toISOString()}`,
    () =>
      sendAfter(options.beforeSend, () =>
        client.send(
          new GetMetricStatisticsCommand({
            Namespace: namespace,
            MetricName: datum.MetricName,
            Dimensions: datum.Dimensions,
            StartTime: start,
            EndTime: new Date(start.getTime() + 60_000),
            Period: 60,
            Statistics: ['SampleCount'],
          }),
          { abortSignal: options.signal },
        ),
      ),
    { ...options.retry, signal: options.signal },
  );
  return (out.Datapoints ?? []).some((d) => (d.SampleCount ?? 0) > 0);
}
