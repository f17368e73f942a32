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
import type { JoinCounts } from '../capture/ground-truth-join.js';
import { QualityCollector } from '../capture/quality-collectors.js';
import { ConfigError } from '../core/errors.js';
import { IssueLog } from '../core/issues.js';
import type { Window } from '../core/types.js';
import { joinUri, type ObjectInfo, type Storage } from '../io/storage.js';
import {
  checkModelQualityConstraints,
  type MetricConstraint,
  type ModelQualityViolation,
} from '../metrics/quality/checks.js';
import type { IsotonicFit } from '../metrics/quality/isotonic.js';
import type { ProblemType } from '../metrics/quality/problem-types.js';
import { computeModelQualityMetrics, type ModelQualityMetrics } from '../metrics/quality/statistics.js';
import { renderEstimatedMetrics, renderModelQualityViolations } from '../report/execution-files.js';
import { type CollectedInputs, execute, type MonitorKind, type ReportFile } from './execution.js';
import { NO_GROUND_TRUTH } from './failure-reasons.js';
import {
  addGroundTruthLabels,
  groundTruthFoldersOf,
  groundTruthRefs,
  groundTruthWhere,
  openLabelJoin,
  unjoinedWindowReason,
} from './label-join.js';
import {
  type EstimateReport,
  estimateOf,
  estimateRecentWindow,
  estimationWindowOf,
} from './model-quality-estimate.js';
import { type ModelQualityJob, predictionSettings } from './model-quality-job.js';
import { type PredictionScan, scanPredictions } from './model-quality-predictions.js';
import { checkAborted, inputRefs, jobWindow } from './profile-window.js';
import type { ExecutionDeps, ExecutionSummary } from './types.js';

export type { EstimateReport } from './model-quality-estimate.js';

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

function failureReasonOf(job: ModelQualityJob, c: ModelQualityCollected): string | undefined {
  if (c.collector.count > 0) return undefined;
  if (c.counts.matched > 0)
    return `No usable merged record: ${c.counts.matched} predictions matched a label but none could be evaluated (see issues).`;
  if (c.counts.predictions > 0 && c.gtInputs.length > 0 && c.counts.labels === 0)
    return `${NO_GROUND_TRUTH}: ${c.gtInputs.length} ground-truth objects in ${groundTruthWhere(job, c.folders)} hold no readable label (see issues).`;
  return unjoinedWindowReason(job, c, { record: 'prediction', holding: 'a usable output' });
}

function finiteMetrics(scalars: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of scalars) if (Number.isFinite(v)) out[k] = v;
  return out;
}

/** The window's predictions joined with their labels, and the CBPE estimates. */
export interface ModelQualityCollected extends CollectedInputs {
  counts: JoinCounts;
  collector: QualityCollector;
  folders: Window;
  gtInputs: ObjectInfo[];
  estimated?: EstimateReport;
  estimatedRecent?: EstimateReport;
}

type ModelQualityKind = MonitorKind<
  ModelQualityJob,
  ModelQualityBaseline,
  ModelQualityCollected,
  { modelQuality: ModelQualityDetails }
>;

const collectModelQuality: ModelQualityKind['collect'] = async (job, baseline, deps, timings) => {
  const started = Date.now();
  const window = jobWindow(job);
  const folders = groundTruthFoldersOf(job, window);
  const estimationWindow = estimationWindowOf(job);
  const issues = new IssueLog();
  const withScores = baseline.calibration !== undefined;

  // 1. Predictions of the window and labels of every folder that can hold them, hash-partitioned.
  const join = openLabelJoin(job);
  const collector = new QualityCollector(predictionSettings(job), issues);
  let scan: PredictionScan;
  let gtInputs: ObjectInfo[];
  let counts: JoinCounts;
  try {
    scan = await scanPredictions(job, deps, window, issues, withScores, (key, p) =>
      join.addPrediction(key, p),
    );
    gtInputs = await addGroundTruthLabels(job, folders, join, deps, issues);
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
  const estimated = baseline.calibration ? estimateOf(window, scan, baseline.calibration) : undefined;
  const estimatedRecent =
    baseline.calibration && estimationWindow
      ? await estimateRecentWindow(job, deps, estimationWindow, baseline.calibration, issues)
      : undefined;
  timings.readAndJoinMs = joined - started;
  timings.estimateMs = Date.now() - joined;
  return {
    inputs: inputRefs(scan.objects),
    recordsRead: scan.recordsRead,
    counts,
    collector,
    folders,
    gtInputs,
    issues,
    ...(estimated ? { estimated } : {}),
    ...(estimatedRecent ? { estimatedRecent } : {}),
  };
};

export const modelQualityKind: ModelQualityKind = {
  type: 'model-quality',
  readBaseline: readModelQualityBaseline,
  collect: collectModelQuality,

  check(job, baseline, collected) {
    const { counts, collector, estimated, estimatedRecent } = collected;
    // 4. Metrics and checks.
    const failureReason = failureReasonOf(job, collected);
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
      ...groundTruthRefs(collected),
      violatedMetrics: violations.map((v) => v.metric_name),
      notEvaluated,
      metrics: realised,
      ...(estimated ? { estimated } : {}),
      ...(estimatedRecent ? { estimatedRecent } : {}),
    };
    return {
      failureReason,
      violations: violations.length,
      reports,
      rowsProfiled: metrics?.itemCount ?? 0,
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
