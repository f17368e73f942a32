/**
 * The jobs of the driftwatch queue and their JSON payloads.
 *
 * Terminology:
 * - tick: the job a monitor's BullMQ job scheduler produces at each cron time. It carries the monitor
 *   (as validated when `driftwatch schedule` ran) and enqueues the execution(s) for its scheduled time,
 *   plus any missed ones (catch-up). Ticks are cheap and never run an execution themselves.
 * - execution: one run of one monitor over one window; deterministic id (see ids.ts). Runs in one
 *   process, or, when the window has more than `split.threshold` capture objects, becomes the parent of
 *   one part job per group of objects and merges their partial profiles when they are done.
 * - part: a child of a split execution; profiles some capture objects, returns a `PartialProfileJSON`.
 */
import type { JobsOptions } from 'bullmq';
import { type MonitorConfig, windowOf } from '../config/monitors.js';
import { type AttributionJob, attributionJobOf, type BiasJob, biasJobOf } from '../monitor/clarify-job.js';
import { type ModelQualityJob, modelQualityJobOf } from '../monitor/model-quality-job.js';
import type { DataQualityJob, ExecutionJobBase, ExecutionSummary } from '../monitor/types.js';
import { executionJobId } from './ids.js';

export const jobNames = { tick: 'tick', execution: 'execution', part: 'part' } as const;

export interface TickJobData {
  /** The monitor as `driftwatch schedule` validated it (re-validated by the worker). */
  monitor: unknown;
}

/**
 * What an execution of each kind needs, by monitor `type`: built once from the validated monitor
 * (`executionFor`), carried as is by executions and their parts.
 */
export type KindPayload =
  | { kind: 'data-quality'; execution: DataQualityJob }
  | { kind: 'model-quality'; execution: ModelQualityJob }
  | { kind: 'bias'; execution: BiasJob }
  | { kind: 'attribution'; execution: AttributionJob };

/** Any kind's execution payload. */
export type ExecutionPayload = KindPayload['execution'];

export type ExecutionJobData = KindPayload & {
  split: { threshold: number; maxParts: number };
  retry: { attempts: number; backoffMs: number };
  /** How the execution was triggered (for status and logs). */
  trigger: 'schedule' | 'catch-up' | 'backfill' | 'now' | 'manual' | 'label-retry';
  /** Set once the execution has been split: the parts, as planned (re-used verbatim after a crash). */
  plan?: SerializedObject[][];
  /** When the window was split (epoch ms), for the `partsMs` timing. */
  splitAt?: number;
  /** `merge` once every part job has been added. */
  step?: 'merge';
};

export interface SerializedObject {
  uri: string;
  size: number;
  etag: string;
  lastModified: string;
}

export type PartJobData = KindPayload & {
  objects: SerializedObject[];
  index: number;
};

/** The return value of an execution job: the short form of its summary (the full one is in storage). */
export interface ExecutionResult {
  status: ExecutionSummary['status'];
  message: string;
  failureReason?: string;
  reportUri: string;
  recordsRead: number;
  rowsProfiled: number;
  violations: number;
  metricsPublished: number;
  parts: number;
}

export function executionResult(summary: ExecutionSummary, parts: number): ExecutionResult {
  return {
    status: summary.status,
    message: summary.message,
    ...(summary.failureReason ? { failureReason: summary.failureReason } : {}),
    reportUri: summary.reportUri,
    recordsRead: summary.recordsRead,
    rowsProfiled: summary.rowsProfiled,
    violations: summary.violations,
    metricsPublished: summary.metricsPublished,
    parts,
  };
}

/** The kind's payload of one execution of `monitor` (exhaustive over the monitor types). */
function kindPayloadOf(monitor: MonitorConfig, base: ExecutionJobBase): KindPayload {
  const type = monitor.type;
  switch (type) {
    case 'model-quality':
      return {
        kind: 'model-quality',
        execution: modelQualityJobOf(base, monitor.modelQuality, monitor.name),
      };
    case 'bias':
      return { kind: 'bias', execution: biasJobOf(base, monitor.bias) };
    case 'attribution':
      return { kind: 'attribution', execution: attributionJobOf(base, monitor.attribution) };
    case 'data-quality':
      return {
        kind: 'data-quality',
        execution: {
          ...base,
          ...(monitor.preprocessor ? { preprocessorUri: monitor.preprocessor } : {}),
          ...(monitor.preprocessorSha256 ? { preprocessorSha256: monitor.preprocessorSha256 } : {}),
          ...(monitor.pii ? { pii: monitor.pii } : {}),
          ...(monitor.outputColumnsPosition ? { outputColumnsPosition: monitor.outputColumnsPosition } : {}),
          ...(monitor.driftMode ? { driftMode: monitor.driftMode } : {}),
        },
      };
    default: {
      const never: never = type;
      throw new TypeError(`unknown monitor type ${String(never)}`);
    }
  }
}

/** The execution of `monitor` scheduled at `scheduledTime`: its deterministic id and payload. */
export function executionFor(
  monitor: MonitorConfig,
  scheduledTime: Date,
  trigger: ExecutionJobData['trigger'],
): { id: string; data: ExecutionJobData } {
  const window = windowOf(monitor, scheduledTime);
  const base: ExecutionJobBase = {
    monitorName: monitor.name,
    endpoint: monitor.endpoint,
    ...(monitor.variant ? { variant: monitor.variant } : {}),
    captureUri: monitor.capture,
    baselineUri: monitor.baseline,
    outputUri: monitor.output,
    scheduleName: monitor.scheduleName ?? monitor.name,
    windowStart: window.start.toISOString(),
    windowEnd: window.end.toISOString(),
    scheduledTime: scheduledTime.toISOString(),
    cloudwatch: monitor.cloudwatch,
    ...(monitor.sseKmsKeyId ? { sseKmsKeyId: monitor.sseKmsKeyId } : {}),
  };
  const payload = kindPayloadOf(monitor, base);
  return {
    id: executionJobId(monitor.type, monitor.name, scheduledTime),
    data: {
      ...payload,
      split: { threshold: monitor.splitThreshold, maxParts: monitor.maxParts },
      retry: monitor.retry,
      trigger,
    },
  };
}

/** Completed executions are kept 14 days (and at most 10 000), failed ones 90 days, for inspection. */
export const retention = {
  removeOnComplete: { age: 14 * 86_400, count: 10_000 },
  removeOnFail: { age: 90 * 86_400 },
} as const satisfies Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'>;

export function executionJobOptions(id: string, data: ExecutionJobData): JobsOptions {
  return {
    jobId: id,
    attempts: data.retry.attempts,
    backoff: { type: 'exponential', delay: data.retry.backoffMs },
    ...retention,
  };
}
