import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClarifyAnalysis } from '../../src/baseline/clarify-analysis.js';
import { lastJson, runCli } from '../support/cli.js';

const sdk = fileURLToPath(
  new URL(
    '../../../shared/sagemaker-samples/sagemaker-python-sdk/tests/data/pipeline/clarify_check_step/',
    import.meta.url,
  ),
);
const clarify = fileURLToPath(
  new URL('../../../shared/sagemaker-samples/clarify/amazon-sagemaker-examples/', import.meta.url),
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dw-clarify-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('driftwatch baseline --analysis bias', () => {
  it('reproduces the SDK clarify_check_step analysis.json from its dataset and config keys', async () => {
    if (!existsSync(join(sdk, 'dataset.csv'))) {
      console.log('notice: ../shared/sagemaker-samples not present; SDK reproduction not run');
      return;
    }
    // The SDK integ test's config: headers, label "Label" = 1, facet F1 > 0.5, group F2.
    const config = join(dir, 'sdk_config.json');
    await writeFile(
      config,
      JSON.stringify({
        dataset_type: 'text/csv',
        headers: ['Label', 'F1', 'F2', 'F3', 'F4'],
        label: 'Label',
        label_values_or_threshold: [1],
        facet: [{ name_or_index: 'F1', value_or_threshold: [0.5] }],
        group_variable: 'F2',
        methods: { pre_training_bias: { methods: 'all' } },
      }),
    );
    const out = join(dir, 'sdk');
    const r = await runCli([
      'baseline',
      '--analysis',
      'bias',
      '--dataset',
      join(sdk, 'dataset.csv'),
      '--no-header',
      '--analysis-config',
      config,
      '--out',
      out,
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ rows: 100, stages: ['pre_training'] });
    const ours = parseClarifyAnalysis(await readFile(join(out, 'analysis.json'), 'utf8'), 'ours');
    const theirs = parseClarifyAnalysis(
      readFileSync(join(sdk, 'data_bias/good_cases/analysis.json'), 'utf8'),
      'theirs',
    );
    expect(ours.postTraining).toBeUndefined();
    expect(ours.preTraining?.label).toBe('Label');
    expect(ours.preTraining?.labelValueOrThreshold).toBe(theirs.preTraining?.labelValueOrThreshold);
    const a = ours.preTraining?.facets.get('F1')?.[0];
    const b = theirs.preTraining?.facets.get('F1')?.[0];
    expect(a?.valueOrThreshold).toBe('(0.5, 0.9936148802477393]');
    expect(a?.metrics.map((m) => m.name)).toEqual(b?.metrics.map((m) => m.name));
    for (const [i, m] of (b?.metrics ?? []).entries()) {
      const v = a?.metrics[i]?.value as number;
      expect(Math.abs(v - (m.value as number)), m.name).toBeLessThanOrEqual(
        1e-12 * Math.max(1, Math.abs(m.value as number)),
      );
    }
  });

  it('own fixture: post-training, per-value entries, smclarify errors, Clarify file format', async () => {
    // §9.4.4 item 1 (test_report_category_data) plus dfBinary-like rows; the label is an int
    // column with uniqueness 0.5, hence continuous: [0] means label > 0.
    const csv = join(dir, 'rows.csv');
    await writeFile(csv, 'x,y,z,yhat,f1\na,1,1,1,0.5\nb,1,1,0,1.5\nb,0,1,0,2.5\nb,0,0,1,3.5\n');
    const config = join(dir, 'rows_config.json');
    await writeFile(
      config,
      JSON.stringify({
        label: 'y',
        label_values_or_threshold: [0],
        facet: [{ name_or_index: 'x' }],
        group_variable: 'z',
        predicted_label: 'yhat',
      }),
    );
    const out = join(dir, 'own');
    const r = await runCli([
      'baseline',
      '--analysis',
      'bias',
      '--dataset',
      csv,
      '--analysis-config',
      config,
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({
      rows: 4,
      stages: ['post_training', 'pre_training'],
      facets: [{ name: 'x', values: ['a', 'b'] }],
    });
    const text = await readFile(join(out, 'analysis.json'), 'utf8');
    expect(
      text.startsWith('{\n    "version": "1.0",\n    "post_training_bias_metrics": {\n        "label": "y",'),
    ).toBe(true);
    expect(text.endsWith('}')).toBe(true);
    const a = parseClarifyAnalysis(text, 'own');
    expect(a.preTraining?.labelValueOrThreshold).toBe('(0, 1]');
    const get = (stage: 'pre' | 'post', facetValue: string, name: string) =>
      (stage === 'pre' ? a.preTraining : a.postTraining)?.facets
        .get('x')
        ?.find((e) => e.valueOrThreshold === facetValue)
        ?.metrics.find((m) => m.name === name);
    // smclarify test_report.py values (§9.4.4 item 1).
    expect(get('pre', 'a', 'CDDL')?.value).toBeCloseTo(-0.375, 12);
    expect(get('pre', 'a', 'KL')?.value).toBeCloseTo(-0.3662040962227032, 12);
    expect(get('pre', 'a', 'JS')?.value).toBeCloseTo(0.08720802396075798, 12);
    expect(get('post', 'a', 'DI')?.value).toBeCloseTo(3.0, 12);
    expect(get('post', 'a', 'RD')?.value).toBeCloseTo(-1.0, 12);
    expect(get('pre', 'b', 'CDDL')?.value).toBeCloseTo(0.625, 12);
    expect(get('post', 'b', 'DI')?.value).toBeCloseTo(1 / 3, 12);
    expect(get('post', 'a', 'FT')).toMatchObject({ description: 'Flip Test (FT)' });
    expect(a.postTraining?.facets.get('x')?.[0]?.metrics.map((m) => m.name)).toEqual([
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
    ]);
  });

  it('bad configs are one line naming the file and field (exit 2)', async () => {
    const csv = join(dir, 'bad.csv');
    await writeFile(csv, 'y,s\n1,a\n0,b\n');
    const config = join(dir, 'bad_config.json');
    await writeFile(
      config,
      JSON.stringify({ label: 'y', label_values_or_threshold: [1], facet: [{ name_or_index: 'nope' }] }),
    );
    const r = await runCli([
      'baseline',
      '--analysis',
      'bias',
      '--dataset',
      csv,
      '--analysis-config',
      config,
      '--out',
      join(dir, 'bad'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config}: facet[0].name_or_index: no column "nope"`);
    await writeFile(
      config,
      JSON.stringify({
        label: 'y',
        label_values_or_threshold: [1],
        facet: [{ name_or_index: 's' }],
        methods: { post_training_bias: { methods: ['XX'] } },
      }),
    );
    const r2 = await runCli([
      'baseline',
      '--analysis',
      'bias',
      '--dataset',
      csv,
      '--analysis-config',
      config,
      '--out',
      join(dir, 'bad'),
    ]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('methods.post_training_bias.methods[0]: Invalid metric_name');
  });
});

describe('driftwatch baseline --analysis attribution', () => {
  it('aggregates a local attributions table (mean_abs default, median, mean_sq)', async () => {
    const csv = join(dir, 'shap.csv');
    await writeFile(csv, 'age,income,__proto__\n0.1,-0.4,0\n-0.3,0.2,0\n0.2,-0.6,0.5\n');
    const rows: [string, [string, number][]][] = [
      [
        'mean_abs',
        [
          ['age', 0.2],
          ['income', 0.4],
          ['__proto__', 0.5 / 3],
        ],
      ],
      [
        'median',
        [
          ['age', 0.1],
          ['income', -0.4],
          ['__proto__', 0],
        ],
      ],
      [
        'mean_sq',
        [
          ['age', (0.01 + 0.09 + 0.04) / 3],
          ['income', (0.16 + 0.04 + 0.36) / 3],
          ['__proto__', 0.25 / 3],
        ],
      ],
    ];
    for (const [method, want] of rows) {
      const out = join(dir, `attr-${method}`);
      const r = await runCli([
        'baseline',
        '--analysis',
        'attribution',
        '--dataset',
        csv,
        '--agg-method',
        method,
        '--out',
        out,
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const a = parseClarifyAnalysis(await readFile(join(out, 'analysis.json'), 'utf8'), 'attr');
      const values = a.kernelShap?.get('label0')?.globalShapValues;
      expect([...(values?.keys() ?? [])]).toEqual(['age', 'income', '__proto__']);
      for (const [f, v] of want) expect(values?.get(f), `${method} ${f}`).toBeCloseTo(v, 12);
    }
  });

  it('takes a SageMaker explainability analysis.json as it is', async () => {
    const real = join(
      clarify,
      'notebook_outputs/explainability_monitor_adult_endpoint_jsonlines_2023-01-19/baseline_analysis.json',
    );
    if (!existsSync(real)) {
      console.log(
        'notice: ../shared/sagemaker-samples/clarify not present; real explainability baseline not read',
      );
      return;
    }
    const out = join(dir, 'from-real');
    const r = await runCli([
      'baseline',
      '--analysis',
      'attribution',
      '--from-analysis',
      real,
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(out, 'analysis.json'), 'utf8')).toBe(readFileSync(real, 'utf8'));
    const bias = join(clarify, 'fraud_detection/clarify_output/bias_1/analysis.json');
    const r2 = await runCli(['baseline', '--analysis', 'attribution', '--from-analysis', bias, '--out', out]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('not an explainability analysis.json');
  });
});
