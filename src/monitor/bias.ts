/**
 * The bias-drift monitor kind (`type: bias`, SageMaker's ModelBias monitor, spec §9): the window's
 * captured requests (facets, group variable, FT features) and responses (the predicted label) joined
 * with the ground truth collected since (the model-quality join, §2.3), analysed as Clarify analyses a
 * dataset (§9.3–9.5), compared with the baseline `analysis.json` (§9.6).
 *
 * Reports in the hour folder: `analysis.json` (the window's, as Clarify writes it) and
 * `constraint_violations.json` only when there are violations (§9.1: the explainability monitor writes
 * none without; recommended for bias too). Metrics: `bias_metric_<NAME>` with §9.8's dimensions.
 *
 * Captured request → columns [unconfirmed, §9.2 recommendation]: the analysis config's `headers`
 * without the label (and without a predicted-label header), in order, are the request's cells; the
 * label comes from the ground truth, the prediction from the response (`inferenceAttribute`, or
 * `probabilityAttribute` / a single CSV score with `score > threshold` → 1). A request whose cell count
 * differs is counted (`column_count_mismatch`) and left out.
 *
 * The joined rows are spooled to a temporary file (bounded memory) because the analysis reads them
 * twice (pandas classifies a column from all of it before counting, §9.3).
 */

import {
  biasDimensionIdentity,
  biasDriftMetricName,
  biasMetricData,
  biasMetricDimensions,
} from '../alerts/clarify-metrics.js';
import { heartbeatOf, metricIdentity, publicationOf } from '../alerts/execution-publication.js';
import { type BiasAnalysisResult, computeBiasAnalysis } from '../baseline/bias.js';
import {
  type BiasStage,
  type ClarifyAnalysis,
  readClarifyAnalysis,
  renderClarifyAnalysis,
} from '../baseline/clarify-analysis.js';
import { readBaselineText } from '../baseline/read.js';
import type { JoinCounts } from '../capture/ground-truth-join.js';
import { compileJsonPath, PredictionExtractor } from '../capture/predictions.js';
import { type BiasComparison, type BiasViolation, checkBiasDrift } from '../checks/bias.js';
import {
  type ClarifyAnalysisConfig,
  type ClarifyScalar,
  parseClarifyAnalysisConfig,
  requireBiasConfig,
} from '../config/clarify.js';
import { ConfigError } from '../core/errors.js';
import { IssueLog } from '../core/issues.js';
import type { Window } from '../core/types.js';
import { joinUri, type ObjectInfo, type Storage } from '../io/storage.js';
import { bootstrapStandardErrors, COUNTS_METRIC_NAMES } from '../metrics/bias/bootstrap.js';
import { renderClarifyViolations } from '../report/execution-files.js';
import { JoinedRowSpool, requestCells, tableLayout } from './bias-joined-table.js';
import { joinKeyOf, scanCapturedRecords } from './captured-records.js';
import { type BiasJob, CLARIFY_BASELINE_FILE } from './clarify-job.js';
import { type CollectedInputs, execute, type MonitorKind, type ReportFile } from './execution.js';
import {
  addGroundTruthLabels,
  groundTruthFoldersOf,
  groundTruthRefs,
  openLabelJoin,
  unjoinedWindowReason,
} from './label-join.js';
import { checkAborted, inputRefs, jobWindow } from './profile-window.js';
import type { ExecutionDeps, ExecutionSummary } from './types.js';

export interface BiasBaseline {
  analysis: ClarifyAnalysis;
  config: ClarifyAnalysisConfig & { label: string | number; labelValues: ClarifyScalar[] };
  configUri: string;
  files: Array<{ uri: string; etag: string }>;
}

/** One compared metric as the summary keeps it (`±∞` as the strings Clarify writes). */
export interface BiasMetricComparison {
  stage: BiasStage;
  facet: string;
  facetValue: string;
  metric: string;
  baseline: number | string | null;
  live: number | string | null;
  violation: boolean;
  /** Bootstrap mode: the interval `live ± z·se` that was compared with `[−|baseline|, |baseline|]`. */
  interval?: [number, number];
  skipped?: string;
}

/** The summary of a bias execution. */
export type BiasSummary = ExecutionSummary<{ bias: BiasDetails }>;

/** What a bias-drift execution adds to its summary (`bias` in `execution.json`). */
export interface BiasDetails {
  join: JoinCounts;
  /** Joined rows analysed. */
  rows: number;
  /** Rows left out per facet (empty facet, label or prediction). */
  droppedRows: Record<string, number>;
  check: 'point' | 'bootstrap';
  groundTruthFolders: { start: string; end: string };
  groundTruthInputs: Array<{ uri: string; etag: string; size: number }>;
  /** Violated metrics as `<facet>=<value>:<metric>`. */
  violatedMetrics: string[];
  /** Every compared metric (at most `MAX_SUMMARY_COMPARISONS`; `comparisonsLeftOut` counts the rest). */
  comparisons: BiasMetricComparison[];
  comparisonsLeftOut?: number;
}

