/**
 * Real SageMaker Clarify files as the baselines of driftwatch's Clarify monitor kinds (spec §9.11), when
 * `../shared/sagemaker-samples/clarify` is present (otherwise each test says so and checks nothing):
 * - the churn bias monitor (AWS notebook, 2023-01-19): its real baseline analysis.json as-is, and a
 *   window of 334 captured requests + ground truth whose confusion counts are the ones reconstructed
 *   from the real monitoring run (§9.6). The execution reports exactly the real run's seven violations,
 *   facet value "(100, 232]", and their descriptions (GE to within the last bit, NumPy's pairwise sum).
 * - the adult explainability monitor: its real baseline analysis.json, captured explanations drawn around
 *   its own global values (NDCG ≈ 1, no violation), then with the top two features swapped (violation).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourPath } from '../../src/core/hours.js';
import { silentLogger } from '../../src/core/log.js';
import { mulberry32 } from '../../src/core/random.js';
import { createStorage, joinUri } from '../../src/io/storage.js';
import { runAttributionExecution } from '../../src/monitor/attribution.js';
import { runBiasExecution } from '../../src/monitor/bias.js';

const samples = fileURLToPath(
  new URL(
    '../../../shared/sagemaker-samples/clarify/amazon-sagemaker-examples/notebook_outputs/',
    import.meta.url,
  ),
);
const churnDir = join(samples, 'bias_monitor_churn_batch_csv_2023-01-19');
const adultDir = join(samples, 'explainability_monitor_adult_endpoint_jsonlines_2023-01-19');
const START = new Date('2023-01-19T10:00:00Z');

function present(path: string): boolean {
  if (existsSync(path)) return true;
  console.log(`notice: ${path} not present; real Clarify sample check not run`);
  return false;
}

function capture(input: string, output: string, outputType: string, id: string, i: number): string {
  return JSON.stringify({
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: input, encoding: 'CSV' },
      endpointOutput: {
        observedContentType: outputType,
        mode: 'OUTPUT',
        data: output,
        encoding: outputType === 'application/json' ? 'JSON' : 'CSV',
      },
    },
    eventMetadata: { eventId: id, inferenceTime: new Date(START.getTime() + i * 1000).toISOString() },
    eventVersion: '0',
  });
}

describe('real Clarify baselines in driftwatch executions', () => {
  const storage = createStorage();
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dw-clarify-real-'));
  });

  afterAll(async () => {
    storage.destroy();
    await rm(root, { recursive: true, force: true });
  });

  it('the churn bias monitor: the real run’s seven violations from its reconstructed window', async () => {
    if (!present(join(churnDir, 'baseline_analysis.json'))) return;
    const baseline = join(root, 'churn-baseline');
    await storage.write(
      join(baseline, 'analysis.json'),
      readFileSync(join(churnDir, 'baseline_analysis.json')),
    );
    // The notebook's monitor config (facet Account Length > 100, label Churn = 1, scores > 0.8 are churn);
    // the request here carries only the facet and one more column.
    await storage.write(
      join(baseline, 'analysis_config.json'),
      JSON.stringify({
        headers: ['Churn', 'Account Length', 'Day Mins'],
        label: 'Churn',
        label_values_or_threshold: [1],
        facet: [{ name_or_index: 'Account Length', value_or_threshold: [100] }],
        probability_threshold: 0.8,
      }),
    );
    // §9.6: a (≤ 100): TP 5, FP 4, FN 109, TN 48; d (> 100, max 232): TP 10, FP 2, FN 107, TN 49.
    const cells: Array<[boolean, number, number, number]> = [];
    for (const [d, tp, fp, fn, tn] of [
      [false, 5, 4, 109, 48],
      [true, 10, 2, 107, 49],
    ] as const) {
      for (const [y, p, n] of [
        [1, 1, tp],
        [0, 1, fp],
        [1, 0, fn],
        [0, 0, tn],
      ] as const)
        for (let i = 0; i < n; i++) cells.push([d, y, p, cells.length]);
    }
    const rng = mulberry32(3);
    const lines: string[] = [];
    const truth: string[] = [];
    for (const [d, y, p, i] of cells) {
      const length =
        i === 0
          ? 1
          : i === cells.length - 1
            ? 232
            : d
              ? 101 + Math.floor(rng() * 131)
              : 1 + Math.floor(rng() * 100);
      const id = randomUUID();
      // Day Mins follows the prediction, so the flip test's neighbours agree with it (FT = 0, as in the real
      // run, which did not flag FT).
      lines.push(capture(`${length},${p === 1 ? 300 : 100}`, p === 1 ? '0.93' : '0.12', 'text/csv', id, i));
      truth.push(
        JSON.stringify({
          groundTruthData: { data: String(y), encoding: 'CSV' },
          eventMetadata: { eventId: id },
          eventVersion: '0',
        }),
      );
    }
    await storage.write(
      joinUri(root, 'capture', 'churn', 'AllTraffic', hourPath(START), 'part.jsonl'),
      `${lines.join('\n')}\n`,
    );
    await storage.write(joinUri(root, 'gt', hourPath(START), 'labels.jsonl'), `${truth.join('\n')}\n`);

    const summary = await runBiasExecution(
      {
        monitorName: 'churn-bias',
        endpoint: 'churn',
        captureUri: join(root, 'capture'),
        baselineUri: baseline,
        outputUri: join(root, 'reports'),
        scheduleName: 'churn-bias',
        windowStart: START.toISOString(),
        windowEnd: new Date(START.getTime() + 3_600_000).toISOString(),
        scheduledTime: new Date(START.getTime() + 3_600_000).toISOString(),
        cloudwatch: false,
        groundTruthUri: join(root, 'gt'),
        analysisConfigUri: join(baseline, 'analysis_config.json'),
      },
      { storage, logger: silentLogger },
    );
    expect(summary.bias.rows).toBe(334);
    expect(summary.status).toBe('CompletedWithViolations');
    const written = JSON.parse(
      await storage.readText(joinUri(summary.reportUri, 'constraint_violations.json')),
    );
    const pprint = readFileSync(join(churnDir, 'constraint_violations_pprint.txt'), 'utf8').replace(
      /['"]\s*\n\s*['"]/g,
      '',
    );
    const reported = [...pprint.matchAll(/'metric_name': '(\w+)'/g)].map((m) => m[1]);
    expect(reported).toHaveLength(7);
    expect(written.violations.map((v: { metric_name: string }) => v.metric_name)).toEqual(reported);
    for (const v of written.violations) {
      expect(v).toMatchObject({
        facet: 'Account Length',
        facet_value: '(100, 232]',
        constraint_check_type: 'bias_drift_check',
      });
      if (v.metric_name !== 'GE') expect(pprint, v.metric_name).toContain(v.description);
      else
        expect(v.description).toMatch(
          /^Metric value 0\.977107180020811[89] doesn't meet the baseline constraint requirement 0\.04234527687296418$/,
        );
    }
    // The window's analysis.json is Clarify's: its interval string moved with the data maximum.
    const analysis = JSON.parse(await storage.readText(joinUri(summary.reportUri, 'analysis.json')));
    expect(analysis.post_training_bias_metrics.facets['Account Length'][0].value_or_threshold).toBe(
      '(100, 232]',
    );
  });

  it('the adult explainability monitor: stable attributions pass, two swapped features fail', async () => {
    const file = join(adultDir, 'baseline_analysis.json');
    if (!present(file)) return;
    const baseline = join(root, 'adult-baseline');
    await storage.write(join(baseline, 'analysis.json'), readFileSync(file));
    const global = JSON.parse(readFileSync(file, 'utf8')).explanations.kernel_shap.label0
      .global_shap_values as Record<string, number>;
    const rng = mulberry32(11);
    for (const [hour, swap] of [
      [0, false],
      [1, true],
    ] as const) {
      const values = { ...global };
      // The most and the least important feature swap.
      if (swap)
        [values['Capital Gain'], values.fnlwgt] = [global.fnlwgt as number, global['Capital Gain'] as number];
      const lines = Array.from({ length: 200 }, (_, i) => {
        const record = Object.entries(values).map(([f, v]) => ({
          feature_header: f,
          attributions: [{ attribution: [(rng() < 0.5 ? -1 : 1) * v * (0.8 + 0.4 * rng())] }],
        }));
        const response = {
          predictions: { content_type: 'text/csv', data: '0.3' },
          explanations: { kernel_shap: [record] },
        };
        return capture(
          '39,State-gov',
          JSON.stringify(response),
          'application/json',
          randomUUID(),
          hour * 3600 + i,
        );
      });
      await storage.write(
        joinUri(
          root,
          'capture',
          'adult',
          'AllTraffic',
          hourPath(new Date(START.getTime() + hour * 3_600_000)),
          'part.jsonl',
        ),
        `${lines.join('\n')}\n`,
      );
      const summary = await runAttributionExecution(
        {
          monitorName: 'adult-attr',
          endpoint: 'adult',
          captureUri: join(root, 'capture'),
          baselineUri: baseline,
          outputUri: join(root, 'reports'),
          scheduleName: 'adult-attr',
          windowStart: new Date(START.getTime() + hour * 3_600_000).toISOString(),
          windowEnd: new Date(START.getTime() + (hour + 1) * 3_600_000).toISOString(),
          scheduledTime: new Date(START.getTime() + (hour + 1) * 3_600_000).toISOString(),
          cloudwatch: false,
        },
        { storage, logger: silentLogger },
      );
      const ndcg = summary.attribution.labels[0]?.ndcg as number;
      expect(summary.attribution.labels[0]?.label).toBe('label0');
      if (swap) {
        expect(ndcg).toBeLessThan(0.9);
        expect(summary.status).toBe('CompletedWithViolations');
      } else {
        expect(ndcg).toBeGreaterThan(0.97);
        expect(summary.status).toBe('Completed');
      }
    }
  });
});
