/**
 * The feature-attribution-drift monitor kind (`type: attribution`, SageMaker's ModelExplainability
 * monitor, spec §9.7–9.9). SageMaker runs KernelSHAP against a shadow endpoint at monitoring time;
 * driftwatch calls no model, so the window's local attributions come from the captured Clarify
 * online-explainability responses (`endpointOutput`, §9.9), aggregated per label key with the
 * configured `agg_method` into the window's global values (or, with `attributionsUri`, from supplied CSV
 * tables of local attributions in the window's hour folders, §9.9 (b)), then ranked against the baseline
 * `analysis.json` (`explanations.kernel_shap`) by NDCG (violation iff NDCG < threshold, 0.9 by default).
 *
 * Reports in the hour folder: `analysis.json` (the window's global values, as Clarify writes it; no
 * `expected_value`, which the online responses do not carry) and `constraint_violations.json` only when
 * there are violations (§9.1, as SageMaker's explainability executions). Metrics: `feature_<name>`
 * (GlobalShapValues) per label and driftwatch's `attribution_ndcg` per label, in the explainability
 * namespace (§9.8).
 */

import { attributionMetricData, ndcgMetricDatum } from '../alerts/clarify-metrics.js';
import { heartbeatOf, metricIdentity, publicationOf } from '../alerts/execution-publication.js';
import {
  type ClarifyAnalysis,
  type ClarifyShapLabel,
  readClarifyAnalysis,
  renderClarifyAnalysis,
} from '../baseline/clarify-analysis.js';
import { readBaselineText } from '../baseline/read.js';
import { OnlineExplanationCollector } from '../capture/explanations.js';
import { listHourPartitionedObjects } from '../capture/listing.js';
import {
  type AttributionComparison,
  type AttributionViolation,
  checkAttributionDrift,
} from '../checks/bias.js';
import { parseClarifyAnalysisConfig } from '../config/clarify.js';
import { ConfigError } from '../core/errors.js';
import { IssueLog } from '../core/issues.js';
import type { Cell } from '../core/types.js';
import { openDataset } from '../io/datasets/index.js';
import { joinUri, type ObjectInfo, type Storage } from '../io/storage.js';
import type { AttributionAggMethod } from '../metrics/attribution/agg-methods.js';
import { AttributionAggregator } from '../metrics/attribution/aggregate.js';
import { DEFAULT_NDCG_THRESHOLD } from '../metrics/attribution/ndcg.js';
import { renderClarifyViolations } from '../report/execution-files.js';
import { scanCapturedRecords } from './captured-records.js';
import { type AttributionJob, CLARIFY_BASELINE_FILE } from './clarify-job.js';
import { type CollectedInputs, execute, type MonitorKind, type ReportFile } from './execution.js';
import { checkAborted, inputRefs, jobWindow } from './profile-window.js';
import type { ExecutionDeps, ExecutionSummary } from './types.js';

export interface AttributionBaseline {
  kernelShap: Map<string, ClarifyShapLabel>;
  aggMethod: AttributionAggMethod;
  featureNames: string[];
  files: Array<{ uri: string; etag: string }>;
}

/** The summary of an attribution execution. */
export type AttributionSummary = ExecutionSummary<{ attribution: AttributionDetails }>;

/** What a feature-attribution-drift execution adds to its summary (`attribution` in `execution.json`). */
export interface AttributionDetails {
  aggMethod: AttributionAggMethod;
  /** Explained records (one per request row) read from the captured responses. */
  explainedRecords: number;
  threshold: number;
  /** Per label key: NDCG against the baseline ranking, or why it was skipped. */
  labels: AttributionComparison[];
  violatedLabels: string[];
}

async function readAttributionBaseline(storage: Storage, job: AttributionJob): Promise<AttributionBaseline> {
  const uri = joinUri(job.baselineUri, CLARIFY_BASELINE_FILE);
  const { analysis, etag } = await readClarifyAnalysis(storage, uri);
  if (analysis.kernelShap === undefined || analysis.kernelShap.size === 0)
    throw new ConfigError('not an explainability analysis.json (no explanations.kernel_shap)', { file: uri });
  const files = [{ uri, etag }];
  let aggMethod: AttributionAggMethod = job.aggMethod ?? 'mean_abs';
  let featureNames: string[] = [];
  if (job.analysisConfigUri !== undefined) {
    const configFile = await readBaselineText(
      storage,
      job.analysisConfigUri,
      'analysis_config.json not found',
    );
    const config = parseClarifyAnalysisConfig(configFile.text, job.analysisConfigUri);
    if (job.aggMethod === undefined && config.shap) aggMethod = config.shap.aggMethod;
    featureNames = config.headers ?? [];
    files.push({ uri: job.analysisConfigUri, etag: configFile.etag });
  }
  return { kernelShap: analysis.kernelShap, aggMethod, featureNames, files };
}

export interface AttributionCollected extends CollectedInputs {
  collector: OnlineExplanationCollector;
}

type AttributionKind = MonitorKind<
  AttributionJob,
  AttributionBaseline,
  AttributionCollected,
  { attribution: AttributionDetails }
>;

