/**
 * The small interface executions publish through: metric datums and a publisher, never the AWS SDK.
 * `monitor/`, `jobs/` and `api/` see only this module's types; `cloudWatchPublisher`
 * (`cloudwatch-publisher.ts`, PutMetricData with retries) is the one implementation.
 */
import type { IssueLog } from '../core/issues.js';
import type { MetricBatchLimits } from './publish.js';
import type { RetryOptions } from './retry.js';

/** One dimension of a datum. */
export interface DatumDimension {
  Name: string;
  Value: string;
}

/**
 * One metric value as driftwatch builds it. Its fields are named as CloudWatch's PutMetricData names
 * them (`MetricName`, `Dimensions`, ...), so the CloudWatch publisher sends a datum as it is.
 */
export interface Datum {
  MetricName: string;
  Dimensions?: DatumDimension[];
  Timestamp?: Date;
  /** One value. Exactly one of `Value`, `StatisticValues`, `Values` is given. */
  Value?: number;
  /** A statistic set (count, sum, minimum, maximum of the values it stands for). */
  StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  /** Distinct values, with `Counts` (how often each occurred; 1 each when absent). */
  Values?: number[];
  Counts?: number[];
  Unit?: 'None' | 'Count' | 'Percent';
  /** 1 (high resolution) or 60 seconds. */
  StorageResolution?: number;
}

export interface PutMetricsOptions {
  signal?: AbortSignal;
  /** Attempts per call. @defaultValue 6 */
  maxAttempts?: number;
  /** Where skipped datums are recorded (kind `metric-datum-invalid`). */
  issues?: IssueLog;
  /** Backoff tuning and retry notifications (see `RetryOptions`). */
  retry?: Omit<RetryOptions, 'signal' | 'maxAttempts'>;
  limits?: MetricBatchLimits;
  /** The clock for the timestamp bounds (tests). */
  now?: Date;
  /**
   * Awaited before every call is sent (each attempt of each batch); what it throws fails the call (the
   * worker's fence, `jobs/lease.ts` `fencedPublisher`).
   */
  beforeSend?: () => Promise<void>;
}

export interface LandedOptions {
  signal?: AbortSignal;
  retry?: RetryOptions;
  /** As `PutMetricsOptions.beforeSend`. */
  beforeSend?: () => Promise<void>;
}

/** Where an execution's datums go. */
export interface MetricPublisher {
  /**
   * Publishes `datums` to `namespace`; returns how many were sent (invalid ones are skipped and counted,
   * see `putMetrics`).
   */
  put(namespace: string, datums: Datum[], options?: PutMetricsOptions): Promise<number>;
  /** Whether `datum` (same name and dimensions, in the minute of its timestamp) is already stored. */
  landed(namespace: string, datum: Datum, options?: LandedOptions): Promise<boolean>;
}
