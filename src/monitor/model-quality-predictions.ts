/**
 * The capture side of a model-quality window: each captured record's prediction extracted (binary ones
 * reduced to the positive/negative label and a score) and, for the CBPE estimate, the binary scores kept.
 */
import { binaryPrediction, PredictionExtractor } from '../capture/predictions.js';
import { ScoreCollector } from '../capture/quality-collectors.js';
import type { IssueLog } from '../core/issues.js';
import type { Window } from '../core/types.js';
import type { ObjectInfo } from '../io/storage.js';
import { joinKeyOf, scanCapturedRecords } from './captured-records.js';
import { type ModelQualityJob, predictionSettings } from './model-quality-job.js';
import type { ExecutionDeps } from './types.js';

export interface PredictionScan {
  objects: ObjectInfo[];
  recordsRead: number;
  scores: ScoreCollector | undefined;
}

/**
 * Streams the window's capture records, extracting each prediction; `onPrediction` receives the usable ones
 * (binary predictions already reduced to the positive/negative label and a score).
 */
export async function scanPredictions(
  job: ModelQualityJob,
  deps: ExecutionDeps,
  window: Window,
  issues: IssueLog,
  withScores: boolean,
  onPrediction?: (
    key: string,
    prediction: { label: string | undefined; score: number | undefined },
  ) => Promise<void>,
): Promise<PredictionScan> {
  const settings = predictionSettings(job);
  const extractor = new PredictionExtractor(settings);
  const scores = withScores ? new ScoreCollector() : undefined;
  const positive = job.positiveLabel ?? '1';
  const negative = job.negativeLabel ?? '0';
  const { objects, recordsRead } = await scanCapturedRecords(job, window, deps, issues, (record, where) => {
    const key = joinKeyOf(record, issues, where);
    if (key === undefined) return;
    let prediction = extractor.extract(record.output, issues, where);
    if (!prediction) return;
    if (job.problemType === 'BinaryClassification') {
      const b = binaryPrediction(prediction, settings, issues, where);
      if (!b) return;
      scores?.add(b.predicted, b.score);
      prediction = { label: b.predicted === 1 ? positive : negative, score: b.score };
    }
    return onPrediction?.(key, prediction);
  });
  return { objects, recordsRead, scores };
}
