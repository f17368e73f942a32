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

import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  biasDimensionIdentity,
  biasDriftMetricName,
  biasMetricData,
  biasMetricDimensions,
} from '../alerts/clarify-metrics.js';
import { heartbeatOf, metricIdentity, publicationOf } from '../alerts/execution-publication.js';
import { type BiasAnalysisResult, computeBiasAnalysis, type RereadableTable } from '../baseline/bias.js';
import {
  type BiasStage,
  type ClarifyAnalysis,
  readClarifyAnalysis,
  renderClarifyAnalysis,
} from '../baseline/clarify-analysis.js';
import { splitCsvLine } from '../capture/csv-split.js';
import {
  DEFAULT_GROUND_TRUTH_HORIZON,
  groundTruthFolders,
  listGroundTruthObjects,
  readGroundTruthRecords,
} from '../capture/ground-truth.js';
import { type JoinCounts, PartitionedJoin } from '../capture/ground-truth-join.js';
import { compileJsonPath, PredictionExtractor } from '../capture/predictions.js';
import { snippet } from '../capture/records.js';
import { type BiasComparison, type BiasViolation, checkBiasDrift } from '../checks/bias.js';
import {
  type ClarifyAnalysisConfig,
  type ClarifyScalar,
  parseClarifyAnalysisConfig,
  requireBiasConfig,
} from '../config/clarify.js';
import { parseDuration } from '../config/schedule.js';
import { ConfigError } from '../core/errors.js';
import { IssueLog } from '../core/issues.js';
import type { Cell, Window } from '../core/types.js';
import { readLines } from '../io/lines.js';
import { joinUri, type ObjectInfo, type Storage } from '../io/storage.js';
import { bootstrapStandardErrors, COUNTS_METRIC_NAMES } from '../metrics/bias/bootstrap.js';
import { renderClarifyViolations } from '../report/execution-files.js';
import { joinKeyOf, scanCapturedRecords } from './captured-records.js';
import { type BiasJob, CLARIFY_BASELINE_FILE } from './clarify-job.js';
import { execute, type MonitorKind, type ReportFile } from './execution.js';
import { checkAborted, groundTruthReadUntil, inputRefs, jobWindow } from './profile-window.js';
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
const PREDICTED_COLUMN = 'predicted_label';

function jsonNumber(x: number | null): number | string | null {
  if (x === null) return null;
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Number.isNaN(x)) return 'NaN';
  return x;
}

async function readBiasBaseline(storage: Storage, job: BiasJob): Promise<BiasBaseline> {
  const analysisUri = joinUri(job.baselineUri, CLARIFY_BASELINE_FILE);
  const analysisHead = await storage.head(analysisUri);
  const analysis = await readClarifyAnalysis(storage, analysisUri);
  if (analysis.preTraining === undefined && analysis.postTraining === undefined)
    throw new ConfigError('not a bias analysis.json (no pre- or post-training bias metrics)', {
      file: analysisUri,
    });
  const configUri = job.analysisConfigUri;
  const configHead = await storage.head(configUri);
  if (!configHead)
    throw new ConfigError('the bias monitor needs its Clarify analysis_config.json here', {
      file: configUri,
    });
  const config = parseClarifyAnalysisConfig(await storage.readText(configUri), configUri);
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
      { uri: analysisUri, etag: analysisHead?.etag ?? '' },
      { uri: configUri, etag: configHead.etag },
    ],
  };
}

/**
 * The joined table's layout: the config's headers (label at its place, request cells at the others) and
 * the predicted label, named by the config's `predicted_label` when it is a header, else appended.
 */
interface TableLayout {
  columns: string[];
  labelIndex: number;
  predictionIndex: number;
  /** Table positions of the request's cells, in request order. */
  requestPositions: number[];
}

