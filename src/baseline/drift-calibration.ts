/**
 * `driftwatch_calibration.json`: what a baseline built with `--drift-mode calibrated` keeps so that
 * executions can decide drift without the training data (issue 14). A driftwatch extension beside
 * SageMaker's `statistics.json` / `constraints.json`; SageMaker's readers never open it.
 *
 * Per feature: the calibrated test (numeric: `wasserstein_norm`, categorical: `jensen_shannon`, the
 * defaults `compare` uses for large baselines; both distances, whose error from sketches is small against
 * their thresholds) and its threshold curve over window sizes (`calibrated-thresholds.ts`), learned by
 * the resampling of `calibrate.ts` on an arrival-ordered sample of the training data
 * (`ordered-sample.ts`). The conventions travel with the file: alarm rate, seed, replicates, sizes, the
 * sample (method, cap, stride, rows seen).
 *
 * Executions read the threshold at the window's actual number of values (`thresholdAt`). What the
 * resampling cannot see: the baseline side of an execution is the sketch in `statistics.json`, not exact
 * values; above the sketch's exact capacity its rank error is outside the calibrated threshold (the
 * execution then reports the feature as undecided when the error straddles the threshold, `feature.ts`).
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { zodConfigError } from '../core/zod-error.js';
import type { WindowBuilder } from '../metrics/drift/calibrate-within-baseline.js';
import {
  CALIBRATION_SIZES,
  type CalibrationCurve,
  calibrateAcrossSizesWithinBaseline,
  calibrateCategoricalAcrossSizesWithinBaseline,
} from '../metrics/drift/calibrated-thresholds.js';
import type { OrderedDatasetSample } from '../metrics/drift/ordered-sample.js';
import { type DriftTestId, getDriftTest, isDriftTestId } from '../metrics/drift/registry.js';
import { type WeightedSample, weightedSampleFromKll } from '../metrics/drift/sample.js';
import {
  fitReconstructionBaseline,
  type OneHotFeature,
  type ReconstructionBaseline,
} from '../metrics/multivariate/pca.js';
import { KllSketch } from '../metrics/sketches/kll.js';
import { parseJsonFile } from './json-validator.js';
import { categoriesOf, type SageMakerType, type Statistics, sketchOf } from './statistics.js';

export const CALIBRATION_FILE = 'driftwatch_calibration.json';

/** Default tests (the registry ids). */
export const CALIBRATED_NUMERIC_TEST: DriftTestId = 'wasserstein_norm';
export const CALIBRATED_CATEGORICAL_TEST: DriftTestId = 'jensen_shannon';
/** Default resampled windows per size (fewer than `compare`'s 400: a baseline calibrates every feature). */
export const CALIBRATION_REPLICATES = 200;

export interface FeatureCalibration {
  name: string;
  kind: 'numeric' | 'categorical';
  /** Values of the feature in the sample the curve was learned from. */
  sample_values: number;
  curve: CalibrationCurve;
}

export interface DriftCalibration {
  version: 1;
  alarm_rate: number;
  seed: number;
  replicates: number;
  sizes: number[];
  sample: { method: 'systematic'; cap: number; stride: number; rows_seen: number };
  features: FeatureCalibration[];
  /** Features of the baseline that got no curve, with the reason. */
  not_calibrated: Array<{ name: string; reason: string }>;
  /**
   * Multivariate drift (PCA data reconstruction of the numeric features and the one-hot encoded
   * low-cardinality String features, `metrics/multivariate/pca.ts`): the model and the held-out error's
   * mean and sd; absent with fewer than two dimensions.
   */
  multivariate?: ReconstructionBaseline;
}

export interface CalibrateBaselineOptions {
  alarmRate?: number;
  seed?: number;
  replicates?: number;
  sizes?: readonly number[];
  numericTest?: DriftTestId;
  categoricalTest?: DriftTestId;
  /** Share of variance the PCA's kept components explain (default 0.65, NannyML's default). */
  varianceShare?: number;
}

