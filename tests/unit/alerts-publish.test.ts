import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Datum } from '../../src/alerts/metric-publisher.js';
import {
  batchMetricData,
  estimateDatumBytes,
  invalidDatumReason,
  PUT_METRIC_DATA_LIMITS,
} from '../../src/alerts/publish.js';
import { callWithRetry, classifyAwsError } from '../../src/alerts/retry.js';
import { ConfigError, DriftwatchError, TransientError } from '../../src/core/errors.js';

const now = new Date('2024-05-02T10:30:00Z');
const ts = new Date('2024-05-02T10:00:00Z');
const ns = 'aws/sagemaker/Endpoints/data-metrics';

function datum(i: number, extra: Partial<Datum> = {}): Datum {
  return {
    MetricName: `feature_non_null_f${i}`,
    Dimensions: [
      { Name: 'Endpoint', Value: 'ep' },
      { Name: 'Feature', Value: `f${i}` },
      { Name: 'MonitoringSchedule', Value: 'hourly' },
    ],
    Timestamp: ts,
    Value: i,
    ...extra,
  };
}

describe('invalidDatumReason', () => {
  it('accepts a plain datum and a StatisticSet', () => {
    expect(invalidDatumReason(datum(1), now)).toBeUndefined();
    expect(
      invalidDatumReason(
        datum(1, { Value: undefined, StatisticValues: { SampleCount: 3, Sum: 6, Minimum: 1, Maximum: 3 } }),
        now,
      ),
    ).toBeUndefined();
  });

  it.each([
    ['NaN value', datum(1, { Value: Number.NaN }), /finite/],
    ['infinite value', datum(1, { Value: Number.POSITIVE_INFINITY }), /finite/],
    ['huge value', datum(1, { Value: 2 ** 400 }), /2\^360/],
    ['no value', datum(1, { Value: undefined }), /exactly one/],
    [
      'two forms',
      datum(1, { StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }),
      /exactly one/,
    ],
    [
      'empty StatisticSet',
      datum(1, { Value: undefined, StatisticValues: { SampleCount: 0, Sum: 0, Minimum: 0, Maximum: 0 } }),
      /SampleCount/,
    ],
    [
      'NaN in StatisticSet',
      datum(1, {
        Value: undefined,
        StatisticValues: { SampleCount: 2, Sum: Number.NaN, Minimum: 0, Maximum: 1 },
      }),
      /Sum/,
    ],
    [
      'min > max',
      datum(1, { Value: undefined, StatisticValues: { SampleCount: 2, Sum: 1, Minimum: 2, Maximum: 1 } }),
      /Minimum > Maximum/,
    ],
    [
      '31 dimensions',
      datum(1, { Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' })) }),
      /31 dimensions/,
    ],
    [
      'duplicate dimension',
      datum(1, {
        Dimensions: [
          { Name: 'a', Value: 'x' },
          { Name: 'a', Value: 'y' },
        ],
      }),
      /duplicate/,
    ],
    ['non-ASCII dimension value', datum(1, { Dimensions: [{ Name: 'a', Value: 'é' }] }), /dimension a/],
    ['empty metric name', datum(1, { MetricName: '' }), /metric name/],
    ['too old', datum(1, { Timestamp: new Date('2024-04-17T10:00:00Z') }), /14 days/],
    ['too far ahead', datum(1, { Timestamp: new Date('2024-05-02T13:00:00Z') }), /2 hours/],
    ['invalid date', datum(1, { Timestamp: new Date(Number.NaN) }), /Timestamp/],
  ])('refuses %s', (_label, d, reason) => {
    expect(invalidDatumReason(d, now)).toMatch(reason);
  });
});

describe('batchMetricData', () => {
  it('cuts at 1000 datums per call, keeping order', () => {
    const datums = Array.from({ length: 2500 }, (_, i) => datum(i));
    const { batches, skipped } = batchMetricData(ns, datums, { now });
    expect(skipped).toEqual([]);
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(batches.flat()).toEqual(datums);
  });

  it('cuts by payload size when datums are large', () => {
    const big = (i: number) =>
      datum(i, {
        Dimensions: Array.from({ length: 30 }, (_, j) => ({
          Name: `dimension_${j}`,
          Value: `${i}-${'v'.repeat(1000)}`,
        })),
      });
    const datums = Array.from({ length: 100 }, (_, i) => big(i));
    const perDatum = estimateDatumBytes(datums[0] as Datum);
    expect(perDatum).toBeGreaterThan(30_000);
    const { batches } = batchMetricData(ns, datums, { now });
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) {
      const bytes = b.reduce((s, d) => s + estimateDatumBytes(d), 0);
      expect(bytes).toBeLessThanOrEqual(PUT_METRIC_DATA_LIMITS.maxPayloadBytes);
      // the actual JSON body the SDK sends is smaller than the estimate
      expect(Buffer.byteLength(JSON.stringify({ Namespace: ns, MetricData: b }))).toBeLessThanOrEqual(
        1_048_576,
      );
    }
    expect(batches.flat()).toEqual(datums);
  });

  it('skips invalid datums with their index and reason', () => {
    const datums = [datum(0), datum(1, { Value: Number.NaN }), datum(2)];
    const { batches, skipped } = batchMetricData(ns, datums, { now });
    expect(batches).toEqual([[datums[0], datums[2]]]);
    expect(skipped).toEqual([
      { index: 1, metricName: 'feature_non_null_f1', reason: expect.stringMatching(/finite/) },
    ]);
  });

  it('respects any limits and loses nothing valid (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.constant(Number.NaN)), {
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 400, max: 5000 }),
        (values, maxDatums, maxPayloadBytes) => {
          const datums = values.map((v, i) => datum(i, { Value: v }));
          const limits = { maxDatums, maxPayloadBytes, maxDimensions: 30 };
          const { batches, skipped } = batchMetricData(ns, datums, { limits, now });
          for (const b of batches) {
            expect(b.length).toBeGreaterThan(0);
            expect(b.length).toBeLessThanOrEqual(maxDatums);
            const bytes =
              Buffer.byteLength(JSON.stringify({ Namespace: ns, MetricData: [] })) +
              b.reduce((s, d) => s + estimateDatumBytes(d), 0);
            expect(bytes).toBeLessThanOrEqual(maxPayloadBytes);
          }
          const sent = batches.flat();
          expect(sent.length + skipped.length).toBe(datums.length);
          expect(sent).toEqual(
            datums.filter(
              (d) => Number.isFinite(d.Value) && estimateDatumBytes(d) + 40 + ns.length <= maxPayloadBytes,
            ),
          );
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });
});

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

