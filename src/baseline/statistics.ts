/**
 * statistics.json (data quality, spec §3): built from a DatasetProfile, written in SageMaker's shape, and
 * read back (ours or SageMaker's) with validation that names the file and the field.
 */
import type { ColumnProfile } from '../metrics/profile/column-profile.js';
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';
import { KllSketch } from '../metrics/sketches/kll.js';
import { float, renderJackson, toJackson } from './jackson.js';
import { parseJsonFile, Validator } from './json-validator.js';

/** A column's type as SageMaker (Deequ) infers it. */
export type SageMakerType = 'Integral' | 'Fractional' | 'String' | 'Unknown';

/**
 * One bucket of a numeric feature's histogram in `statistics.json`: values in [lower_bound, upper_bound], counted.
 */
export interface KllBucket {
  lower_bound: number;
  upper_bound: number;
  count: number;
}

/** `numerical_statistics` of a numeric feature in `statistics.json` (spec §3.3). */
export interface NumericalStatistics {
  common: { num_present: number; num_missing: number };
  mean: number;
  sum: number;
  std_dev: number;
  min: number;
  max: number;
  distribution?: {
    kll: { buckets: KllBucket[]; sketch: { parameters: { c: number; k: number }; data: number[][] } };
  };
}

/** `string_statistics` of a string feature in `statistics.json` (spec §3.4). */
export interface StringStatistics {
  common: { num_present: number; num_missing: number };
  distinct_count: number;
  distribution?: { categorical: { buckets: Array<{ value: string; count: number }> } };
}

/** One feature of `statistics.json`. */
export interface FeatureStatistics {
  name: string;
  inferred_type: SageMakerType;
  numerical_statistics?: NumericalStatistics;
  string_statistics?: StringStatistics;
}

/** The `statistics.json` document (spec §3). */
export interface Statistics {
  version: number;
  dataset: { item_count: number };
  features: FeatureStatistics[];
}

/** Deequ's histogram keeps at most this many categories (the most frequent). */
export const MAX_CATEGORICAL_BUCKETS = 1000;

/** Per-column type overrides (column name → type), applied instead of inference. */
export type TypeOverrides = ReadonlyMap<string, SageMakerType>;

/** SageMaker's reported type: Boolean columns are reported as String (spec §3.2, unconfirmed). */
export function sageMakerType(column: ColumnProfile, overrides?: TypeOverrides): SageMakerType {
  const forced = overrides?.get(column.name);
  if (forced) return forced;
  const t = column.inferredType;
  return t === 'Boolean' ? 'String' : t;
}

/** The ten equal-width KLL buckets of spec §3.4. */
export function kllBuckets(sketch: KllSketch, min: number, max: number): KllBucket[] {
  const buckets: KllBucket[] = [];
  for (let i = 0; i < 10; i++) {
    const lower = min + ((max - min) * i) / 10;
    const upper = min + ((max - min) * (i + 1)) / 10;
    const count =
      i < 9
        ? sketch.rank(upper, false) - sketch.rank(lower, false)
        : sketch.rank(upper, true) - sketch.rank(lower, false);
    buckets.push({ lower_bound: lower, upper_bound: upper, count });
  }
  return buckets;
}

/** Categories by descending count then value, capped like Deequ's histogram. */
export function topCategories(
  categories: Map<string, number>,
  limit = MAX_CATEGORICAL_BUCKETS,
): Array<{ value: string; count: number }> {
  return [...categories]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, limit)
    .map(([value, count]) => ({ value, count }));
}

export function featureStatistics(
  column: ColumnProfile,
  itemCount: number,
  overrides?: TypeOverrides,
): FeatureStatistics {
  const type = sageMakerType(column, overrides);
  const common = { num_present: column.numPresent, num_missing: itemCount - column.numPresent };
  if (type === 'Integral' || type === 'Fractional') {
    const m = column.moments;
    const stats: NumericalStatistics = {
      common,
      mean: m.count > 0 ? m.sum / m.count : Number.NaN,
      sum: m.sum,
      std_dev: m.std,
      min: m.count > 0 ? m.min : Number.NaN,
      max: m.count > 0 ? m.max : Number.NaN,
    };
    if (m.count > 0) {
      stats.distribution = {
        kll: {
          buckets: kllBuckets(column.kll, m.min, m.max),
          sketch: { parameters: { c: column.kll.c, k: column.kll.k }, data: column.kll.levels() },
        },
      };
    }
    return { name: column.name, inferred_type: type, numerical_statistics: stats };
  }
  const stats: StringStatistics = { common, distinct_count: Math.round(column.distinct.estimate()) };
  if (type === 'String') stats.distribution = { categorical: { buckets: topCategories(column.categories) } };
  return { name: column.name, inferred_type: type, string_statistics: stats };
}

