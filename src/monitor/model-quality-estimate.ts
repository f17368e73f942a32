/**
 * The CBPE estimates of a binary model-quality execution whose baseline has a calibration file
 * (`metrics/quality/cbpe.ts`): performance estimated from the scores alone, over every prediction of the
 * analysis window, and over the more recent estimation window whose labels have not arrived yet (the
 * early warning, the estimate published).
 */
import { IssueLog } from '../core/issues.js';
import type { Window } from '../core/types.js';
import { type BinaryPerformanceEstimate, estimateBinaryPerformance } from '../metrics/quality/cbpe.js';
import type { IsotonicFit } from '../metrics/quality/isotonic.js';
import type { ModelQualityJob } from './model-quality-job.js';
import { type PredictionScan, scanPredictions } from './model-quality-predictions.js';
import { jobWindow } from './profile-window.js';
import type { ExecutionDeps } from './types.js';

export interface EstimateReport {
  windowStart: string;
  windowEnd: string;
  recordsRead: number;
  estimate: BinaryPerformanceEstimate;
}

/** The estimate over a scanned window's scores, or undefined when it kept none. */
export function estimateOf(
  window: Window,
  scan: PredictionScan,
  calibration: IsotonicFit,
): EstimateReport | undefined {
  if (!scan.scores || scan.scores.count === 0) return undefined;
  const { scores, predicted } = scan.scores.finish();
  return {
    windowStart: window.start.toISOString(),
    windowEnd: window.end.toISOString(),
    recordsRead: scan.recordsRead,
    estimate: estimateBinaryPerformance(scores, predicted, calibration),
  };
}

/** The estimation window of the job, when it has one. */
export function estimationWindowOf(job: ModelQualityJob): Window | undefined {
  return job.estimationWindowStart !== undefined && job.estimationWindowEnd !== undefined
    ? jobWindow({ windowStart: job.estimationWindowStart, windowEnd: job.estimationWindowEnd })
    : undefined;
}

/** Reads the estimation window's predictions (scores only) and estimates; its issues go to `issues`. */
export async function estimateRecentWindow(
  job: ModelQualityJob,
  deps: ExecutionDeps,
  estimationWindow: Window,
  calibration: IsotonicFit,
  issues: IssueLog,
): Promise<EstimateReport | undefined> {
  const recentIssues = new IssueLog();
  const recent = await scanPredictions(job, deps, estimationWindow, recentIssues, true);
  issues.merge(recentIssues);
  return estimateOf(estimationWindow, recent, calibration);
}