describe('classifyAwsError and callWithRetry', () => {
  it('classifies throttling, 5xx and network faults as retryable, the rest not', () => {
    expect(classifyAwsError(awsError('Throttling', 400))).toBe('retryable');
    expect(classifyAwsError(awsError('ServiceUnavailable', 503))).toBe('retryable');
    expect(classifyAwsError(awsError('InternalFailure', 500))).toBe('retryable');
    expect(classifyAwsError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('retryable');
    expect(classifyAwsError(awsError('InvalidParameterValue', 400))).toBe('rejected');
    expect(classifyAwsError(awsError('LimitExceeded', 400))).toBe('rejected');
    expect(classifyAwsError(awsError('AccessDenied', 403))).toBe('auth');
    expect(classifyAwsError(Object.assign(new Error('a'), { name: 'AbortError' }))).toBe('aborted');
    expect(classifyAwsError('weird')).toBe('rejected');
  });

  it('retries retryable failures, then succeeds', async () => {
    let calls = 0;
    const retries: number[] = [];
    const out = await callWithRetry(
      'op',
      async () => {
        calls++;
        if (calls < 3) throw awsError('Throttling', 400);
        return 'ok';
      },
      { baseDelayMs: 1, onRetry: (i) => retries.push(i.attempt) },
    );
    expect(out).toBe('ok');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('gives up with a TransientError after maxAttempts', async () => {
    let calls = 0;
    const failing = callWithRetry(
      'PutMetricData',
      async () => {
        calls++;
        throw awsError('ServiceUnavailable', 503);
      },
      { maxAttempts: 4, baseDelayMs: 1 },
    );
    await expect(failing).rejects.toBeInstanceOf(TransientError);
    await expect(failing).rejects.toThrow(/PutMetricData failed after 4 attempts/);
    expect(calls).toBe(4);
  });

  it('fails at once on a validation error (DriftwatchError) and on access denied (ConfigError)', async () => {
    let calls = 0;
    const rejected = callWithRetry('op', async () => {
      calls++;
      throw awsError('InvalidParameterValue', 400);
    });
    await expect(rejected).rejects.toSatisfy(
      (e: unknown) => e instanceof DriftwatchError && e.code === 'E_CLOUDWATCH',
    );
    expect(calls).toBe(1);
    await expect(
      callWithRetry('op', async () => {
        throw awsError('AccessDenied', 403);
      }),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const p = callWithRetry(
      'op',
      async () => {
        queueMicrotask(() => controller.abort(new Error('shutting down')));
        throw awsError('Throttling', 400);
      },
      { baseDelayMs: 60_000, maxDelayMs: 60_000, signal: controller.signal },
    );
    await expect(p).rejects.toThrow('shutting down');
  });
});
