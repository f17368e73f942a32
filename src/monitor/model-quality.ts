/**
 * One model-quality execution (spec §2, §6, §7.3, §8): join the window's captured predictions with the
 * ground-truth labels collected since, compute the problem type's metrics, check them against the
 * baseline constraints, write the reports and publish the metrics.
 *
 * Beyond SageMaker, for binary classification with a calibration file in the baseline
 * (`model_quality_calibration.json`, written by `driftwatch baseline --analysis model-quality`), the
 * execution also estimates performance from the scores alone (CBPE, `metrics/quality/cbpe.ts`):
 * - over every prediction of the analysis window (reported beside the realised metrics), and
 * - optionally over a more recent `estimation` window whose labels have not arrived yet (the early
 *   warning); its estimate is the one published as `estimated_<metric>` (+ `_lower`/`_upper`).
 * The estimate is written to `estimated_metrics.json` and the summary even when the execution fails for
 * lack of ground truth.
 *
 * Reports under `<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/`: statistics.json and
 * constraint_violations.json (not when Failed), estimated_metrics.json (when estimated), execution.json
 * last with a create-only write. Exactly once as for data quality: an existing execution.json is returned
 * as is and nothing is published; metrics are published before a `.metrics-published` marker.
 * No merged ground truth in the window → status `Failed` with a failure reason saying which side is missing.
 */

import { modelQualityPublication } from '../alerts/model-quality-publication.js';
import {
  CALIBRATION_FILE,
  calibrationFit,
  parseCalibration,
  parseModelQualityConstraints,
  renderModelQualityStatistics,
} from '../baseline/model-quality-files.js';
import {
  DEFAULT_GROUND_TRUTH_HORIZON,
  groundTruthFolders,
  listGroundTruthObjects,
  readGroundTruthRecords,
} from '../capture/ground-truth.js';
import { type JoinCounts, PartitionedJoin } from '../capture/ground-truth-join.js';
import { binaryPrediction, PredictionExtractor } from '../capture/predictions.js';
import { QualityCollector, ScoreCollector } from '../capture/quality-collectors.js';
import { parseDuration } from '../config/schedule.js';
import { ConfigError } from '../core/errors.js';
import { IssueLog } from '../core/issues.js';
import type { Window } from '../core/types.js';
import { joinUri, type ObjectInfo, type Storage } from '../io/storage.js';
import { type BinaryPerformanceEstimate, estimateBinaryPerformance } from '../metrics/quality/cbpe.js';
import {
  checkModelQualityConstraints,
  type MetricConstraint,
  type ModelQualityViolation,
} from '../metrics/quality/checks.js';
import type { IsotonicFit } from '../metrics/quality/isotonic.js';
import {
  computeModelQualityMetrics,
  type ModelQualityMetrics,
  type ProblemType,
} from '../metrics/quality/statistics.js';
import { renderEstimatedMetrics, renderModelQualityViolations } from '../report/execution-files.js';
import { joinKeyOf, scanCapturedRecords } from './captured-records.js';
import { execute, type MonitorKind, type ReportFile } from './execution.js';
import { type ModelQualityJob, predictionSettings } from './model-quality-job.js';
import { checkAborted, groundTruthReadUntil, inputRefs, jobWindow } from './profile-window.js';
import type { ExecutionDeps, ExecutionSummary } from './types.js';

/** How the failure reason of a window without labels begins (the worker retries those: jobs/processor.ts). */
export const NO_GROUND_TRUTH = 'No ground truth to merge';

export interface EstimateReport {
  windowStart: string;
  windowEnd: string;
  recordsRead: number;
  estimate: BinaryPerformanceEstimate;
}

/** A model-quality execution's own summary fields (`execution.json`'s `modelQuality`). */
export interface ModelQualityDetails {
  problemType: ProblemType;
  join: JoinCounts;
  /** Matched records that entered the metrics. */
  itemCount: number;
  groundTruthFolders: { start: string; end: string };
  groundTruthInputs: Array<{ uri: string; etag: string; size: number }>;
  violatedMetrics: string[];
  notEvaluated: string[];
  /** Realised scalar metrics (finite ones). */
  metrics: Record<string, number>;
  /** CBPE over the analysis window's predictions (beside the realised metrics). */
  estimated?: EstimateReport;
  /** CBPE over the estimation window (the early warning, published). */
  estimatedRecent?: EstimateReport;
}

/** The summary of a model-quality execution. */
export type ModelQualitySummary = ExecutionSummary<{ modelQuality: ModelQualityDetails }>;

export interface ModelQualityBaseline {
  constraints: Map<string, MetricConstraint>;
  calibration: IsotonicFit | undefined;
  files: Array<{ uri: string; etag: string }>;
}

