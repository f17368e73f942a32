/**
 * Clarify `analysis_config.json` (spec §9.2): the keys a bias baseline and the Clarify monitors
 * use. Unknown keys are ignored (the SDK writes `predictor`, `methods.report`, ...). Every problem
 * is one ConfigError naming the file and the field.
 */
import { ConfigError } from '../core/errors.js';
import { ATTRIBUTION_AGG_METHODS, type AttributionAggMethod } from '../metrics/attribution/agg-methods.js';
import { biasMetrics } from '../metrics/bias/metrics.js';

export type ClarifyScalar = string | number | boolean;

export interface ClarifyFacet {
  nameOrIndex: string | number;
  values?: ClarifyScalar[];
}

export interface ClarifyAnalysisConfig {
  datasetType?: string;
  headers?: string[];
  label?: string | number;
  labelValues?: ClarifyScalar[];
  facets: ClarifyFacet[];
  groupVariable?: string | number;
  predictedLabel?: string | number;
  probabilityThreshold: number;
  /** Metric names per stage, `undefined` = not requested; "all" expanded. */
  preTraining?: string[];
  postTraining?: string[];
  shap?: { aggMethod: AttributionAggMethod };
}

export const PRE_TRAINING_ALL = ['CDDL', 'CI', 'DPL', 'JS', 'KL', 'KS', 'LP', 'TVD'];
export const POST_TRAINING_ALL = [
  'AD',
  'CDDPL',
  'DAR',
  'DCA',
  'DCR',
  'DI',
  'DPPL',
  'DRR',
  'FT',
  'GE',
  'RD',
  'SD',
  'TE',
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

export function parseClarifyAnalysisConfig(text: string, file: string): ClarifyAnalysisConfig {
  const fail = (field: string, message: string): never => {
    throw new ConfigError(message, { file, field });
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail('(root)', `not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(raw)) return fail('(root)', 'expected a JSON object');
  const nameOrIndex = (v: unknown, field: string): string | number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    return fail(field, 'expected a column name or a 0-based index');
  };
  const scalars = (v: unknown, field: string): ClarifyScalar[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return fail(field, 'expected an array of values');
    return v.map((x, i) =>
      typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean'
        ? x
        : fail(`${field}[${i}]`, 'expected a string, number or boolean'),
    );
  };
  const headers = own(raw, 'headers');
  if (headers !== undefined && (!Array.isArray(headers) || !headers.every((h) => typeof h === 'string'))) {
    fail('headers', 'expected an array of column names');
  }
  const facetRaw = own(raw, 'facet');
  const facets: ClarifyFacet[] = [];
  if (facetRaw !== undefined) {
    if (!Array.isArray(facetRaw)) fail('facet', 'expected an array of {name_or_index, value_or_threshold?}');
    for (const [i, f] of (facetRaw as unknown[]).entries()) {
      if (!isRecord(f)) fail(`facet[${i}]`, 'expected an object');
      const fo = f as Record<string, unknown>;
      const n = nameOrIndex(own(fo, 'name_or_index'), `facet[${i}].name_or_index`);
      if (n === undefined) return fail(`facet[${i}].name_or_index`, 'required');
      const values = scalars(own(fo, 'value_or_threshold'), `facet[${i}].value_or_threshold`);
      facets.push(values === undefined ? { nameOrIndex: n } : { nameOrIndex: n, values });
    }
  }
  const threshold = own(raw, 'probability_threshold');
  if (threshold !== undefined && (typeof threshold !== 'number' || !Number.isFinite(threshold))) {
    fail('probability_threshold', 'expected a number');
  }
  const out: ClarifyAnalysisConfig = {
    facets,
    probabilityThreshold: (threshold as number | undefined) ?? 0.5,
  };
  const datasetType = own(raw, 'dataset_type');
  if (typeof datasetType === 'string') out.datasetType = datasetType;
  if (headers !== undefined) out.headers = headers as string[];
  const label = nameOrIndex(own(raw, 'label'), 'label');
  if (label !== undefined) out.label = label;
  const labelValues = scalars(own(raw, 'label_values_or_threshold'), 'label_values_or_threshold');
  if (labelValues !== undefined) out.labelValues = labelValues;
  const group = nameOrIndex(own(raw, 'group_variable'), 'group_variable');
  if (group !== undefined) out.groupVariable = group;
  const predicted = nameOrIndex(own(raw, 'predicted_label'), 'predicted_label');
  if (predicted !== undefined) out.predictedLabel = predicted;
  const methods = own(raw, 'methods');
  if (methods !== undefined) {
    if (!isRecord(methods)) return fail('methods', 'expected an object');
    const stage = (key: string, all: string[]): string[] | undefined => {
      const s = own(methods, key);
      if (s === undefined) return undefined;
      const list = isRecord(s) ? own(s, 'methods') : undefined;
      if (list === 'all') return [...all];
      if (!Array.isArray(list))
        return fail(`methods.${key}.methods`, 'expected "all" or a list of metric names');
      return (list as unknown[]).map((m, i) =>
        typeof m === 'string' && all.includes(m)
          ? m
          : fail(
              `methods.${key}.methods[${i}]`,
              `Invalid metric_name: metrics should be one of the registered metrics${JSON.stringify(all)}`,
            ),
      );
    };
    const pre = stage('pre_training_bias', PRE_TRAINING_ALL);
    const post = stage('post_training_bias', POST_TRAINING_ALL);
    if (pre !== undefined) out.preTraining = pre;
    if (post !== undefined) out.postTraining = post;
    const shap = own(methods, 'shap');
    if (shap !== undefined) {
      if (!isRecord(shap)) return fail('methods.shap', 'expected an object');
      const agg = own(shap, 'agg_method') ?? 'mean_abs';
      if (!ATTRIBUTION_AGG_METHODS.includes(agg as AttributionAggMethod)) {
        fail('methods.shap.agg_method', `expected one of ${ATTRIBUTION_AGG_METHODS.join(', ')}`);
      }
      out.shap = { aggMethod: agg as AttributionAggMethod };
    }
  }
  return out;
}

/** The bias keys a bias analysis needs (§9.2: label_values_or_threshold and facet are required). */
export function requireBiasConfig(
  c: ClarifyAnalysisConfig,
  file: string,
): asserts c is ClarifyAnalysisConfig & { label: string | number; labelValues: ClarifyScalar[] } {
  if (c.label === undefined) throw new ConfigError('required for a bias analysis', { file, field: 'label' });
  if (c.labelValues === undefined || c.labelValues.length === 0) {
    throw new ConfigError('required for a bias analysis', { file, field: 'label_values_or_threshold' });
  }
  if (c.facets.length === 0) throw new ConfigError('required for a bias analysis', { file, field: 'facet' });
}

/** Every registered counts-based name plus FT, for a check that a list is known. */
export const KNOWN_BIAS_METRICS = new Set([...Object.keys(biasMetrics), 'FT']);
