/**
 * Metrics publishing against moto_server's CloudWatch with the real SDK, and retries against a real local
 * HTTP server that throttles / fails before proxying to moto.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type Metric,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudWatchClient } from '../../src/alerts/client.js';
import { putMetrics } from '../../src/alerts/cloudwatch-publisher.js';
import {
  dataQualityMetricData,
  executionHeartbeatDatum,
  modelQualityMetricData,
} from '../../src/alerts/data-quality-metrics.js';
import type { Datum } from '../../src/alerts/metric-publisher.js';
import { DriftwatchError, TransientError } from '../../src/core/errors.js';
import { IssueLog } from '../../src/core/issues.js';
import { awsEndpoint } from '../support/aws.js';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

function client(endpoint = awsEndpoint()): CloudWatchClient {
  // moto_server 5.2 mis-decodes gzip request bodies: send them plain.
  return createCloudWatchClient({
    endpoint,
    region: 'us-east-1',
    credentials,
    disableRequestCompression: true,
  });
}

/** The last full hour: inside CloudWatch's accepted range and aligned like a scheduled time. */
function scheduledTime(): Date {
  const t = new Date(Date.now() - 3600_000);
  t.setUTCMinutes(0, 0, 0);
  return t;
}

async function listMetrics(cw: CloudWatchClient, namespace: string, schedule: string): Promise<Metric[]> {
  const out: Metric[] = [];
  let token: string | undefined;
  do {
    const page = await cw.send(
      new ListMetricsCommand({
        Namespace: namespace,
        Dimensions: [{ Name: 'MonitoringSchedule', Value: schedule }],
        NextToken: token,
      }),
    );
    out.push(...(page.Metrics ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('putMetrics against moto CloudWatch', () => {
  it('publishes the §7.2 data-quality metrics with StatisticSet values, dimensions and the scheduled timestamp', async () => {
    const cw = client();
    const schedule = `dq-${randomUUID()}`;
    const timestamp = scheduledTime();
    const { namespace, datums } = dataQualityMetricData({
      endpoint: 'churn-ep',
      scheduleName: schedule,
      timestamp,
      features: [
        {
          name: 'age',
          inferredType: 'Integral',
          numPresent: 4,
          numMissing: 1,
          numeric: { sum: 100, min: 18, max: 40 },
          distinctCount: 4,
          driftDistance: 0.25,
          typeCounts: { integral: 4, fractional: 0, string: 0, boolean: 0, unknown: 0 },
          emitMetrics: true,
        },
        {
          name: 'plan type',
          inferredType: 'String',
          numPresent: 5,
          numMissing: 0,
          distinctCount: 2,
          driftDistance: Number.NaN,
          typeCounts: { integral: 0, fractional: 0, string: 5, boolean: 0, unknown: 0 },
          emitMetrics: true,
        },
        {
          name: 'muted',
          inferredType: 'Fractional',
          numPresent: 1,
          numMissing: 0,
          typeCounts: { integral: 0, fractional: 1, string: 0, boolean: 0, unknown: 0 },
          emitMetrics: false,
        },
      ],
    });
    expect(namespace).toBe('aws/sagemaker/Endpoints/data-metrics');
    const issues = new IssueLog();
    const sent = await putMetrics(cw, namespace, datums, { issues });
    expect(sent).toBe(datums.length - 1);
    expect(issues.counts.get('metric-datum-invalid')).toBe(1);
    expect(issues.samples[0]?.message).toMatch(/finite/);

    const metrics = await listMetrics(cw, namespace, schedule);
    const byName = new Map(metrics.map((m) => [m.MetricName, m]));
    expect([...byName.keys()].filter((n) => n?.endsWith('_age')).sort()).toEqual([
      'feature_baseline_drift_age',
      'feature_boolean_counts_age',
      'feature_completeness_age',
      'feature_data_age',
      'feature_estimated_unique_values_age',
      'feature_fractional_counts_age',
      'feature_integral_counts_age',
      'feature_non_null_age',
      'feature_null_age',
      'feature_string_counts_age',
      'feature_unknown_counts_age',
    ]);
    const planMetrics = metrics.filter((m) =>
      m.Dimensions?.some((d) => d.Name === 'Feature' && d.Value === 'plan type'),
    );
    expect(planMetrics).toHaveLength(9); // no feature_data (not numeric), no drift (NaN skipped)
    expect(planMetrics.every((m) => /_plan_type_[0-9a-f]{8}$/.test(m.MetricName ?? ''))).toBe(true);
    expect(metrics.some((m) => m.MetricName?.includes('muted'))).toBe(false);
    expect(byName.get('feature_data_age')?.Dimensions).toEqual([
      { Name: 'Endpoint', Value: 'churn-ep' },
      { Name: 'Feature', Value: 'age' },
      { Name: 'MonitoringSchedule', Value: schedule },
    ]);

    const dims = byName.get('feature_data_age')?.Dimensions;
    const stats = ['SampleCount', 'Sum', 'Minimum', 'Maximum', 'Average'];
    const result = await cw.send(
      new GetMetricDataCommand({
        StartTime: timestamp,
        EndTime: new Date(timestamp.getTime() + 3600_000),
        MetricDataQueries: [
          ...stats.map((stat, i) => ({
            Id: `d${i}`,
            MetricStat: {
              Metric: { Namespace: namespace, MetricName: 'feature_data_age', Dimensions: dims },
              Period: 3600,
              Stat: stat,
            },
          })),
          {
            Id: 'drift',
            MetricStat: {
              Metric: { Namespace: namespace, MetricName: 'feature_baseline_drift_age', Dimensions: dims },
              Period: 3600,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    const values = new Map(result.MetricDataResults?.map((r) => [r.Id, r]));
    expect(stats.map((_, i) => values.get(`d${i}`)?.Values)).toEqual([[4], [100], [18], [40], [25]]);
    expect(values.get('d0')?.Timestamps).toEqual([timestamp]);
    expect(values.get('drift')?.Values).toEqual([0.25]);
  });

  it('publishes model-quality metrics and the heartbeat in the batch namespaces', async () => {
    const cw = client();
    const schedule = `mq-${randomUUID()}`;
    const timestamp = scheduledTime();
    const mq = modelQualityMetricData({
      scheduleName: schedule,
      timestamp,
      metrics: { f1: 0.8, auc: 0.9 },
      prefix: 'estimated_',
    });
    const hb = executionHeartbeatDatum({
      type: 'model-quality',
      scheduleName: schedule,
      timestamp,
      status: 'Failed',
    });
    expect(mq.namespace).toBe('aws/sagemaker/ModelMonitoring/model-metrics');
    expect(hb.namespace).toBe(mq.namespace);
    expect(await putMetrics(cw, mq.namespace, [...mq.datums, hb.datum])).toBe(3);
    const metrics = await listMetrics(cw, mq.namespace, schedule);
    expect(metrics.map((m) => m.MetricName).sort()).toEqual([
      'driftwatch_execution_completed',
      'estimated_auc',
      'estimated_f1',
    ]);
    expect(metrics[0]?.Dimensions).toEqual([{ Name: 'MonitoringSchedule', Value: schedule }]);
  });

  it('publishes 2500 datums in three calls', async () => {
    const schedule = `many-${randomUUID()}`;
    const timestamp = scheduledTime();
    const datums: Datum[] = Array.from({ length: 2500 }, (_, i) => ({
      MetricName: `m${i}`,
      Dimensions: [{ Name: 'MonitoringSchedule', Value: schedule }],
      Timestamp: timestamp,
      Value: i,
    }));
    const proxy = await startFlakyProxy([]);
    expect(await putMetrics(client(proxy.url), 'driftwatch/test', datums)).toBe(2500);
    expect(proxy.requests).toBe(3);
    expect(await listMetrics(client(), 'driftwatch/test', schedule)).toHaveLength(2500);
  });
});

interface FlakyProxy {
  url: string;
  requests: number;
}

/**
 * A real HTTP server that answers the first requests with the given failures (AWS JSON 1.0 errors with
 * the query-compatible error header, as CloudWatch sends them), then proxies to moto.
 */
async function startFlakyProxy(failures: Array<'throttle' | '503' | 'invalid'>): Promise<FlakyProxy> {
  const target = new URL(awsEndpoint());
  const state: FlakyProxy = { url: '', requests: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const failure = failures[state.requests];
      state.requests++;
      if (failure === 'throttle' || failure === 'invalid') {
        const code = failure === 'throttle' ? 'Throttling' : 'InvalidParameterValue';
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${code};Sender`,
        });
        res.end(JSON.stringify({ __type: `com.amazonaws.cloudwatch#${code}`, message: `${code} (test)` }));
        return;
      }
      if (failure === '503') {
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<html>Service Unavailable</html>');
        return;
      }
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (e) => res.destroy(e));
      upstream.end(Buffer.concat(chunks));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

describe('putMetrics retries', () => {
  const datum = (schedule: string): Datum => ({
    MetricName: 'feature_non_null_age',
    Dimensions: [{ Name: 'MonitoringSchedule', Value: schedule }],
    Timestamp: scheduledTime(),
    Value: 7,
  });

  it('retries throttling and 503 with backoff, then publishes', async () => {
    const schedule = `retry-${randomUUID()}`;
    const proxy = await startFlakyProxy(['throttle', '503', 'throttle']);
    const retries: string[] = [];
    const sent = await putMetrics(client(proxy.url), 'driftwatch/test', [datum(schedule)], {
      retry: { baseDelayMs: 5, onRetry: (i) => retries.push((i.error as Error).name) },
    });
    expect(sent).toBe(1);
    expect(proxy.requests).toBe(4);
    expect(retries).toHaveLength(3);
    expect(retries[0]).toBe('Throttling');
    expect(await listMetrics(client(), 'driftwatch/test', schedule)).toHaveLength(1);
  });

  it('fails the job with a TransientError when throttling outlasts the attempts', async () => {
    const proxy = await startFlakyProxy(['throttle', 'throttle', 'throttle', 'throttle']);
    const attempt = putMetrics(client(proxy.url), 'driftwatch/test', [datum('never')], {
      maxAttempts: 3,
      retry: { baseDelayMs: 5 },
    });
    await expect(attempt).rejects.toBeInstanceOf(TransientError);
    await expect(attempt).rejects.toThrow(/failed after 3 attempts.*Throttling/);
    expect(proxy.requests).toBe(3);
  });

  it('does not retry a request CloudWatch rejects as invalid', async () => {
    const proxy = await startFlakyProxy(['invalid']);
    const attempt = putMetrics(client(proxy.url), 'driftwatch/test', [datum('never')], {
      retry: { baseDelayMs: 5 },
    });
    await expect(attempt).rejects.toSatisfy(
      (e: unknown) => e instanceof DriftwatchError && e.code === 'E_CLOUDWATCH',
    );
    expect(proxy.requests).toBe(1);
  });
});
