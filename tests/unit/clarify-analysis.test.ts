import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseClarifyAnalysis, renderClarifyAnalysis } from '../../src/baseline/clarify-analysis.js';
import { parseJsonTree, writePythonJson } from '../../src/baseline/python-json.js';
import { ConfigError } from '../../src/core/errors.js';

const samples = fileURLToPath(new URL('../../../shared/sagemaker-samples/clarify/', import.meta.url));

function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? jsonFiles(p) : p.endsWith('.json') ? [p] : [];
  });
}

describe('real Clarify analysis.json files (../shared/sagemaker-samples/clarify)', () => {
  const files = jsonFiles(samples);
  it('every real file is read as a baseline and written back byte for byte', () => {
    if (files.length === 0) {
      console.log(
        'notice: ../shared/sagemaker-samples/clarify not present; real analysis.json files not read',
      );
      return;
    }
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const a = parseClarifyAnalysis(text, f);
      expect(a.version, f).toBe('1.0');
      expect(a.preTraining !== undefined || a.kernelShap !== undefined, f).toBe(true);
      expect(renderClarifyAnalysis(a), f).toBe(text);
    }
  });

  it('values as Clarify wrote them: integer 0, null with error, shap labels as opaque keys', () => {
    const fraud = join(
      samples,
      'amazon-sagemaker-examples/fraud_detection/clarify_output/bias_1/analysis.json',
    );
    if (!existsSync(fraud)) {
      console.log(
        'notice: ../shared/sagemaker-samples/clarify not present; real analysis.json files not read',
      );
      return;
    }
    const a = parseClarifyAnalysis(readFileSync(fraud, 'utf8'), fraud);
    const entry = a.postTraining?.facets.get('customer_gender_female')?.[0];
    expect(entry?.valueOrThreshold).toBe('1');
    const dcr = entry?.metrics.find((m) => m.name === 'DCR');
    expect(dcr).toMatchObject({ value: 0, integer: true });
    const cddpl = entry?.metrics.find((m) => m.name === 'CDDPL');
    expect(cddpl).toMatchObject({ value: null, error: 'Group variable is empty or not provided' });
    const odd = join(
      samples,
      'amazon-sagemaker-examples/notebook_outputs/explainability_monitor_adult_batch_json_2024-01-19/baseline_analysis.json',
    );
    const e = parseClarifyAnalysis(readFileSync(odd, 'utf8'), odd);
    expect([...(e.kernelShap?.keys() ?? [])]).toEqual(['0.7956783771514893']);
  });
});

describe('analysis.json reading and writing (own fixtures)', () => {
  const bias = `{"pre_training_bias_metrics": {"facets": {"__proto__": [{"metrics": [
    {"name": "CI", "description": "Class Imbalance (CI)", "value": -Infinity},
    {"name": "DI", "description": "Disparate Impact (DI)", "value": "Infinity"},
    {"name": "KL", "description": "Kullback-Liebler Divergence (KL)", "value": 1e-05}],
    "value_or_threshold": "(100, 225]"}]}, "label": "y", "label_value_or_threshold": "1", "extra": 1}, "version": "1.0"}`;

  it('keys in any order, bare and string infinities, __proto__ as a facet name', () => {
    const a = parseClarifyAnalysis(bias, 'own.json');
    const m = a.preTraining?.facets.get('__proto__')?.[0]?.metrics ?? [];
    expect(m.map((x) => x.value)).toEqual([-Infinity, Infinity, 1e-5]);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    const out = renderClarifyAnalysis(a);
    expect(out).toContain('"value": "-Infinity"');
    expect(out).toContain('"value": 1e-05');
    expect(out.endsWith('}')).toBe(true);
    expect(parseClarifyAnalysis(out, 'again.json')).toEqual(a);
  });

  it('bad files are one ConfigError naming file and field', () => {
    expect(() => parseClarifyAnalysis('{"version": "1.0"}', 'x.json')).toThrow(ConfigError);
    expect(() => parseClarifyAnalysis('{"version": ', 'x.json')).toThrow(/x\.json: not valid JSON/);
    expect(() =>
      parseClarifyAnalysis(
        '{"post_training_bias_metrics": {"label": "y", "facets": {"s": [{"value_or_threshold": "1", "metrics": [{"name": "DI", "value": "big"}]}]}}}',
        'x.json',
      ),
    ).toThrow(/x\.json: post_training_bias_metrics\.facets\.s\[0\]\.metrics\[0\]\.value/);
    expect(() =>
      parseClarifyAnalysis(
        '{"explanations": {"kernel_shap": {"label0": {"global_shap_values": {"a": null}}}}}',
        'e.json',
      ),
    ).toThrow(/global_shap_values\.a/);
  });

  it('Python json.dumps(indent=4) formatting: ASCII escapes, empty containers, floats in repr', () => {
    const tree = parseJsonTree(
      '{"a": [], "b": {}, "c": [1, {"x": "é\\u007f"}], "d": 1.0, "e": 1e16, "f": -0.0}',
    );
    expect(writePythonJson(tree)).toBe(
      '{\n    "a": [],\n    "b": {},\n    "c": [\n        1,\n        {\n            "x": "\\u00e9\\u007f"\n        }\n    ],\n    "d": 1.0,\n    "e": 1e+16,\n    "f": -0.0\n}',
    );
  });
});
