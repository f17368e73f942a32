import { binaryPrediction, type PredictionSettings, toFiniteNumber } from '../capture/predictions.js';
import { QualityCollector } from '../capture/quality-collectors.js';
import { ConfigError } from '../core/errors.js';
import { IssueLog } from '../core/issues.js';
import type { Cell } from '../core/types.js';
import { openDataset } from '../io/datasets/index.js';
import type { DatasetFormat } from '../io/datasets/objects.js';
import { joinUri, type Storage } from '../io/storage.js';
import { type MetricConstraint, suggestModelQualityConstraints } from '../metrics/quality/checks.js';
import { fitIsotonicBinary, type IsotonicFit } from '../metrics/quality/isotonic.js';
import type { ProblemType } from '../metrics/quality/problem-types.js';
import { computeModelQualityMetrics, type ModelQualityMetrics } from '../metrics/quality/statistics.js';
import type { SubsampleOptions } from '../metrics/quality/subsample-std.js';
import {
  CALIBRATION_FILE,
  type CalibrationFile,
  renderModelQualityConstraints,
  renderModelQualityStatistics,
} from './model-quality-files.js';

/** Most knots kept in the calibration file (evenly thinned beyond; the fit stays monotone). */
const MAX_CALIBRATION_KNOTS = 20_000;

function thinKnots(fit: IsotonicFit): IsotonicFit {
  if (fit.xs.length <= MAX_CALIBRATION_KNOTS) return fit;
  const step = Math.ceil(fit.xs.length / MAX_CALIBRATION_KNOTS);
  const out: IsotonicFit = { xs: [], ys: [] };
  for (let i = 0; i < fit.xs.length; i += step) {
    out.xs.push(fit.xs[i] as number);
    out.ys.push(fit.ys[i] as number);
  }
  if ((fit.xs.length - 1) % step !== 0) {
    out.xs.push(fit.xs[fit.xs.length - 1] as number);
    out.ys.push(fit.ys[fit.ys.length - 1] as number);
  }
  return out;
}

// ------------------------------------------------------------------------------------------ baseline

/** Options of {@link buildModelQualityBaseline}. */
export interface ModelQualityBaselineOptions extends Omit<PredictionSettings, 'problemType'> {
  /** The validation dataset (CSV with header, JSONL, Arrow, Parquet; one object or a prefix). */
  dataset: string;
  out: string;
  problemType: ProblemType;
  /** Column holding the true label (name, or 0-based index when no column has that name). */
  groundTruthAttribute: string;
  format?: DatasetFormat;
  header?: boolean;
  issues?: IssueLog;
  subsample?: SubsampleOptions;
  /** Called every 100,000 rows and once at the end, with rows and bytes read so far. */
  onProgress?: (p: { rowsRead: number; bytesRead: number }) => void;
  /**
   * Thresholds with a margin for windows of `windowSize` records, breached by a healthy window with
   * probability `alarmRate` (default 0.01); absent: SageMaker's rule, threshold = baseline value.
   */
  constraintMargin?: { windowSize: number; alarmRate?: number };
}

/** Each scalar metric's `standard_deviation` in the statistics section (NaN when absent or "NaN"). */
function standardDeviationsOf(metrics: ModelQualityMetrics): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of metrics.scalars.keys()) {
    const entry = metrics.section[name] as { standard_deviation?: unknown } | undefined;
    const sd = entry?.standard_deviation;
    out.set(name, typeof sd === 'number' ? sd : Number.NaN);
  }
  return out;
}

/** What {@link buildModelQualityBaseline} wrote and computed. */
export interface ModelQualityBaselineResult {
  metrics: ModelQualityMetrics;
  constraints: Map<string, MetricConstraint>;
  statisticsUri: string;
  constraintsUri: string;
  calibrationUri: string | undefined;
  rows: number;
  issues: IssueLog;
}

/** Index of a column by name, else by 0-based index; undefined while unknown (JSONL columns grow). */
function resolveColumn(columns: readonly string[], attribute: string): number | undefined {
  const byName = columns.indexOf(attribute);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(attribute)) {
    const i = Number(attribute);
    if (i < columns.length) return i;
  }
  return undefined;
}

function cellText(cell: Cell): string | undefined {
  if (cell === null || cell === undefined) return undefined;
  const text = String(cell).trim();
  return text === '' ? undefined : text;
}

/**
 * A model-quality baseline from a validation dataset holding labels and predictions (or probabilities):
 * computes the problem type's metrics and writes `statistics.json` and `constraints.json` below
 * `options.out` (and the CBPE calibration for binary problems with probabilities).
 * @throws InputError when the dataset cannot be read; ConfigError for a bad option or column.
 */