const collectAttribution: AttributionKind['collect'] = async (job, baseline, deps, timings) => {
  const started = Date.now();
  const window = jobWindow(job);
  const issues = new IssueLog();
  const collector = new OnlineExplanationCollector(baseline.aggMethod, baseline.featureNames);
  if (job.attributionsUri !== undefined) {
    const objects: ObjectInfo[] = [];
    const recordsRead = await collectSuppliedAttributions(
      job,
      job.attributionsUri,
      collector,
      objects,
      issues,
      deps,
    );
    timings.readMs = Date.now() - started;
    return { collector, recordsRead, inputs: inputRefs(objects), issues };
  }
  const { objects, recordsRead } = await scanCapturedRecords(job, window, deps, issues, (record, where) => {
    const output = record.output;
    if (output === undefined || output.bytes !== undefined || output.data === '') {
      issues.add({ kind: 'missing_output', ...where, message: 'no captured endpointOutput text' });
      return;
    }
    for (const p of collector.addResponse(output.data))
      issues.add({ kind: p.kind, ...where, message: p.message });
  });
  timings.readMs = Date.now() - started;
  return { collector, recordsRead, inputs: inputRefs(objects), issues };
};

function attributionNumber(cell: Cell): number | undefined {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  if (typeof cell !== 'string' || cell.trim() === '') return undefined;
  const n = Number(cell);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Supplied local attributions (§9.9 (b)): every CSV table in the window's hour folders under `prefix`, one
 * row per explained record, one column per feature, aggregated under the label key `job.labelKey`. A cell
 * that is not a finite number is counted and left out.
 */
async function collectSuppliedAttributions(
  job: AttributionJob,
  prefix: string,
  collector: OnlineExplanationCollector,
  objects: ObjectInfo[],
  issues: IssueLog,
  deps: ExecutionDeps,
): Promise<number> {
  const window = jobWindow(job);
  const label = job.labelKey ?? 'label0';
  let agg = collector.labels.get(label);
  if (agg === undefined) {
    agg = new AttributionAggregator(collector.method);
    collector.labels.set(label, agg);
  }
  let rows = 0;
  for await (const object of listHourPartitionedObjects(deps.storage, prefix, window.start, window.end, {
    suffix: '.csv',
  })) {
    checkAborted(deps.signal);
    objects.push(object);
    const table = await openDataset(deps.storage, object.uri, { format: 'csv', header: true, issues });
    let line = 1;
    for await (const row of table.rows()) {
      line++;
      rows++;
      collector.records++;
      for (let i = 0; i < row.length; i++) {
        const feature = table.columns[i] ?? `column_${i}`;
        const v = attributionNumber(row[i]);
        if (v === undefined) {
          issues.add({
            kind: 'non_numeric_attribution',
            source: object.uri,
            line,
            column: feature,
            message: 'attribution is not a finite number: left out of the aggregate',
          });
          continue;
        }
        agg.add(feature, v);
      }
    }
  }
  return rows;
}

/** The window's global values per label key (the analysis.json `kernel_shap` of the window). */
function liveKernelShap(collector: OnlineExplanationCollector): Map<string, ClarifyShapLabel> {
  return new Map(
    [...collector.labels].map(([label, agg]) => [label, { globalShapValues: agg.globalValues() }]),
  );
}

export const attributionKind: AttributionKind = {
  type: 'attribution',
  readBaseline: readAttributionBaseline,
  collect: collectAttribution,

  check(job, baseline, collected) {
    const { collector } = collected;
    const threshold = job.ndcgThreshold ?? DEFAULT_NDCG_THRESHOLD;
    const window = `[${job.windowStart}, ${job.windowEnd})`;
    const failureReason =
      collected.inputs.length === 0
        ? job.attributionsUri !== undefined
          ? `No attribution file (*.csv) in the hour folders of the window ${window} under ${job.attributionsUri}.`
          : `No captured data in the window ${window} under ${joinUri(job.captureUri, job.endpoint)}.`
        : collector.records === 0 && job.attributionsUri !== undefined
          ? `No attribution row in the window's files under ${job.attributionsUri}.`
          : collector.records === 0
            ? `No captured explanation in the window ${window}: ${collected.recordsRead} records read, none with a Clarify online-explainability response (see issues).`
            : undefined;
    const live = liveKernelShap(collector);
    let violations: AttributionViolation[] = [];
    let labels: AttributionComparison[] = [];
    const reports: ReportFile[] = [];
    if (!failureReason) {
      const checked = checkAttributionDrift(baseline.kernelShap, live, threshold);
      violations = checked.violations;
      labels = checked.comparisons;
      const analysis: ClarifyAnalysis = { version: '1.0', kernelShap: live };
      reports.push({ name: 'analysis.json', body: renderClarifyAnalysis(analysis) });
      if (violations.length > 0)
        reports.push({ name: 'constraint_violations.json', body: renderClarifyViolations(violations) });
    }
    const details: AttributionDetails = {
      aggMethod: baseline.aggMethod,
      explainedRecords: collector.records,
      threshold,
      labels,
      violatedLabels: violations.map((v) => v.label),
    };
    return {
      failureReason,
      violations: violations.length,
      reports,
      rowsProfiled: collector.records,
      details: { attribution: details },
      publication: (status) => {
        const identity = metricIdentity(job);
        const datums =
          status === 'Failed'
            ? []
            : [
                ...attributionMetricData(identity, live, identity.timestamp),
                ...labels.flatMap((l) =>
                  l.ndcg === undefined
                    ? []
                    : [ndcgMetricDatum(identity, l.label, l.ndcg, identity.timestamp)],
                ),
              ];
        return publicationOf(job, heartbeatOf('attribution', job, status), datums);
      },
    };
  },
};

/** Runs one attribution-drift execution. Idempotent: a finished execution is returned from its execution.json. */
export async function runAttributionExecution(
  job: AttributionJob,
  deps: ExecutionDeps,
): Promise<AttributionSummary> {
  return await execute(attributionKind, job, deps);
}
