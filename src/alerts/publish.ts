/**
 * CloudWatch's limits on metric datums, and datums cut into `PutMetricData` batches that keep them (pure:
 * the calls themselves are `cloudwatch-publisher.ts`'s).
 *
 * Limits honoured (CloudWatch API reference, PutMetricData):
 * - at most 1000 datums per call, and a request body of at most 1 MB: batches are cut by count and by an
 *   estimate of each datum's serialised size (kept under `maxPayloadBytes`, 1 000 000 by default, which
 *   leaves ~48 KB of headroom under 1 MiB for the envelope and estimation error);
 * - at most 30 dimensions per datum, names 1–255 and values 1–1024 printable ASCII characters;
 * - values finite and within ±2^360 (NaN and ±Infinity are refused by the API); a StatisticSet needs
 *   SampleCount > 0 and Minimum ≤ Maximum;
 * - timestamps at most 14 days old and at most 2 hours in the future.
 * A datum that breaks a limit is never sent: it is skipped, counted (in the `IssueLog` when given) and
 * the return value (datums sent) tells the caller how many went out.
 */

import { isValidDimensionValue, isValidMetricName, MAX_NAME_LENGTH } from './metric-names.js';
import type { Datum } from './metric-publisher.js';

export interface MetricBatchLimits {
  /** Datums per PutMetricData call. @defaultValue 1000 */
  maxDatums: number;
  /** Estimated request body bytes per call. @defaultValue 1_000_000 */
  maxPayloadBytes: number;
  /** Dimensions per datum. @defaultValue 30 */
  maxDimensions: number;
}

export const PUT_METRIC_DATA_LIMITS: Readonly<MetricBatchLimits> = Object.freeze({
  maxDatums: 1000,
  maxPayloadBytes: 1_000_000,
  maxDimensions: 30,
});

/** CloudWatch accepts datapoints up to two weeks old and up to two hours ahead. */
const MAX_AGE_MS = 14 * 24 * 3600 * 1000;
const MAX_AHEAD_MS = 2 * 3600 * 1000;
/** The largest magnitude CloudWatch stores. */
const MAX_MAGNITUDE = 2 ** 360;
/** Values per datum in the `Values`/`Counts` form. */
const MAX_VALUES = 150;

export interface SkippedDatum {
  /** Position in the input array. */
  index: number;
  metricName: string;
  reason: string;
}

function checkNumber(label: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return `${label} is not a finite number (${String(value)})`;
  if (Math.abs(value) > MAX_MAGNITUDE) return `${label} ${value} is outside ±2^360`;
  return undefined;
}

