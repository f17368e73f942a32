/**
 * SageMaker's model-quality baseline files (spec §6): `statistics.json` and `constraints.json` written as
 * SageMaker writes them (an execution's `constraint_violations.json`: `report/execution-files.ts`); `constraints.json` and driftwatch's
 * `model_quality_calibration.json` read and validated (one ConfigError naming the file and every bad field).
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { formatPath, zodConfigError } from '../core/zod-error.js';
import { COMPARISON_OPERATORS } from '../metrics/comparison.js';
import { constraintsKeyOf, type MetricConstraint } from '../metrics/quality/checks.js';
import type { IsotonicFit } from '../metrics/quality/isotonic.js';
import { PROBLEM_TYPES, type ProblemType } from '../metrics/quality/problem-types.js';
import type { MetricValue, ModelQualityMetrics } from '../metrics/quality/statistics.js';
import { float, toJackson } from './jackson.js';

export const CALIBRATION_FILE = 'model_quality_calibration.json';

// ------------------------------------------------------------------------------------------ writers

function isMetricValue(v: unknown): v is MetricValue {
  return typeof v === 'object' && v !== null && 'value' in v && 'standard_deviation' in v;
}

/** The Jackson-ready form of a metrics section: doubles as `Float`, counts as integers. */
function sectionForJson(section: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(section)) {
    if (isMetricValue(v))
      out[key] = { value: float(v.value), standard_deviation: float(v.standard_deviation) };
    else if (key === 'confusion_matrix') out[key] = v;
    else if (typeof v === 'object' && v !== null) {
      const curve: Record<string, unknown> = {};
      for (const [k, arr] of Object.entries(v))
        curve[k] = Array.isArray(arr) ? arr.map((x: number) => float(x)) : arr;
      out[key] = curve;
    } else out[key] = v;
  }
  return out;
}

/** The model-quality `statistics.json` text for computed metrics (spec §6), as SageMaker writes it. */
export function renderModelQualityStatistics(metrics: ModelQualityMetrics, evaluationTime?: Date): string {
  return toJackson({
    version: float(0),
    dataset: { item_count: metrics.itemCount, evaluation_time: evaluationTime?.toISOString() },
    [metrics.sectionKey]: sectionForJson(metrics.section),
  });
}

/** The model-quality `constraints.json` text for a problem type's metric thresholds (spec §6). */
export function renderModelQualityConstraints(
  problemType: ProblemType,
  constraints: ReadonlyMap<string, MetricConstraint>,
): string {
  const inner: Record<string, unknown> = {};
  for (const [name, c] of constraints)
    inner[name] = { threshold: float(c.threshold), comparison_operator: c.comparison_operator };
  return toJackson({ version: float(0), [constraintsKeyOf(problemType)]: inner });
}

// ------------------------------------------------------------------------------------------ readers

/** A parsed model-quality `constraints.json`. */
export interface ModelQualityConstraints {
  problemType: ProblemType;
  constraints: Map<string, MetricConstraint>;
}

const constraintSchema = z.object({
  threshold: z.number().refine(Number.isFinite, 'a finite number'),
  comparison_operator: z.enum(COMPARISON_OPERATORS),
});

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`not JSON: ${(error as Error).message}`, { file }, { cause: error });
  }
}

/**
 * Parses and validates a model-quality `constraints.json` text; `file` names it in errors.
 * @throws ConfigError naming the file and field.
 */
export function parseModelQualityConstraints(text: string, file: string): ModelQualityConstraints {
  const root = parseJson(text, file);
  if (typeof root !== 'object' || root === null || Array.isArray(root))
    throw new ConfigError('expected a JSON object', { file, field: '(root)' });
  const found = PROBLEM_TYPES.filter((p) => Object.hasOwn(root, constraintsKeyOf(p)));
  if (found.length !== 1) {
    throw new ConfigError(
      `expected exactly one of ${PROBLEM_TYPES.map(constraintsKeyOf).join(', ')} (a model-quality constraints file), found ${found.length}`,
      { file, field: '(root)' },
    );
  }
  const problemType = found[0] as ProblemType;
  const key = constraintsKeyOf(problemType);
  const section = (root as Record<string, unknown>)[key];
  if (typeof section !== 'object' || section === null || Array.isArray(section))
    throw new ConfigError('expected an object', { file, field: key });
  const constraints = new Map<string, MetricConstraint>();
  for (const [name, raw] of Object.entries(section)) {
    const parsed = constraintSchema.safeParse(raw);
    if (!parsed.success) throw zodConfigError(parsed.error, { file, field: formatPath([key, name]) });
    constraints.set(name, parsed.data);
  }
  return { problemType, constraints };
}

export interface CalibrationFile {
  version: 1;
  method: 'isotonic';
  problem_type: 'BinaryClassification';
  item_count: number;
  probability_threshold: number;
  positive_label: string;
  negative_label: string;
  xs: number[];
  ys: number[];
}

const calibrationSchema = z.object({
  version: z.literal(1),
  method: z.literal('isotonic'),
  problem_type: z.literal('BinaryClassification'),
  item_count: z.number().int().nonnegative(),
  probability_threshold: z.number(),
  positive_label: z.string(),
  negative_label: z.string(),
  xs: z.array(z.number()),
  ys: z.array(z.number().min(0).max(1)),
});

export function parseCalibration(text: string, file: string): CalibrationFile {
  const parsed = calibrationSchema.safeParse(parseJson(text, file));
  if (!parsed.success) throw zodConfigError(parsed.error, { file });
  const c = parsed.data;
  if (c.xs.length !== c.ys.length || c.xs.length === 0)
    throw new ConfigError('xs and ys must be non-empty and of equal length', { file, field: 'xs' });
  for (let i = 1; i < c.xs.length; i++) {
    if ((c.xs[i] as number) < (c.xs[i - 1] as number) || (c.ys[i] as number) < (c.ys[i - 1] as number)) {
      throw new ConfigError('the calibration must be non-decreasing in xs and ys', {
        file,
        field: `xs[${i}]`,
      });
    }
  }
  return c as CalibrationFile;
}

export function calibrationFit(c: CalibrationFile): IsotonicFit {
  return { xs: c.xs, ys: c.ys };
}