/** One feature as `calibrateBaseline` takes it. */
export interface CalibrationFeature {
  name: string;
  type: SageMakerType;
  /** Values present in the whole baseline. */
  count: number;
  /** Numeric features: the whole baseline as executions read it (the KLL sketch of `statistics.json`). */
  baseline?: WeightedSample;
  /**
   * String features: the category values `statistics.json` holds (hashed for redacted columns). Only
   * values found there may enter the multivariate model's one-hot encoding, so the calibration file never
   * holds a value the statistics do not.
   */
  categories?: ReadonlySet<string>;
}

/** A baseline's features as `calibrateBaseline` takes them: name, type, values present and the sketch. */
export function calibrationFeatures(statistics: Statistics): CalibrationFeature[] {
  return statistics.features.map((f) => {
    const sketch = sketchOf(f);
    return {
      name: f.name,
      type: f.inferred_type,
      count: (f.numerical_statistics ?? f.string_statistics)?.common.num_present ?? 0,
      ...(sketch && sketch.count > 0 ? { baseline: weightedSampleFromKll(sketch) } : {}),
      ...(f.inferred_type === 'String' ? { categories: new Set(categoriesOf(f).keys()) } : {}),
    };
  });
}

/**
 * A window's values as an execution keeps them: a KLL sketch with the profile's parameters (exact up to
 * 2,050 values), so calibration replicates carry the window sketch's error as executions do.
 */
export function windowSketchSample(values: Float64Array): WeightedSample {
  const builder = windowSketchBuilder();
  builder.add(values);
  return builder.sample();
}

/** The same, built incrementally (windows of several sizes read off one build). */
export function windowSketchBuilder(): WindowBuilder {
  const kll = new KllSketch();
  return {
    add: (values) => kll.updateBatch(values, values.length),
    sample: () => weightedSampleFromKll(kll),
  };
}

/**
 * Curves for every numeric and String feature of a baseline, from its arrival-ordered sample. Every
 * replicate is scored as an execution scores a window (`within-baseline`): numeric windows drawn from the
 * sample go through a KLL sketch like a window profile's and are compared with the feature's baseline
 * sketch (`CalibrationFeature.baseline`), so the sketches' error is inside the threshold.
 */