/** Why CloudWatch would refuse `datum`, or undefined when it is valid. `now` bounds the timestamp. */
export function invalidDatumReason(
  datum: Datum,
  now: Date = new Date(),
  limits: MetricBatchLimits = PUT_METRIC_DATA_LIMITS,
): string | undefined {
  const name = datum.MetricName;
  if (typeof name !== 'string' || !isValidMetricName(name)) return 'invalid metric name';
  const dims = datum.Dimensions ?? [];
  if (dims.length > limits.maxDimensions)
    return `${dims.length} dimensions (at most ${limits.maxDimensions})`;
  const seen = new Set<string>();
  for (const d of dims) {
    const dimName = d.Name;
    if (typeof dimName !== 'string' || !isValidMetricName(dimName) || dimName.length > MAX_NAME_LENGTH) {
      return 'invalid dimension name';
    }
    if (seen.has(dimName)) return `duplicate dimension ${dimName}`;
    seen.add(dimName);
    if (typeof d.Value !== 'string' || !isValidDimensionValue(d.Value))
      return `invalid value of dimension ${dimName}`;
  }
  const forms = [datum.Value !== undefined, datum.StatisticValues !== undefined, datum.Values !== undefined];
  if (forms.filter(Boolean).length !== 1) return 'exactly one of Value, StatisticValues, Values is required';
  if (datum.Value !== undefined) {
    const bad = checkNumber('Value', datum.Value);
    if (bad) return bad;
  }
  if (datum.StatisticValues !== undefined) {
    const s = datum.StatisticValues;
    for (const key of ['SampleCount', 'Sum', 'Minimum', 'Maximum'] as const) {
      const bad = checkNumber(`StatisticValues.${key}`, s[key]);
      if (bad) return bad;
    }
    if ((s.SampleCount as number) <= 0) return 'StatisticValues.SampleCount must be > 0';
    if ((s.Minimum as number) > (s.Maximum as number)) return 'StatisticValues.Minimum > Maximum';
  }
  if (datum.Values !== undefined) {
    if (datum.Values.length === 0 || datum.Values.length > MAX_VALUES)
      return `Values needs 1–${MAX_VALUES} entries`;
    for (const v of datum.Values) {
      const bad = checkNumber('Values[]', v);
      if (bad) return bad;
    }
    if (datum.Counts !== undefined) {
      if (datum.Counts.length !== datum.Values.length) return 'Counts and Values differ in length';
      for (const c of datum.Counts) {
        const bad = checkNumber('Counts[]', c);
        if (bad) return bad;
        if (c < 0) return 'negative Counts[] entry';
      }
    }
  }
  if (datum.Timestamp !== undefined) {
    const t = datum.Timestamp instanceof Date ? datum.Timestamp.getTime() : Number.NaN;
    if (!Number.isFinite(t)) return 'invalid Timestamp';
    if (t < now.getTime() - MAX_AGE_MS)
      return `Timestamp ${datum.Timestamp.toISOString()} is more than 14 days old`;
    if (t > now.getTime() + MAX_AHEAD_MS)
      return `Timestamp ${datum.Timestamp.toISOString()} is more than 2 hours ahead`;
  }
  if (
    datum.StorageResolution !== undefined &&
    datum.StorageResolution !== 1 &&
    datum.StorageResolution !== 60
  ) {
    return 'StorageResolution must be 1 or 60';
  }
  return undefined;
}

/**
 * Upper estimate of the bytes one datum adds to a PutMetricData body: its JSON (the SDK's JSON protocol,
 * with the timestamp counted as an ISO string, longer than the epoch number actually sent) plus a comma.
 */
export function estimateDatumBytes(datum: Datum): number {
  const json = JSON.stringify(datum, (key, value) =>
    key === 'Timestamp' && typeof value === 'string' ? '0000-00-00T00:00:00.000Z' : value,
  );
  return Buffer.byteLength(json, 'utf8') + 1;
}

function envelopeBytes(namespace: string): number {
  return Buffer.byteLength(JSON.stringify({ Namespace: namespace, MetricData: [] }), 'utf8');
}

/**
 * Splits valid datums into PutMetricData batches (input order kept) and lists the invalid ones.
 * Every batch has ≤ `maxDatums` datums and an estimated body ≤ `maxPayloadBytes`.
 */
export function batchMetricData(
  namespace: string,
  datums: readonly Datum[],
  options: { limits?: MetricBatchLimits; now?: Date } = {},
): { batches: Datum[][]; skipped: SkippedDatum[] } {
  const limits = options.limits ?? PUT_METRIC_DATA_LIMITS;
  const now = options.now ?? new Date();
  const envelope = envelopeBytes(namespace);
  const batches: Datum[][] = [];
  const skipped: SkippedDatum[] = [];
  let current: Datum[] = [];
  let currentBytes = envelope;
  datums.forEach((datum, index) => {
    const reason = invalidDatumReason(datum, now, limits);
    if (reason) {
      skipped.push({ index, metricName: String(datum.MetricName), reason });
      return;
    }
    const bytes = estimateDatumBytes(datum);
    if (envelope + bytes > limits.maxPayloadBytes) {
      skipped.push({
        index,
        metricName: String(datum.MetricName),
        reason: `datum alone exceeds ${limits.maxPayloadBytes} bytes`,
      });
      return;
    }
    if (current.length >= limits.maxDatums || currentBytes + bytes > limits.maxPayloadBytes) {
      batches.push(current);
      current = [];
      currentBytes = envelope;
    }
    current.push(datum);
    currentBytes += bytes;
  });
  if (current.length > 0) batches.push(current);
  return { batches, skipped };
}