/**
 * The `statistics.json` document of a profile, as SageMaker computes it (types inferred unless overridden).
 */
export function statisticsFromProfile(profile: DatasetProfile, overrides?: TypeOverrides): Statistics {
  return {
    version: 0,
    dataset: { item_count: profile.itemCount },
    features: profile.columns.map((c) => featureStatistics(c, profile.itemCount, overrides)),
  };
}

/** Serialises in SageMaker's (Jackson) style: doubles where SageMaker writes doubles. */
export function renderStatistics(stats: Statistics): string {
  return [...statisticsChunks(stats)].join('');
}

/**
 * `renderStatistics` in pieces: the head, then one feature at a time, then the tail. A wide dataset's
 * statistics.json (10,000 columns: 14 MB) is written as a stream of these, so neither the whole text nor a
 * rendered copy of every feature is ever in memory at once. The pieces joined are `renderStatistics`'s text.
 */
export function* statisticsChunks(stats: Statistics): Generator<string> {
  const head = {
    version: float(stats.version),
    dataset: { item_count: stats.dataset.item_count },
  };
  const text = toJackson(head);
  // `{\n  "version" : ...,\n  "dataset" : {...}\n}\n` → the same object with "features" after "dataset".
  yield `${text.slice(0, text.lastIndexOf('\n}'))},\n  "features" : `;
  if (stats.features.length === 0) {
    yield '[ ]\n}\n';
    return;
  }
  for (let i = 0; i < stats.features.length; i++)
    yield `${i === 0 ? '[ ' : ', '}${renderJackson(featureJson(stats.features[i]!), '  ')}`;
  yield ' ]\n}\n';
}