function tableLayout(config: BiasBaseline['config'], configUri: string): TableLayout {
  const headers = config.headers ?? [];
  const columns = [...headers];
  const indexOf = (attr: string | number): number =>
    typeof attr === 'number' ? (attr < headers.length ? attr : -1) : headers.indexOf(attr);
  let labelIndex = indexOf(config.label);
  if (labelIndex < 0) {
    if (typeof config.label === 'number')
      throw new ConfigError(`label index ${config.label} is not a header`, {
        file: configUri,
        field: 'label',
      });
    labelIndex = columns.push(config.label) - 1;
  }
  let predictionIndex = config.predictedLabel === undefined ? -1 : indexOf(config.predictedLabel);
  if (predictionIndex < 0 || predictionIndex === labelIndex) {
    const name = typeof config.predictedLabel === 'string' ? config.predictedLabel : PREDICTED_COLUMN;
    predictionIndex = columns.push(columns.includes(name) ? `${name}_` : name) - 1;
  }
  const requestPositions = headers.map((_, i) => i).filter((i) => i !== labelIndex && i !== predictionIndex);
  return { columns, labelIndex, predictionIndex, requestPositions };
}

/** Joined rows spooled to a local file, one JSON array of cell texts per line, read back as a table. */
class JoinedRowSpool {
  private fd: number | undefined;
  private buffer: string[] = [];
  private bytes = 0;
  rows = 0;

  constructor(
    readonly path: string,
    readonly columns: string[],
  ) {
    this.fd = openSync(path, 'w');
  }