const MAX_SUMMARY_COMPARISONS = 500;
/** Flip-test rows kept per group in a monitor (the baseline command keeps FlipTestSample's 20,000). */
const DEFAULT_FLIP_TEST_ROWS = 2000;

function jsonNumber(x: number | null): number | string | null {
  if (x === null) return null;
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Number.isNaN(x)) return 'NaN';
  return x;
}

async function readBiasBaseline(storage: Storage, job: BiasJob): Promise<BiasBaseline> {
  const analysisUri = joinUri(job.baselineUri, CLARIFY_BASELINE_FILE);
  const { analysis, etag: analysisEtag } = await readClarifyAnalysis(storage, analysisUri);
  if (analysis.preTraining === undefined && analysis.postTraining === undefined)
    throw new ConfigError('not a bias analysis.json (no pre- or post-training bias metrics)', {
      file: analysisUri,
    });
  const configUri = job.analysisConfigUri;
  const configFile = await readBaselineText(
    storage,
    configUri,
    'the bias monitor needs its Clarify analysis_config.json here',
  );
  const config = parseClarifyAnalysisConfig(configFile.text, configUri);
  requireBiasConfig(config, configUri);
  if (config.headers === undefined || config.headers.length === 0)
    throw new ConfigError(
      'a bias monitor needs `headers` (the request columns and the label, as the SDK writes them)',
      { file: configUri, field: 'headers' },
    );
  return {
    analysis,
    config,
    configUri,
    files: [
      { uri: analysisUri, etag: analysisEtag },
      { uri: configUri, etag: configFile.etag },
    ],
  };
}

export interface BiasCollected extends CollectedInputs {
  result: BiasAnalysisResult | undefined;
  counts: JoinCounts;
  folders: Window;
  gtInputs: ObjectInfo[];
}

type BiasKind = MonitorKind<BiasJob, BiasBaseline, BiasCollected, { bias: BiasDetails }>;

const collectBias: BiasKind['collect'] = async (job, baseline, deps, timings) => {
  const started = Date.now();
  const window = jobWindow(job);
  const folders = groundTruthFoldersOf(job, window);
  const issues = new IssueLog();
  const layout = tableLayout(baseline.config, baseline.configUri);
  const threshold = job.probabilityThresholdAttribute ?? baseline.config.probabilityThreshold;
  const extractor = new PredictionExtractor({
    problemType: 'BinaryClassification',
    inferenceAttribute: job.inferenceAttribute,
    probabilityAttribute: job.probabilityAttribute,
    probabilityThreshold: threshold,
  });
  const featuresPath =
    job.featuresAttribute !== undefined
      ? compileJsonPath(job.featuresAttribute, 'featuresAttribute')
      : undefined;
  const joiner = openLabelJoin(job);
  let spool: JoinedRowSpool | undefined;
  try {
    const { objects, recordsRead } = await scanCapturedRecords(job, window, deps, issues, (record, where) => {
      const key = joinKeyOf(record, issues, where);
      if (key === undefined) return;
      const cells = requestCells(job, featuresPath, record.input, issues, where);
      if (cells === undefined) return;
      if (cells.length !== layout.requestPositions.length) {
        issues.add({
          kind: 'column_count_mismatch',
          ...where,
          message: `the request has ${cells.length} values, the analysis config's headers name ${layout.requestPositions.length} request columns`,
        });
        return;
      }
      const p = extractor.extract(record.output, issues, where);
      if (!p) return;
      const predicted = p.label ?? (p.score !== undefined ? (p.score > threshold ? '1' : '0') : undefined);
      if (predicted === undefined) return;
      return joiner.addPrediction(key, { label: predicted, score: undefined, row: cells });
    });
    const gtInputs = await addGroundTruthLabels(job, folders, joiner, deps, issues);
    const joinedRows = await JoinedRowSpool.create(layout);
    spool = joinedRows;
    let counts: JoinCounts;
    try {
      counts = await joiner.join(
        (prediction, label) => joinedRows.add(prediction.row ?? [], label, prediction.label ?? ''),
        () => checkAborted(deps.signal),
      );
    } finally {
      joinedRows.finish();
    }
    const joined = Date.now();
    timings.readAndJoinMs = joined - started;
    let result: BiasAnalysisResult | undefined;
    if (joinedRows.rows > 0) {
      result = await computeBiasAnalysis(joinedRows.table(), {
        config: { ...baseline.config, headers: layout.columns },
        configFile: baseline.configUri,
        predictedLabel: layout.predictionIndex,
        flipTest: { maxRowsPerGroup: job.flipTestMaxRows ?? DEFAULT_FLIP_TEST_ROWS },
      });
    }
    timings.analysisMs = Date.now() - joined;
    return { result, counts, recordsRead, inputs: inputRefs(objects), folders, gtInputs, issues };
  } finally {
    await joiner.close();
    await spool?.remove();
  }
};