function featureJson(f: Statistics['features'][number]): Record<string, unknown> {
  const out: Record<string, unknown> = { name: f.name, inferred_type: f.inferred_type };
  if (f.numerical_statistics) {
    const n = f.numerical_statistics;
    out.numerical_statistics = {
      common: n.common,
      mean: float(n.mean),
      sum: float(n.sum),
      std_dev: float(n.std_dev),
      min: float(n.min),
      max: float(n.max),
      distribution: n.distribution && {
        kll: {
          buckets: n.distribution.kll.buckets.map((b) => ({
            lower_bound: float(b.lower_bound),
            upper_bound: float(b.upper_bound),
            count: float(b.count),
          })),
          sketch: {
            parameters: {
              c: float(n.distribution.kll.sketch.parameters.c),
              k: float(n.distribution.kll.sketch.parameters.k),
            },
            data: n.distribution.kll.sketch.data.map((level) => level.map(float)),
          },
        },
      },
    };
  }
  if (f.string_statistics) {
    const s = f.string_statistics;
    out.string_statistics = {
      common: s.common,
      distinct_count: float(s.distinct_count),
      distribution: s.distribution,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Reading and validation

const TYPES = ['Integral', 'Fractional', 'String', 'Unknown'] as const;

/** Validates a data-quality statistics.json (ours or SageMaker's). Unknown keys are ignored. */
export function parseStatistics(text: string, file: string): Statistics {
  const v: Validator = new Validator(file);
  const root = v.object(parseJsonFile(text, file), '(root)');
  const version = root.version === undefined ? 0 : v.number(root.version, 'version');
  const dataset = v.object(root.dataset, 'dataset');
  const itemCount = v.count(dataset.item_count, 'dataset.item_count');
  const features = v.array(root.features, 'features').map((raw, i): FeatureStatistics => {
    const at = `features[${i}]`;
    const f = v.object(raw, at);
    const name = v.string(f.name, `${at}.name`);
    const type = v.oneOf(
      f.inferred_type === 'Boolean' ? 'String' : f.inferred_type,
      `${at}.inferred_type`,
      TYPES,
    );
    const out: FeatureStatistics = { name, inferred_type: type };
    if (f.numerical_statistics !== undefined) {
      const n = v.object(f.numerical_statistics, `${at}.numerical_statistics`);
      const p = `${at}.numerical_statistics`;
      const common = v.object(n.common, `${p}.common`);
      const stats: NumericalStatistics = {
        common: {
          num_present: v.count(common.num_present, `${p}.common.num_present`),
          num_missing: v.count(common.num_missing, `${p}.common.num_missing`),
        },
        mean: v.number(n.mean, `${p}.mean`, { allowNaN: true }),
        sum: v.number(n.sum, `${p}.sum`, { allowNaN: true }),
        std_dev: v.number(n.std_dev, `${p}.std_dev`, { allowNaN: true }),
        min: v.number(n.min, `${p}.min`, { allowNaN: true }),
        max: v.number(n.max, `${p}.max`, { allowNaN: true }),
      };
      if (n.distribution !== undefined) {
        const d = v.object(n.distribution, `${p}.distribution`);
        if (d.kll !== undefined) {
          const kll = v.object(d.kll, `${p}.distribution.kll`);
          const buckets = (
            kll.buckets === undefined ? [] : v.array(kll.buckets, `${p}.distribution.kll.buckets`)
          ).map((b, j) => {
            const q = `${p}.distribution.kll.buckets[${j}]`;
            const bo = v.object(b, q);
            return {
              lower_bound: v.number(bo.lower_bound, `${q}.lower_bound`),
              upper_bound: v.number(bo.upper_bound, `${q}.upper_bound`),
              count: v.count(bo.count, `${q}.count`),
            };
          });
          const sketch = v.object(kll.sketch, `${p}.distribution.kll.sketch`);
          const params =
            sketch.parameters === undefined
              ? {}
              : v.object(sketch.parameters, `${p}.distribution.kll.sketch.parameters`);
          const data = v
            .array(sketch.data, `${p}.distribution.kll.sketch.data`)
            .map((level, h) => v.numbers(level, `${p}.distribution.kll.sketch.data[${h}]`));
          stats.distribution = {
            kll: {
              buckets,
              sketch: {
                parameters: {
                  c:
                    params.c === undefined
                      ? 0.64
                      : v.number(params.c, `${p}.distribution.kll.sketch.parameters.c`),
                  k:
                    params.k === undefined
                      ? 2048
                      : v.number(params.k, `${p}.distribution.kll.sketch.parameters.k`),
                },
                data,
              },
            },
          };
        }
      }
      out.numerical_statistics = stats;
    }
    if (f.string_statistics !== undefined) {
      const p = `${at}.string_statistics`;
      const s = v.object(f.string_statistics, p);
      const common = v.object(s.common, `${p}.common`);
      const stats: StringStatistics = {
        common: {
          num_present: v.count(common.num_present, `${p}.common.num_present`),
          num_missing: v.count(common.num_missing, `${p}.common.num_missing`),
        },
        distinct_count:
          s.distinct_count === undefined ? Number.NaN : v.number(s.distinct_count, `${p}.distinct_count`),
      };
      if (s.distribution !== undefined) {
        const d = v.object(s.distribution, `${p}.distribution`);
        if (d.categorical !== undefined) {
          const c = v.object(d.categorical, `${p}.distribution.categorical`);
          stats.distribution = {
            categorical: {
              buckets: v.array(c.buckets, `${p}.distribution.categorical.buckets`).map((b, j) => {
                const q = `${p}.distribution.categorical.buckets[${j}]`;
                const bo = v.object(b, q);
                const value =
                  typeof bo.value === 'string' ? bo.value : bo.value === null ? 'null' : String(bo.value);
                return { value, count: v.count(bo.count, `${q}.count`) };
              }),
            },
          };
        }
      }
      out.string_statistics = stats;
    }
    return out;
  });
  const seen = new Set<string>();
  features.forEach((f, i) => {
    if (seen.has(f.name)) v.fail(`features[${i}].name`, `duplicate feature name ${JSON.stringify(f.name)}`);
    seen.add(f.name);
  });
  return { version, dataset: { item_count: itemCount }, features };
}

/** The baseline's KLL sketch of a numeric feature, if it has one. */
export function sketchOf(feature: FeatureStatistics): KllSketch | undefined {
  const kll = feature.numerical_statistics?.distribution?.kll;
  if (!kll) return undefined;
  return KllSketch.fromJSON({
    levels: kll.sketch.data,
    k: kll.sketch.parameters.k,
    c: kll.sketch.parameters.c,
  });
}

/** The baseline's category counts of a string feature. */
export function categoriesOf(feature: FeatureStatistics): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of feature.string_statistics?.distribution?.categorical.buckets ?? [])
    out.set(b.value, (out.get(b.value) ?? 0) + b.count);
  return out;
}