export async function buildModelQualityBaseline(
  storage: Storage,
  options: ModelQualityBaselineOptions,
): Promise<ModelQualityBaselineResult> {
  const issues = options.issues ?? new IssueLog();
  const settings: PredictionSettings = { ...options };
  if (options.inferenceAttribute === undefined && options.probabilityAttribute === undefined) {
    throw new ConfigError(
      'set the inference attribute (or, for binary classification, the probability attribute)',
      { field: 'inferenceAttribute' },
    );
  }
  if (options.problemType !== 'BinaryClassification' && options.inferenceAttribute === undefined) {
    throw new ConfigError(`${options.problemType} needs the inference attribute`, {
      field: 'inferenceAttribute',
    });
  }
  const reader = await openDataset(storage, options.dataset, {
    format: options.format,
    header: options.header,
    issues,
    onProgress: options.onProgress,
  });
  const collector = new QualityCollector(settings, issues);
  const attrs = {
    gt: options.groundTruthAttribute,
    inf: options.inferenceAttribute,
    prob: options.probabilityAttribute,
  };
  let gt: number | undefined;
  let inf: number | undefined;
  let prob: number | undefined;
  let rows = 0;
  for await (const row of reader.rows()) {
    rows++;
    gt ??= resolveColumn(reader.columns, attrs.gt);
    if (attrs.inf !== undefined) inf ??= resolveColumn(reader.columns, attrs.inf);
    if (attrs.prob !== undefined) prob ??= resolveColumn(reader.columns, attrs.prob);
    const where = { source: options.dataset, line: rows };
    const actual = gt === undefined ? undefined : cellText(row[gt]);
    if (actual === undefined) {
      issues.add({ kind: 'missing_label', ...where, column: attrs.gt, message: 'no ground-truth value' });
      continue;
    }
    const label = inf === undefined ? undefined : cellText(row[inf]);
    if (attrs.inf !== undefined && label === undefined) {
      issues.add({ kind: 'missing_attribute', ...where, column: attrs.inf, message: 'no predicted value' });
      continue;
    }
    let score: number | undefined;
    if (attrs.prob !== undefined) {
      score = prob === undefined ? undefined : toFiniteNumber(row[prob]);
      if (score === undefined) {
        issues.add({
          kind: 'invalid_probability',
          ...where,
          column: attrs.prob,
          message: 'probability is not a finite number',
        });
        continue;
      }
    }
    let prediction = { label, score };
    if (options.problemType === 'BinaryClassification') {
      const b = binaryPrediction(prediction, settings, issues, where);
      if (!b) continue;
      prediction = {
        label: b.predicted === 1 ? (options.positiveLabel ?? '1') : (options.negativeLabel ?? '0'),
        score: b.score,
      };
    }
    collector.add(prediction, actual, where);
  }
  for (const [what, attr, index] of [
    ['ground-truth', attrs.gt, gt],
    ['inference', attrs.inf, inf],
    ['probability', attrs.prob, prob],
  ] as const) {
    if (attr !== undefined && index === undefined && rows > 0) {
      throw new ConfigError(
        `no column ${JSON.stringify(attr)} in ${options.dataset} (columns: ${reader.columns.slice(0, 20).join(', ')})`,
        {
          field: `${what}Attribute`,
        },
      );
    }
  }
  if (collector.count === 0) {
    throw new ConfigError(`no usable rows in ${options.dataset} (${rows} read; see the issues)`, {
      field: 'dataset',
    });
  }
  const data = collector.finish();
  const metrics = computeModelQualityMetrics(data, { subsample: options.subsample });
  const constraints = suggestModelQualityConstraints(
    metrics.scalars,
    options.constraintMargin
      ? {
          ...options.constraintMargin,
          baselineSize: metrics.itemCount,
          standardDeviations: standardDeviationsOf(metrics),
        }
      : undefined,
  );
  const statisticsUri = joinUri(options.out, 'statistics.json');
  const constraintsUri = joinUri(options.out, 'constraints.json');
  await storage.write(statisticsUri, renderModelQualityStatistics(metrics, new Date()), {
    contentType: 'application/json',
  });
  await storage.write(constraintsUri, renderModelQualityConstraints(metrics.problemType, constraints), {
    contentType: 'application/json',
  });
  let calibrationUri: string | undefined;
  if (data.problemType === 'BinaryClassification' && data.scores) {
    const fit = thinKnots(fitIsotonicBinary(data.scores, data.actual));
    const file: CalibrationFile = {
      version: 1,
      method: 'isotonic',
      problem_type: 'BinaryClassification',
      item_count: data.actual.length,
      probability_threshold: options.probabilityThreshold ?? 0.5,
      positive_label: options.positiveLabel ?? '1',
      negative_label: options.negativeLabel ?? '0',
      xs: fit.xs,
      ys: fit.ys,
    };
    calibrationUri = joinUri(options.out, CALIBRATION_FILE);
    await storage.write(calibrationUri, `${JSON.stringify(file)}\n`, { contentType: 'application/json' });
  }
  return { metrics, constraints, statisticsUri, constraintsUri, calibrationUri, rows, issues };
}