export function calibrateBaseline(
  features: ReadonlyArray<CalibrationFeature>,
  columnIndex: (name: string) => number | undefined,
  sample: OrderedDatasetSample,
  options: CalibrateBaselineOptions = {},
): DriftCalibration {
  const alarmRate = options.alarmRate ?? 0.05;
  const seed = options.seed ?? 1;
  const replicates = options.replicates ?? CALIBRATION_REPLICATES;
  const sizes = [...(options.sizes ?? CALIBRATION_SIZES)];
  const numericTest = options.numericTest ?? CALIBRATED_NUMERIC_TEST;
  const categoricalTest = options.categoricalTest ?? CALIBRATED_CATEGORICAL_TEST;
  const curveOptions = { alarmRate, seed, replicates, sizes };
  const out: DriftCalibration = {
    version: 1,
    alarm_rate: alarmRate,
    seed,
    replicates,
    sizes,
    sample: { method: 'systematic', cap: sample.cap, stride: sample.stride, rows_seen: sample.rows },
    features: [],
    not_calibrated: [],
  };
  for (const { name, type, count, baseline } of features) {
    const index = columnIndex(name);
    const column = index === undefined ? undefined : sample.columns[index];
    const numeric = type === 'Integral' || type === 'Fractional';
    if (!numeric && type !== 'String') {
      out.not_calibrated.push({ name, reason: `type ${type} has no drift check` });
      continue;
    }
    if (!column) {
      out.not_calibrated.push({ name, reason: 'no values in the sample' });
      continue;
    }
    let curve: CalibrationCurve | undefined;
    let values: number;
    if (numeric) {
      const numbers = column.numbers();
      values = numbers.length;
      if (!baseline) {
        out.not_calibrated.push({ name, reason: 'no numeric sketch in statistics.json' });
        continue;
      }
      curve = calibrateAcrossSizesWithinBaseline(numbers, baseline, numericTest, {
        ...curveOptions,
        windowBuilder: windowSketchBuilder,
      });
    } else {
      const { codes, names } = column.categories();
      values = codes.length;
      curve = calibrateCategoricalAcrossSizesWithinBaseline(
        codes,
        names,
        count,
        categoricalTest,
        curveOptions,
      );
    }
    if (curve)
      out.features.push({ name, kind: numeric ? 'numeric' : 'categorical', sample_values: values, curve });
    else
      out.not_calibrated.push({
        name,
        reason: `too few values (${values}) for the smallest window size ${Math.min(...sizes)} (at least twice as many are needed)`,
      });
  }
  const numericColumns = features.filter(
    (f) => (f.type === 'Integral' || f.type === 'Fractional') && columnIndex(f.name) !== undefined,
  );
  const raw = numericColumns.map((f) => sample.columns[columnIndex(f.name) as number]?.rawNumbers());
  // Low-cardinality String features enter the model one-hot encoded (NannyML encodes categoricals too).
  const oneHot: Array<OneHotFeature & { codes: Int32Array; dimension: Int32Array }> = [];
  for (const f of features) {
    if (f.type !== 'String') continue;
    const index = columnIndex(f.name);
    const column = index === undefined ? undefined : sample.columns[index];
    if (!column) continue;
    const encoded = oneHotEncoding(column, f.categories);
    if (encoded) oneHot.push({ name: f.name, ...encoded });
  }
  const rows = Math.min(...raw.map((r) => r?.length ?? 0), ...oneHot.map((f) => f.codes.length));
  // Dimension c: numeric column c, then each one-hot feature's indicators in order.
  const indicator: Array<{ feature: number; category: number }> = [];
  oneHot.forEach((f, k) => {
    for (let j = 0; j < f.categories.length; j++) indicator.push({ feature: k, category: j });
  });
  const multivariate = fitReconstructionBaseline(
    numericColumns.map((f) => f.name),
    Number.isFinite(rows) ? rows : 0,
    (r, c) => {
      if (c < raw.length) return raw[c]?.[r] ?? Number.NaN;
      const { feature, category } = indicator[c - raw.length] as { feature: number; category: number };
      const f = oneHot[feature] as (typeof oneHot)[number];
      const code = f.codes[r] as number;
      return code >= 0 && f.dimension[code] === category ? 1 : 0;
    },
    options.varianceShare,
    oneHot.map(({ name, categories }) => ({ name, categories })),
  );
  if (multivariate) out.multivariate = multivariate;
  return out;
}

/** Distinct values a String feature may have in the sample to be one-hot encoded in the PCA. */
export const ONE_HOT_MAX_DISTINCT = 20;
/** Categories kept per feature (the most frequent), each with at least `ONE_HOT_MIN_SHARE` of the values. */
export const ONE_HOT_MAX_CATEGORIES = 10;
export const ONE_HOT_MIN_SHARE = 0.01;

/**
 * The one-hot encoding of a sampled String column for the PCA: its most frequent categories (at most 10,
 * each ≥ 1% of the present values, all found in `statistics.json`), or undefined when the column has more
 * than 20 distinct values (or none qualifies). `dimension[code]` is the category's indicator, -1 for none.
 */
function oneHotEncoding(
  column: OrderedDatasetSample['columns'][number],
  known: ReadonlySet<string> | undefined,
): { categories: string[]; codes: Int32Array; dimension: Int32Array } | undefined {
  const { codes, names } = column.categories();
  if (names.length === 0 || names.length > ONE_HOT_MAX_DISTINCT || column.uncoded > 0) return undefined;
  const counts = new Float64Array(names.length);
  for (const c of codes) counts[c] = (counts[c] as number) + 1;
  const chosen = [...counts.keys()]
    .filter(
      (c) => (counts[c] as number) >= ONE_HOT_MIN_SHARE * codes.length && known?.has(names[c] as string),
    )
    .sort((a, b) => (counts[b] as number) - (counts[a] as number) || a - b)
    .slice(0, ONE_HOT_MAX_CATEGORIES);
  if (chosen.length === 0) return undefined;
  const dimension = new Int32Array(names.length).fill(-1);
  chosen.forEach((c, j) => {
    dimension[c] = j;
  });
  return { categories: chosen.map((c) => names[c] as string), codes: column.rawCodes(), dimension };
}