async function readModelQualityBaseline(
  storage: Storage,
  job: ModelQualityJob,
): Promise<ModelQualityBaseline> {
  const constraintsUri = joinUri(job.baselineUri, 'constraints.json');
  const head = await storage.head(constraintsUri);
  if (!head) throw new ConfigError('no model-quality baseline constraints here', { file: constraintsUri });
  const parsed = parseModelQualityConstraints(await storage.readText(constraintsUri), constraintsUri);
  if (parsed.problemType !== job.problemType) {
    throw new ConfigError(`the baseline is for ${parsed.problemType}, the monitor for ${job.problemType}`, {
      file: constraintsUri,
      field: 'problemType',
    });
  }
  const files = [{ uri: constraintsUri, etag: head.etag }];
  let calibration: IsotonicFit | undefined;
  if (job.problemType === 'BinaryClassification') {
    const calibrationUri = joinUri(job.baselineUri, CALIBRATION_FILE);
    const calHead = await storage.head(calibrationUri);
    if (calHead) {
      calibration = calibrationFit(parseCalibration(await storage.readText(calibrationUri), calibrationUri));
      files.push({ uri: calibrationUri, etag: calHead.etag });
    }
  }
  return { constraints: parsed.constraints, calibration, files };
}

export interface CaptureScan {
  objects: ObjectInfo[];
  recordsRead: number;
  scores: ScoreCollector | undefined;
}

/**
 * Streams the window's capture records, extracting each prediction; `onPrediction` receives the usable ones
 * (binary predictions already reduced to the positive/negative label and a score).
 */
async function scanCapture(
  job: ModelQualityJob,
  deps: ExecutionDeps,
  window: Window,
  issues: IssueLog,
  withScores: boolean,
  onPrediction?: (
    key: string,
    prediction: { label: string | undefined; score: number | undefined },
  ) => Promise<void>,
): Promise<CaptureScan> {
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

function failureReasonOf(
  job: ModelQualityJob,
  scan: CaptureScan,
  join: JoinCounts,
  gtObjects: number,
  folders: Window,
  matched: number,
): string | undefined {
  if (matched > 0) return undefined;
  const window = `[${job.windowStart}, ${job.windowEnd})`;
  if (scan.objects.length === 0)
    return `No captured data in the window ${window} under ${joinUri(job.captureUri, job.endpoint)}.`;
  if (join.predictions === 0)
    return `No usable prediction in the window ${window}: ${scan.recordsRead} records read, none with a usable output (see issues).`;
  const gtWhere = `${job.groundTruthUri} (hour folders ${folders.start.toISOString()} .. ${folders.end.toISOString()})`;
  if (gtObjects === 0)
    return `${NO_GROUND_TRUTH}: no ground-truth objects in ${gtWhere}; ${join.predictions} predictions wait for labels.`;
  if (join.labels === 0)
    return `${NO_GROUND_TRUTH}: ${gtObjects} ground-truth objects in ${gtWhere} hold no readable label (see issues).`;
  if (join.matched === 0) {
    return `${NO_GROUND_TRUTH}: none of ${join.labels} labels in ${gtWhere} matches the ${join.predictions} predictions of the window (join key: inferenceId, else eventId).`;
  }
  return `No usable merged record: ${join.matched} predictions matched a label but none could be evaluated (see issues).`;
}

function finiteMetrics(scalars: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of scalars) if (Number.isFinite(v)) out[k] = v;
  return out;
}

/** The window's predictions joined with their labels, and the CBPE estimates. */
export interface ModelQualityCollected {
  scan: CaptureScan;
  counts: JoinCounts;
  collector: QualityCollector;
  folders: Window;
  gtInputs: ObjectInfo[];
  issues: IssueLog;
  estimated?: EstimateReport;
  estimatedRecent?: EstimateReport;
}