  add(cells: readonly string[]): void {
    const line = JSON.stringify(cells);
    this.buffer.push(line);
    this.bytes += line.length;
    this.rows++;
    if (this.bytes > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    writeSync(this.fd, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
    this.bytes = 0;
  }

  finish(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  table(): RereadableTable {
    const { path, columns } = this;
    return {
      open: async () => ({
        columns,
        async *rows(): AsyncIterable<Cell[]> {
          for await (const line of readLines(createReadStream(path))) {
            if (line.text !== '') yield JSON.parse(line.text) as Cell[];
          }
        },
      }),
    };
  }
}

/** The request's cells (CSV or, with `featuresAttribute`, a JSON list), or undefined after counting why. */
function requestCells(
  job: BiasJob,
  featuresPath: ((doc: unknown) => unknown) | undefined,
  input: { data: string; bytes?: Uint8Array; contentType: string; encoding: string } | undefined,
  issues: IssueLog,
  where: { source: string; line: number },
): string[] | undefined {
  if (input === undefined || input.bytes !== undefined || input.data === '') {
    issues.add({
      kind: 'missing_input',
      ...where,
      message: 'no captured endpointInput text (capture mode must include Input)',
    });
    return undefined;
  }
  const json = input.encoding === 'JSON' || input.contentType.toLowerCase().includes('json');
  if (json) {
    if (featuresPath === undefined) {
      issues.add({
        kind: 'missing_attribute',
        ...where,
        message: 'a JSON request needs featuresAttribute (JMESPath of the feature list)',
      });
      return undefined;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(input.data);
    } catch {
      issues.add({
        kind: 'invalid_json',
        ...where,
        message: `endpointInput is not JSON: ${snippet(input.data)}`,
      });
      return undefined;
    }
    const list = featuresPath(doc);
    if (!Array.isArray(list) || list.some((v) => v !== null && typeof v === 'object')) {
      issues.add({
        kind: 'missing_attribute',
        ...where,
        column: job.featuresAttribute,
        message: 'featuresAttribute does not give one list of values',
      });
      return undefined;
    }
    return list.map((v) =>
      v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v),
    );
  }
  const text = input.data.replace(/(?:\r?\n)+$/, '');
  if (/\r?\n/.test(text) && !text.includes('"')) {
    issues.add({
      kind: 'multi_row_input',
      ...where,
      message: 'endpointInput holds several rows; one label cannot be joined to them',
    });
    return undefined;
  }
  return splitCsvLine(text).map((c) => (c === null || c === undefined ? '' : String(c)));
}

export interface BiasCollected {
  result: BiasAnalysisResult | undefined;
  counts: JoinCounts;
  recordsRead: number;
  objects: ObjectInfo[];
  folders: Window;
  gtInputs: ObjectInfo[];
  issues: IssueLog;
}

async function collectBias(
  job: BiasJob,
  baseline: BiasBaseline,
  deps: ExecutionDeps,
  timings: Record<string, number>,
): Promise<BiasCollected> {
  const started = Date.now();
  const window = jobWindow(job);
  const readUntil = groundTruthReadUntil(job);
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
  const joiner = new PartitionedJoin({
    partitions: job.joinPartitions,
    joinMemoryBytes: job.joinMemoryBytes,
  });
  const folders = groundTruthFolders(
    window,
    readUntil,
    job.groundTruthHorizonMs ?? parseDuration(DEFAULT_GROUND_TRUTH_HORIZON),
  );
  const gtInputs: ObjectInfo[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-bias-'));
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
    for await (const object of listGroundTruthObjects(deps.storage, job.groundTruthUri, folders)) {
      checkAborted(deps.signal);
      gtInputs.push(object);
      for await (const gt of readGroundTruthRecords(deps.storage, object.uri, { issues }))
        await joiner.addLabel(gt.eventId, gt.label);
    }
    const spool = new JoinedRowSpool(join(dir, 'joined.jsonl'), layout.columns);
    const row: string[] = new Array(layout.columns.length).fill('');
    let counts: JoinCounts;
    try {
      counts = await joiner.join(
        (prediction, label) => {
          const cells = prediction.row ?? [];
          layout.requestPositions.forEach((pos, i) => {
            row[pos] = cells[i] ?? '';
          });
          row[layout.labelIndex] = label;
          row[layout.predictionIndex] = prediction.label ?? '';
          spool.add(row);
        },
        () => checkAborted(deps.signal),
      );
    } finally {
      spool.finish();
    }
    const joined = Date.now();
    timings.readAndJoinMs = joined - started;
    let result: BiasAnalysisResult | undefined;
    if (spool.rows > 0) {
      result = await computeBiasAnalysis(spool.table(), {
        config: { ...baseline.config, headers: layout.columns },
        configFile: baseline.configUri,
        predictedLabel: layout.predictionIndex,
        flipTest: { maxRowsPerGroup: job.flipTestMaxRows ?? DEFAULT_FLIP_TEST_ROWS },
      });
    }
    timings.analysisMs = Date.now() - joined;
    return { result, counts, recordsRead, objects, folders, gtInputs, issues };
  } finally {
    await joiner.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function failureReasonOf(job: BiasJob, c: BiasCollected): string | undefined {
  if (c.result !== undefined && c.result.rows > 0) return undefined;
  const window = `[${job.windowStart}, ${job.windowEnd})`;
  if (c.objects.length === 0)
    return `No captured data in the window ${window} under ${joinUri(job.captureUri, job.endpoint)}.`;
  if (c.counts.predictions === 0)
    return `No usable record in the window ${window}: ${c.recordsRead} records read, none with usable request and prediction (see issues).`;
  const gtWhere = `${job.groundTruthUri} (hour folders ${c.folders.start.toISOString()} .. ${c.folders.end.toISOString()})`;
  if (c.gtInputs.length === 0)
    return `No ground truth to merge: no ground-truth objects in ${gtWhere}; ${c.counts.predictions} predictions wait for labels.`;
  return `No ground truth to merge: none of ${c.counts.labels} labels in ${gtWhere} matches the ${c.counts.predictions} predictions of the window (join key: inferenceId, else eventId).`;
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

export const biasKind: MonitorKind<BiasJob, BiasBaseline, BiasCollected, { bias: BiasDetails }> = {
  type: 'bias',
  readBaseline: readBiasBaseline,
  collect: collectBias,

  check(job, baseline, collected) {
    const { result, counts, issues } = collected;
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
      groundTruthFolders: {
        start: collected.folders.start.toISOString(),
        end: collected.folders.end.toISOString(),
      },
      groundTruthInputs: inputRefs(collected.gtInputs),
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
      ...(failureReason ? { failureReason } : {}),
      violations: violations.length,
      reports,
      issues,
      recordsRead: collected.recordsRead,
      rowsProfiled: result?.rows ?? 0,
      inputs: inputRefs(collected.objects),
      driftedFeatures: [],
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