export function renderDriftCalibration(c: DriftCalibration): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}

const testId = z.string().refine(isDriftTestId, { message: 'not a drift test of the registry' });
const curveSchema = z.object({
  test: testId,
  score: z.enum(['distance', 'p_value']),
  alarm_rate: z.number().gt(0).lt(1),
  seed: z.number(),
  baseline_n: z.number().positive().optional(),
  sketch_error: z.literal('in_threshold').optional(),
  points: z
    .array(
      z.object({
        n: z.number().positive(),
        threshold: z.number().nonnegative(),
        replicates: z.number().int().nonnegative(),
        resampling: z.string(),
      }),
    )
    .min(1),
});
const calibrationSchema = z.object({
  version: z.literal(1),
  alarm_rate: z.number().gt(0).lt(1),
  seed: z.number(),
  replicates: z.number().int().positive(),
  sizes: z.array(z.number().positive()),
  sample: z.object({
    method: z.literal('systematic'),
    cap: z.number().int().positive(),
    stride: z.number().int().positive(),
    rows_seen: z.number().int().nonnegative(),
  }),
  features: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['numeric', 'categorical']),
      sample_values: z.number().int().nonnegative(),
      curve: curveSchema,
    }),
  ),
  not_calibrated: z.array(z.object({ name: z.string(), reason: z.string() })),
  multivariate: z
    .object({
      columns: z.array(z.string()),
      one_hot: z.array(z.object({ name: z.string(), categories: z.array(z.string()).min(1) })).optional(),
      model: z.object({
        d: z.number().int().min(2),
        mean: z.array(z.number()),
        std: z.array(z.number().positive()),
        eigenvalues: z.array(z.number()),
        components: z.array(z.array(z.number())).min(1),
        explained_variance_ratio: z.number(),
      }),
      variance_share: z.number().gt(0).lte(1),
      error_mean: z.number().nonnegative(),
      error_std: z.number().nonnegative(),
      holdout_rows: z.number().int().positive(),
      fit_rows: z.number().int().positive(),
    })
    .refine(
      (m) =>
        m.model.d === m.columns.length + (m.one_hot ?? []).reduce((k, f) => k + f.categories.length, 0) &&
        m.model.mean.length === m.model.d &&
        m.model.std.length === m.model.d &&
        m.model.components.every((c) => c.length === m.model.d),
      { message: 'the PCA model does not match its columns' },
    )
    .optional(),
});

/** Validates a calibration file; one ConfigError naming the file and every bad field. */
export function parseDriftCalibration(text: string, file: string): DriftCalibration {
  const parsed = calibrationSchema.safeParse(parseJsonFile(text, file));
  if (!parsed.success) throw zodConfigError(parsed.error, { file });
  const c = parsed.data as DriftCalibration;
  c.features.forEach((f, i) => {
    const spec = getDriftTest(f.curve.test);
    if (f.curve.score !== spec.score)
      throw new ConfigError(`${f.curve.test} is a ${spec.score} test`, {
        file,
        field: `features.${i}.curve.score`,
      });
    if (!(f.kind === 'numeric' ? spec.numeric : spec.categorical))
      throw new ConfigError(`${f.curve.test} is not a ${f.kind} test`, {
        file,
        field: `features.${i}.curve.test`,
      });
    for (let k = 1; k < f.curve.points.length; k++) {
      if ((f.curve.points[k]?.n ?? 0) <= (f.curve.points[k - 1]?.n ?? 0))
        throw new ConfigError('points must be ascending in n', { file, field: `features.${i}.curve.points` });
    }
  });
  return c;
}
