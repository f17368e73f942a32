/**
 * What the worker can run, one entry per monitor `type`. Adding model quality is one line:
 * `'model-quality': { run: runModelQualityExecution }`.
 *
 * A kind either runs an execution in one process (`run`), or can be split (`split`): list the window's
 * inputs, profile groups of them (in parallel child jobs), then merge the partials, check and report.
 * Every function must be idempotent per execution (reports written once, metrics published once).
 */
import type { MonitorType } from '../config/monitors.js';
import type { ObjectInfo, Storage } from '../io/storage.js';
import {
  completeExecution,
  listExecutionInputs,
  profileObjects,
  readExecutionSummary,
} from '../monitor/data-quality.js';
import { modelQualityExecutionKind } from '../monitor/model-quality-kind.js';
import type { ExecutionDeps, ExecutionSummary, PartialProfileJSON } from '../monitor/types.js';
import type { ExecutionPayload } from './payloads.js';

export interface SplittableExecution {
  listInputs(job: ExecutionPayload, deps: ExecutionDeps): Promise<ObjectInfo[]>;
  profileInputs(
    job: ExecutionPayload,
    objects: ObjectInfo[],
    deps: ExecutionDeps,
  ): Promise<PartialProfileJSON>;
  complete(
    job: ExecutionPayload,
    partials: PartialProfileJSON[],
    deps: ExecutionDeps,
    options?: { timings?: Record<string, number> },
  ): Promise<ExecutionSummary>;
}

export type ExecutionKind = {
  /** The stored summary of a finished execution, if any (lets a repeated trigger skip all work). */
  readSummary?(storage: Storage, job: ExecutionPayload): Promise<ExecutionSummary | undefined>;
} & (
  | { split: SplittableExecution; run?: never }
  | { run(job: ExecutionPayload, deps: ExecutionDeps): Promise<ExecutionSummary>; split?: never }
);

export type ExecutionKinds = Partial<Record<MonitorType, ExecutionKind>>;

export const executionKinds = {
  'data-quality': {
    readSummary: readExecutionSummary,
    split: {
      listInputs: listExecutionInputs,
      // In worker threads when the objects are large enough (a worker's --threads).
      profileInputs: async (job, objects, deps) => (await profileObjects(job, objects, deps)).partial,
      complete: completeExecution,
    },
  },
  'model-quality': modelQualityExecutionKind,
} as const satisfies ExecutionKinds;
