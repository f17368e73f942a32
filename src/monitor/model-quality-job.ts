/**
 * The payload of a model-quality execution (a BullMQ job's data, or built by `driftwatch run-quality`),
 * built once from the monitor's validated `modelQuality` settings (config/model-quality.ts): the setting
 * names are the config's, except `joinMemoryMiB`, carried in bytes (`joinMemoryBytes`).
 */
import type { PredictionSettings } from '../capture/predictions.js';
import type { ModelQualitySettings } from '../config/model-quality.js';
import { parseDuration, parseWindowBound, windowAt } from '../config/schedule.js';
import { ConfigError } from '../core/errors.js';
import type { ProblemType } from '../metrics/quality/problem-types.js';
import type { ExecutionJobBase } from './types.js';

/**
 * Everything a model-quality execution needs (a BullMQ payload). The baseline holds constraints.json (and
 * model_quality_calibration.json for CBPE); the window is the analysis window (predictions), usually
 * shifted back by the start/end offsets.
 */
export interface ModelQualityJob extends ExecutionJobBase {
  /** Ground-truth root: `<gt>/yyyy/mm/dd/hh/*.jsonl` (hour = when the label was collected). */
  groundTruthUri: string;
  problemType: ProblemType;
  inferenceAttribute?: string;
  probabilityAttribute?: string;
  /** Probability cut-off (binary). @defaultValue 0.5 */
  probabilityThresholdAttribute?: number;
  /** @defaultValue '1' */
  positiveLabel?: string;
  /** @defaultValue '0' */
  negativeLabel?: string;
  /** Labels are read from folders up to this time. @defaultValue scheduledTime (at least windowEnd) */
  groundTruthReadUntil?: string;
  /** ...but never more than this long after the window's end, in ms. @defaultValue 3 days */
  groundTruthHorizonMs?: number;
  /** A recent window estimated by CBPE before its labels exist (binary, with a calibration). */
  estimationWindowStart?: string;
  estimationWindowEnd?: string;
  /** Hash buckets of the join. @defaultValue 256 */
  joinPartitions?: number;
  /** Join buffer before spilling to disk, bytes. @defaultValue 32 MiB */
  joinMemoryBytes?: number;
  /** Maximum points per curve in statistics.json. @defaultValue 1000 */
  maxCurvePoints?: number;
}

export function predictionSettings(job: ModelQualityJob): PredictionSettings {
  return {
    problemType: job.problemType,
    inferenceAttribute: job.inferenceAttribute,
    probabilityAttribute: job.probabilityAttribute,
    probabilityThreshold: job.probabilityThresholdAttribute,
    positiveLabel: job.positiveLabel,
    negativeLabel: job.negativeLabel,
  };
}

/** The model-quality payload of a monitor's execution (window already shifted by the monitor's offsets). */
export function modelQualityJobOf(
  base: ExecutionJobBase,
  settings: ModelQualitySettings | undefined,
  monitorName: string = base.monitorName,
): ModelQualityJob {
  if (!settings)
    throw new ConfigError('a model-quality monitor needs modelQuality settings', {
      file: `monitor ${monitorName}`,
      field: 'modelQuality',
    });
  const s = settings;
  const scheduled = new Date(base.scheduledTime);
  const estimation = s.estimationWindow
    ? windowAt(
        { start: parseWindowBound(s.estimationWindow.start), end: parseWindowBound(s.estimationWindow.end) },
        scheduled,
      )
    : undefined;
  return {
    ...base,
    groundTruthUri: s.groundTruth,
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
    groundTruthHorizonMs: parseDuration(s.groundTruthHorizon),
    joinPartitions: s.joinPartitions,
    joinMemoryBytes: Math.round(s.joinMemoryMiB * 1024 * 1024),
    maxCurvePoints: s.maxCurvePoints,
  };
}