function failureReasonOf(job: BiasJob, c: BiasCollected): string | undefined {
  if (c.result !== undefined && c.result.rows > 0) return undefined;
  return unjoinedWindowReason(job, c, { record: 'record', holding: 'usable request and prediction' });
}

/** Bootstrap standard errors of the live entries, computed once per entry on first use. */
function standardErrorLookup(result: BiasAnalysisResult, replicates: number) {
  const cache = new Map<string, Map<string, number | undefined>>();
  return (_stage: BiasStage, facet: string, liveEntry: number, metric: string): number | undefined => {
    const key = `${facet}\u0000${liveEntry}`;
    let se = cache.get(key);
    if (se === undefined) {
      const entry = result.facets.find((f) => f.name === facet)?.entries[liveEntry];
      se = entry ? bootstrapStandardErrors(entry.counts, COUNTS_METRIC_NAMES, { replicates }) : new Map();
      cache.set(key, se);
    }
    return se.get(metric);
  };
}

export const biasKind: BiasKind = {
  type: 'bias',
  readBaseline: readBiasBaseline,
  collect: collectBias,

  check(job, baseline, collected) {
    const { result, counts } = collected;
    const failureReason = failureReasonOf(job, collected);
    const mode = job.check ?? 'point';
    let violations: BiasViolation[] = [];
    let comparisons: BiasComparison[] = [];
    const reports: ReportFile[] = [];
    if (!failureReason && result) {
      const checked = checkBiasDrift(baseline.analysis, result.analysis, {
        mode,
        ...(mode === 'bootstrap'
          ? { standardError: standardErrorLookup(result, job.bootstrapReplicates ?? 1000) }
          : {}),
      });
      violations = checked.violations;
      comparisons = checked.comparisons;
      reports.push({ name: 'analysis.json', body: renderClarifyAnalysis(result.analysis) });
      if (violations.length > 0)
        reports.push({ name: 'constraint_violations.json', body: renderClarifyViolations(violations) });
    }
    const kept = comparisons.slice(0, MAX_SUMMARY_COMPARISONS);
    const details: BiasDetails = {
      join: counts,
      rows: result?.rows ?? 0,
      droppedRows: Object.fromEntries((result?.facets ?? []).map((f) => [f.name, f.dropped])),
      check: mode,
      ...groundTruthRefs(collected),
      violatedMetrics: violations.map((v) => `${v.facet}=${v.facet_value}:${v.metric_name}`),
      comparisons: kept.map((c) => ({
        stage: c.stage,
        facet: c.facet,
        facetValue: c.facetValue,
        metric: c.metric,
        baseline: jsonNumber(c.baseline),
        live: jsonNumber(c.live),
        violation: c.violation,
        ...(c.interval ? { interval: c.interval } : {}),
        ...(c.skipped ? { skipped: c.skipped } : {}),
      })),
      ...(comparisons.length > kept.length ? { comparisonsLeftOut: comparisons.length - kept.length } : {}),
    };
    return {
      failureReason,
      violations: violations.length,
      reports,
      rowsProfiled: result?.rows ?? 0,
      details: { bias: details },
      publication: (status) => {
        const identity = metricIdentity(job);
        const live = result?.analysis;
        const stage = live?.postTraining ?? live?.preTraining;
        if (status === 'Failed' || live === undefined)
          return publicationOf(job, heartbeatOf('bias', job, status), []);
        const dims = biasDimensionIdentity(baseline.config, stage?.label ?? String(baseline.config.label));
        const datums = [
          ...biasMetricData(identity, dims, live, identity.timestamp),
          // The check's decisions, which the bias alarms watch.
          ...comparisons
            .filter((c) => c.skipped === undefined)
            .map((c) => ({
              MetricName: biasDriftMetricName(c.metric),
              Dimensions: biasMetricDimensions(identity, dims, c),
              Timestamp: identity.timestamp,
              Value: c.violation ? 1 : 0,
              Unit: 'None' as const,
            })),
        ];
        return publicationOf(job, heartbeatOf('bias', job, status), datums);
      },
    };
  },
};

/** Runs one bias-drift execution. Idempotent: a finished execution is returned from its execution.json. */
export async function runBiasExecution(job: BiasJob, deps: ExecutionDeps): Promise<BiasSummary> {
  return await execute(biasKind, job, deps);
}
