/**
 * Clarify's `analysis.json` (spec §9.5 bias, §9.7 explainability): read, validate, write.
 *
 * A SageMaker-produced file is accepted as a baseline as-is: keys in any order, `±∞` as the
 * strings `"Infinity"` / `"-Infinity"` (smclarify) or bare tokens, metrics with `null` value and
 * an `error`, unknown extra keys ignored, names such as `__proto__` kept as plain keys (Maps).
 * The writer produces the file as Clarify does: Python `json.dumps(indent=4)`, post-training
 * before pre-training, metrics sorted by name, `±∞` as strings, smclarify's integer `0` as `0`.
 */
import { ConfigError } from '../core/errors.js';
import type { Storage } from '../io/storage.js';
import {
  isJsonNumber,
  isJsonObject,
  type JsonObject,
  JsonSyntaxError,
  type JsonTree,
  jsonFloat,
  jsonGet,
  jsonInt,
  jsonObject,
  parseJsonTree,
  writePythonJson,
} from './python-json.js';
import { readBaselineText } from './read.js';

export interface ClarifyMetric {
  name: string;
  description: string;
  /** `±Infinity` for Clarify's `"Infinity"` strings; `null` when the metric failed. */
  value: number | null;
  /** smclarify's integer value (written without `.0`). */
  integer?: true;
  error?: string;
}

export interface ClarifyFacetEntry {
  valueOrThreshold: string;
  metrics: ClarifyMetric[];
}

export interface ClarifyBiasStage {
  label: string;
  labelValueOrThreshold: string;
  /** Facet name → one entry per facet value group (order as in the file). */
  facets: Map<string, ClarifyFacetEntry[]>;
}

export type BiasStage = 'pre_training' | 'post_training';

export interface ClarifyShapLabel {
  globalShapValues: Map<string, number>;
  expectedValue?: number;
}

export interface ClarifyAnalysis {
  version: string;
  preTraining?: ClarifyBiasStage;
  postTraining?: ClarifyBiasStage;
  /** `explanations.kernel_shap`: label key (opaque string) → global values. */
  kernelShap?: Map<string, ClarifyShapLabel>;
}

export const STAGE_KEYS: Record<BiasStage, string> = {
  pre_training: 'pre_training_bias_metrics',
  post_training: 'post_training_bias_metrics',
};

class Reader {
  constructor(readonly file: string) {}

  fail(field: string, message: string): never {
    throw new ConfigError(message, { file: this.file, field });
  }

  object(t: JsonTree | undefined, field: string): JsonObject {
    if (t === undefined || !isJsonObject(t)) this.fail(field, 'expected an object');
    return t as JsonObject;
  }

  string(t: JsonTree | undefined, field: string): string {
    if (typeof t !== 'string') this.fail(field, 'expected a string');
    return t as string;
  }

  /** Clarify metric value: number, `"Infinity"`/`"-Infinity"`/`"NaN"` string, or null. */
  value(t: JsonTree | undefined, field: string): { value: number | null; integer: boolean } {
    if (t === null || t === undefined) return { value: null, integer: false };
    if (isJsonNumber(t)) return { value: t.value, integer: t.integer };
    if (t === 'Infinity') return { value: Number.POSITIVE_INFINITY, integer: false };
    if (t === '-Infinity') return { value: Number.NEGATIVE_INFINITY, integer: false };
    if (t === 'NaN') return { value: Number.NaN, integer: false };
    return this.fail(field, 'expected a number, "Infinity", "-Infinity" or null');
  }

  stage(t: JsonTree | undefined, field: string): ClarifyBiasStage {
    const o = this.object(t, field);
    const labelTree = jsonGet(o, 'label');
    const label =
      labelTree !== undefined && isJsonNumber(labelTree)
        ? String(labelTree.value)
        : this.string(labelTree, `${field}.label`);
    const facets = new Map<string, ClarifyFacetEntry[]>();
    for (const [name, entries] of this.object(jsonGet(o, 'facets'), `${field}.facets`).entries) {
      const where = `${field}.facets.${name}`;
      if (!Array.isArray(entries)) this.fail(where, 'expected an array of facet entries');
      facets.set(
        name,
        (entries as JsonTree[]).map((e, i) => {
          const eo = this.object(e, `${where}[${i}]`);
          const metricsTree = jsonGet(eo, 'metrics');
          if (!Array.isArray(metricsTree)) this.fail(`${where}[${i}].metrics`, 'expected an array');
          return {
            valueOrThreshold: this.string(
              jsonGet(eo, 'value_or_threshold'),
              `${where}[${i}].value_or_threshold`,
            ),
            metrics: (metricsTree as JsonTree[]).map((m, j) => {
              const mf = `${where}[${i}].metrics[${j}]`;
              const mo = this.object(m, mf);
              const name = this.string(jsonGet(mo, 'name'), `${mf}.name`);
              const descriptionTree = jsonGet(mo, 'description');
              const { value, integer } = this.value(jsonGet(mo, 'value'), `${mf}.value`);
              const errorTree = jsonGet(mo, 'error');
              const metric: ClarifyMetric = {
                name,
                description: typeof descriptionTree === 'string' ? descriptionTree : '',
                value,
              };
              if (integer) metric.integer = true;
              if (typeof errorTree === 'string') metric.error = errorTree;
              return metric;
            }),
          };
        }),
      );
    }
    const lvt = jsonGet(o, 'label_value_or_threshold');
    return {
      label,
      labelValueOrThreshold: typeof lvt === 'string' ? lvt : '',
      facets,
    };
  }

