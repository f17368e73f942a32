/**
 * The worker's entry for monitors of `type: model-quality` (see src/jobs/kinds.ts): turns the generic
 * execution payload (window already shifted by the monitor's offsets) plus the monitor's validated
 * `modelQuality` settings into a `ModelQualityJob` and runs it in one process.
 */
import { modelQualitySettingsSchema } from '../config/model-quality.js';
import { parseWindowBound, windowAt } from '../config/schedule.js';
import { ConfigError } from '../core/errors.js';
import type { Storage } from '../io/storage.js';
import { readExecutionSummary } from './data-quality.js';
import { type ModelQualityJob, runModelQualityExecution } from './model-quality.js';
import type { DataQualityJob, ExecutionDeps, ExecutionSummary } from './types.js';

export type ModelQualityPayload = DataQualityJob & { modelQuality?: unknown };

export function modelQualityJobOf(payload: ModelQualityPayload): ModelQualityJob {
  const parsed = modelQualitySettingsSchema.safeParse(payload.modelQuality);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(issue?.message ?? 'invalid model-quality settings', {
      file: `monitor ${payload.monitorName}`,
      field: ['modelQuality', ...(issue?.path ?? []).map(String)].join('.'),
    });
  }
  const s = parsed.data;
  const scheduled = new Date(payload.scheduledTime);
  const estimation = s.estimationWindow
    ? windowAt(
        { start: parseWindowBound(s.estimationWindow.start), end: parseWindowBound(s.estimationWindow.end) },
        scheduled,
      )
    : undefined;
  return {
    monitorName: payload.monitorName,
    endpoint: payload.endpoint,
    ...(payload.variant ? { variant: payload.variant } : {}),
    captureUri: payload.captureUri,
    groundTruthUri: s.groundTruth,
    baselineUri: payload.baselineUri,
    outputUri: payload.outputUri,
    scheduleName: payload.scheduleName,
    windowStart: payload.windowStart,
    windowEnd: payload.windowEnd,
    scheduledTime: payload.scheduledTime,
    cloudwatch: payload.cloudwatch,
    problemType: s.problemType,
    ...(s.inferenceAttribute !== undefined ? { inferenceAttribute: s.inferenceAttribute } : {}),
    ...(s.probabilityAttribute !== undefined ? { probabilityAttribute: s.probabilityAttribute } : {}),
    probabilityThresholdAttribute: s.probabilityThresholdAttribute,
    positiveLabel: s.positiveLabel,
    negativeLabel: s.negativeLabel,
    ...(estimation
      ? {
          estimationWindowStart: estimation.start.toISOString(),
          estimationWindowEnd: estimation.end.toISOString(),
        }
      : {}),
    joinPartitions: s.joinPartitions,
    joinMemoryBytes: Math.round(s.joinMemoryMiB * 1024 * 1024),
    maxCurvePoints: s.maxCurvePoints,
  };
}

export const modelQualityExecutionKind = {
  readSummary: (storage: Storage, payload: ModelQualityPayload): Promise<ExecutionSummary | undefined> =>
    readExecutionSummary(storage, modelQualityJobOf(payload)),
  run: (payload: ModelQualityPayload, deps: ExecutionDeps): Promise<ExecutionSummary> =>
    runModelQualityExecution(modelQualityJobOf(payload), deps),
};