async function collectModelQuality(
  job: ModelQualityJob,
  baseline: ModelQualityBaseline,
  deps: ExecutionDeps,
  timings: Record<string, number>,
): Promise<ModelQualityCollected> {
  const started = Date.now();
  const window = jobWindow(job);
  const readUntil = groundTruthReadUntil(job);
  const estimationWindow =
    job.estimationWindowStart !== undefined && job.estimationWindowEnd !== undefined
      ? jobWindow({ windowStart: job.estimationWindowStart, windowEnd: job.estimationWindowEnd })
      : undefined;
  const issues = new IssueLog();
  const settings = predictionSettings(job);
  const withScores = baseline.calibration !== undefined;

  // 1. Predictions of the window and labels of every folder that can hold them, hash-partitioned.
  const join = new PartitionedJoin({
    partitions: job.joinPartitions,
    joinMemoryBytes: job.joinMemoryBytes,
  });
  const collector = new QualityCollector(settings, issues);
  const folders = groundTruthFolders(
    window,
    readUntil,
    job.groundTruthHorizonMs ?? parseDuration(DEFAULT_GROUND_TRUTH_HORIZON),
  );
  const gtInputs: ObjectInfo[] = [];
  let scan: CaptureScan;
  let counts: JoinCounts;
  try {
    scan = await scanCapture(job, deps, window, issues, withScores, (key, p) => join.addPrediction(key, p));
    for await (const object of listGroundTruthObjects(deps.storage, job.groundTruthUri, folders)) {
      checkAborted(deps.signal);
      gtInputs.push(object);
      for await (const gt of readGroundTruthRecords(deps.storage, object.uri, { issues }))
        await join.addLabel(gt.eventId, gt.label);
    }
    // 2. The join, bucket by bucket; matched pairs go into typed arrays.
    counts = await join.join(
      (prediction, label, key) => {
        collector.add(prediction, label, { source: `merged record ${key}` });
      },
      () => checkAborted(deps.signal),
    );
  } finally {
    await join.close();
  }
  const joined = Date.now();

  // 3. CBPE estimates (binary with a calibration): the analysis window, and the recent window if asked.
  let estimated: EstimateReport | undefined;
  let estimatedRecent: EstimateReport | undefined;
  if (baseline.calibration && scan.scores && scan.scores.count > 0) {
    const { scores, predicted } = scan.scores.finish();
    estimated = {
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
      recordsRead: scan.recordsRead,
      estimate: estimateBinaryPerformance(scores, predicted, baseline.calibration),
    };
  }
  if (baseline.calibration && estimationWindow) {
    const recentIssues = new IssueLog();
    const recent = await scanCapture(job, deps, estimationWindow, recentIssues, true);
    issues.merge(recentIssues);
    if (recent.scores && recent.scores.count > 0) {
      const { scores, predicted } = recent.scores.finish();
      estimatedRecent = {
        windowStart: estimationWindow.start.toISOString(),
        windowEnd: estimationWindow.end.toISOString(),
        recordsRead: recent.recordsRead,
        estimate: estimateBinaryPerformance(scores, predicted, baseline.calibration),
      };
    }
  }
  timings.readAndJoinMs = joined - started;
  timings.estimateMs = Date.now() - joined;
  return {
    scan,
    counts,
    collector,
    folders,
    gtInputs,
    issues,
    ...(estimated ? { estimated } : {}),
    ...(estimatedRecent ? { estimatedRecent } : {}),
  };
}

export const modelQualityKind: MonitorKind<
  ModelQualityJob,
  ModelQualityBaseline,
  ModelQualityCollected,
  { modelQuality: ModelQualityDetails }
> = {
  type: 'model-quality',
  readBaseline: readModelQualityBaseline,
  collect: collectModelQuality,

  check(job, baseline, collected) {
    const { scan, counts, collector, folders, gtInputs, issues, estimated, estimatedRecent } = collected;
    // 4. Metrics and checks.
    const failureReason = failureReasonOf(job, scan, counts, gtInputs.length, folders, collector.count);
    let metrics: ModelQualityMetrics | undefined;
    let violations: ModelQualityViolation[] = [];
    let notEvaluated: string[] = [];
    if (!failureReason) {
      metrics = computeModelQualityMetrics(collector.finish(), { maxCurvePoints: job.maxCurvePoints });
      const check = checkModelQualityConstraints(metrics.scalars, baseline.constraints);
      violations = check.violations;
      notEvaluated = check.notEvaluated;
    }
    // 5. Reports.
    const reports: ReportFile[] = [];
    if (metrics) {
      reports.push(
        {
          name: 'statistics.json',
          body: renderModelQualityStatistics(metrics, new Date(job.scheduledTime)),
        },
        { name: 'constraint_violations.json', body: renderModelQualityViolations(violations) },
      );
    }
    if (estimated || estimatedRecent) {
      const body = renderEstimatedMetrics({
        analysisWindow: estimated,
        estimationWindow: estimatedRecent,
        realised: metrics ? finiteMetrics(metrics.scalars) : null,
      });
      reports.push({ name: 'estimated_metrics.json', body });
    }
    const realised = metrics ? finiteMetrics(metrics.scalars) : {};
    const details: ModelQualityDetails = {
      problemType: job.problemType,
      join: counts,
      itemCount: metrics?.itemCount ?? 0,
      groundTruthFolders: { start: folders.start.toISOString(), end: folders.end.toISOString() },
      groundTruthInputs: inputRefs(gtInputs),
      violatedMetrics: violations.map((v) => v.metric_name),
      notEvaluated,
      metrics: realised,
      ...(estimated ? { estimated } : {}),
      ...(estimatedRecent ? { estimatedRecent } : {}),
    };
    return {
      ...(failureReason ? { failureReason } : {}),
      violations: violations.length,
      reports,
      issues,
      recordsRead: scan.recordsRead,
      rowsProfiled: metrics?.itemCount ?? 0,
      inputs: inputRefs(scan.objects),
      driftedFeatures: [],
      details: { modelQuality: details },
      // 6. Metrics (once: the skeleton guards them with a marker).
      publication: (status) =>
        modelQualityPublication({
          job,
          status,
          realised,
          estimate: (estimatedRecent ?? estimated)?.estimate,
        }),
    };
  },
};

/** Runs one model-quality execution. Idempotent: a finished execution is returned from its execution.json. */
export async function runModelQualityExecution(
  job: ModelQualityJob,
  deps: ExecutionDeps,
): Promise<ModelQualitySummary> {
  return await execute(modelQualityKind, job, deps);
}