  kernelShap(t: JsonTree | undefined, field: string): Map<string, ClarifyShapLabel> {
    const out = new Map<string, ClarifyShapLabel>();
    for (const [label, body] of this.object(t, field).entries) {
      const where = `${field}.${label}`;
      const bo = this.object(body, where);
      const values = new Map<string, number>();
      for (const [feature, v] of this.object(jsonGet(bo, 'global_shap_values'), `${where}.global_shap_values`)
        .entries) {
        const { value } = this.value(v, `${where}.global_shap_values.${feature}`);
        if (value === null || Number.isNaN(value)) {
          this.fail(`${where}.global_shap_values.${feature}`, 'expected a number');
        }
        values.set(feature, value as number);
      }
      const entry: ClarifyShapLabel = { globalShapValues: values };
      const ev = jsonGet(bo, 'expected_value');
      if (ev !== undefined && ev !== null) {
        const { value } = this.value(ev, `${where}.expected_value`);
        if (value !== null) entry.expectedValue = value;
      }
      out.set(label, entry);
    }
    return out;
  }
}

/**
 * Parses a Clarify `analysis.json` (bias, explainability or both). `file` names it in errors.
 * A file with neither bias metrics nor `explanations.kernel_shap` is a ConfigError.
 */
export function parseClarifyAnalysis(text: string, file: string): ClarifyAnalysis {
  const r = new Reader(file);
  let tree: JsonTree;
  try {
    tree = parseJsonTree(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new ConfigError(`not valid JSON: ${error.message}`, { file });
    throw error;
  }
  const root = r.object(tree, '(root)');
  const version = jsonGet(root, 'version');
  const out: ClarifyAnalysis = { version: typeof version === 'string' ? version : '1.0' };
  const pre = jsonGet(root, STAGE_KEYS.pre_training);
  const post = jsonGet(root, STAGE_KEYS.post_training);
  if (pre !== undefined) out.preTraining = r.stage(pre, STAGE_KEYS.pre_training);
  if (post !== undefined) out.postTraining = r.stage(post, STAGE_KEYS.post_training);
  const explanations = jsonGet(root, 'explanations');
  if (explanations !== undefined) {
    const shap = jsonGet(r.object(explanations, 'explanations'), 'kernel_shap');
    if (shap !== undefined) out.kernelShap = r.kernelShap(shap, 'explanations.kernel_shap');
  }
  if (out.preTraining === undefined && out.postTraining === undefined && out.kernelShap === undefined) {
    r.fail(
      '(root)',
      'neither pre_training_bias_metrics, post_training_bias_metrics nor explanations.kernel_shap: not a Clarify analysis.json',
    );
  }
  return out;
}

/**
 * Reads an analysis.json through Storage, with its ETag (which names the baseline in summaries); a missing
 * or unreadable file is a ConfigError naming it.
 */
export async function readClarifyAnalysis(
  storage: Storage,
  uri: string,
): Promise<{ analysis: ClarifyAnalysis; etag: string }> {
  const { text, etag } = await readBaselineText(storage, uri, 'Clarify analysis.json not found');
  return { analysis: parseClarifyAnalysis(text, uri), etag };
}

function metricValue(m: ClarifyMetric): JsonTree {
  if (m.value === null) return null;
  if (Number.isNaN(m.value)) return 'NaN';
  if (m.value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (m.value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return m.integer ? jsonInt(m.value) : jsonFloat(m.value);
}

function stageTree(s: ClarifyBiasStage): JsonTree {
  return jsonObject([
    ['label', s.label],
    [
      'facets',
      jsonObject(
        [...s.facets].map(([name, entries]) => [
          name,
          entries.map((e) =>
            jsonObject([
              ['value_or_threshold', e.valueOrThreshold],
              [
                'metrics',
                e.metrics.map((m) =>
                  jsonObject([
                    ['name', m.name],
                    ['description', m.description],
                    ['value', metricValue(m)],
                    ...(m.error !== undefined ? ([['error', m.error]] as [string, JsonTree][]) : []),
                  ]),
                ),
              ],
            ]),
          ),
        ]),
      ),
    ],
    ['label_value_or_threshold', s.labelValueOrThreshold],
  ]);
}

function finite(x: number): JsonTree {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return jsonFloat(x);
}

/** analysis.json text as Clarify writes it (post-training first, as the real files). */
export function renderClarifyAnalysis(a: ClarifyAnalysis): string {
  const entries: [string, JsonTree][] = [['version', a.version]];
  if (a.postTraining) entries.push([STAGE_KEYS.post_training, stageTree(a.postTraining)]);
  if (a.preTraining) entries.push([STAGE_KEYS.pre_training, stageTree(a.preTraining)]);
  if (a.kernelShap) {
    entries.push([
      'explanations',
      jsonObject([
        [
          'kernel_shap',
          jsonObject(
            [...a.kernelShap].map(([label, l]) => [
              label,
              jsonObject([
                ['global_shap_values', jsonObject([...l.globalShapValues].map(([f, v]) => [f, finite(v)]))],
                ...(l.expectedValue !== undefined
                  ? ([['expected_value', finite(l.expectedValue)]] as [string, JsonTree][])
                  : []),
              ]),
            ]),
          ),
        ],
      ]),
    ]);
  }
  return writePythonJson(jsonObject(entries));
}

/** The metrics of one stage, facet and facet entry, for pairing baseline and live (§9.6). */
export function stageOf(a: ClarifyAnalysis, stage: BiasStage): ClarifyBiasStage | undefined {
  return stage === 'pre_training' ? a.preTraining : a.postTraining;
}
