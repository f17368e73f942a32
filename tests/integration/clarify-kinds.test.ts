/**
 * The two Clarify monitor kinds through the execution skeleton on local storage: a bias monitor whose
 * female positive prediction rate drops in hours 3–5, an attribution monitor whose two top features
 * swap importance in hours 2–3. Reports as SageMaker writes them; reruns return the stored result.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMonitorsConfig } from '../../src/config/monitors.js';
import { hourPath } from '../../src/core/hours.js';
import { silentLogger } from '../../src/core/log.js';
import { mulberry32 } from '../../src/core/random.js';
import { monitorPage, overviewPage } from '../../src/dashboard/pages.js';
import { readDashboard } from '../../src/dashboard/read.js';
import { createStorage, joinUri } from '../../src/io/storage.js';
import { runAttributionExecution } from '../../src/monitor/attribution.js';
import { runBiasExecution } from '../../src/monitor/bias.js';
import type { AttributionJob, BiasJob } from '../../src/monitor/clarify-job.js';
import {
  attributionBaselineJson,
  biasRow,
  writeAttributionTraffic,
  writeBiasBaseline,
  writeBiasTraffic,
} from '../fixtures/clarify/traffic.js';

const HOUR = 3_600_000;
const START = new Date('2026-02-02T00:00:00Z');

describe('bias and attribution executions', () => {
  const storage = createStorage();
  let root: string;

  const base = (name: string, hour: number, scheduledHours: number) => ({
    monitorName: name,
    endpoint: 'credit',
    captureUri: join(root, 'capture'),
    baselineUri: join(root, `${name}-baseline`),
    outputUri: join(root, 'reports'),
    scheduleName: name,
    windowStart: new Date(START.getTime() + hour * HOUR).toISOString(),
    windowEnd: new Date(START.getTime() + (hour + 1) * HOUR).toISOString(),
    scheduledTime: new Date(START.getTime() + (hour + scheduledHours) * HOUR).toISOString(),
    cloudwatch: false,
  });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dw-clarify-'));
    await writeBiasBaseline(storage, root);
    await writeBiasTraffic({
      storage,
      captureUri: join(root, 'capture'),
      groundTruthUri: join(root, 'gt'),
      endpoint: 'credit',
      start: START,
      hours: 6,
      perHour: 160,
      degraded: (h) => h >= 3,
      labelDelayHours: 2,
    });
    await storage.write(join(root, 'attr-baseline', 'analysis.json'), attributionBaselineJson());
    await writeAttributionTraffic({
      storage,
      captureUri: join(root, 'capture'),
      endpoint: 'explained',
      start: START,
      hours: 4,
      perHour: 120,
      shifted: (h) => h >= 2,
    });
  });

  afterAll(async () => {
    storage.destroy();
    await rm(root, { recursive: true, force: true });
  });

  it('flags DPPL and DI in exactly the degraded hours, with Clarify reports', async () => {
    for (let h = 0; h < 6; h++) {
      const job: BiasJob = {
        ...base('bias', h, 3),
        groundTruthUri: join(root, 'gt'),
        analysisConfigUri: join(root, 'bias-baseline', 'analysis_config.json'),
      };
      const summary = await runBiasExecution(job, { storage, logger: silentLogger });
      expect(summary.bias.join).toMatchObject({ predictions: 160, matched: 160 });
      expect(summary.rowsProfiled).toBe(160);
      const names = new Set(summary.bias.violatedMetrics);
      const violationsUri = joinUri(summary.reportUri, 'constraint_violations.json');
      const analysis = JSON.parse(await storage.readText(joinUri(summary.reportUri, 'analysis.json')));
      expect(Object.keys(analysis.post_training_bias_metrics.facets)).toEqual(['gender']);
      // report.html: the bias section, from the summary; no file reported missing.
      const html = await storage.readText(joinUri(summary.reportUri, 'report.html'));
      expect(html).toContain('<h2>Bias drift');
      expect(html).not.toContain('not found');
      expect((html.match(/<tr class="violated" data-metric=/g) ?? []).length).toBe(names.size);
      if (h < 3) {
        expect(summary.status).toBe('Completed');
        expect(names.size).toBe(0);
        // §9.1: no violations file without violations.
        expect(await storage.head(violationsUri)).toBeUndefined();
        continue;
      }
      expect(summary.status).toBe('CompletedWithViolations');
      expect(names).toContain('gender=female:DPPL');
      expect(names).toContain('gender=male:DPPL');
      expect(names).toContain('gender=male:DI');
      // Labels are unchanged: no pre-training metric moves.
      expect([...names].some((n) => /:(CI|DPL|KL|JS|LP|TVD|KS)$/.test(n))).toBe(false);
      const violations = JSON.parse(await storage.readText(violationsUri));
      const di = violations.violations.find(
        (v: { facet_value: string; metric_name: string }) =>
          v.facet_value === 'male' && v.metric_name === 'DI',
      );
      // Female acceptance 10/80 → q_d/q_a for d = male: (40/80) / (10/80) = 4.0; baseline DI 1.0.
      expect(di).toEqual({
        facet: 'gender',
        facet_value: 'male',
        metric_name: 'DI',
        constraint_check_type: 'bias_drift_check',
        description: "Metric value 4.0 doesn't meet the baseline constraint requirement 1.0",
      });
    }
  });

  it('shows the bias monitor in the dashboard: its column, status and DPPL/DI over time', async () => {
    const config = parseMonitorsConfig({
      monitors: [
        {
          name: 'bias',
          type: 'bias',
          endpoint: 'credit',
          capture: join(root, 'capture'),
          baseline: join(root, 'bias-baseline'),
          output: join(root, 'reports'),
          schedule: 'cron(0 * ? * * *)',
          bias: { groundTruth: join(root, 'gt') },
        },
      ],
    });
    const data = await readDashboard(storage, config);
    const overview = overviewPage(data);
    const cell = /<td class="cell" data-type="bias">(.*?)<\/td>/.exec(overview)?.[1] ?? '';
    expect(cell).toContain('data-monitor="bias"');
    expect(cell).toContain('CompletedWithViolations');
    const view = data.monitors[0];
    if (!view) throw new Error('no view');
    expect(view.executions.map((e) => e.status)).toEqual([
      'Completed',
      'Completed',
      'Completed',
      'CompletedWithViolations',
      'CompletedWithViolations',
      'CompletedWithViolations',
    ]);
    expect(view.executions.map((e) => e.metrics.get('DI gender=male'))).toEqual([1, 1, 1, 4, 4, 4]);
    expect(view.thresholds.get('DPPL gender=female')).toEqual({ operator: '|x| ≤', threshold: 0 });
    expect(monitorPage(view)).toContain('data-metric="DI gender=male"');
  });

  it('fails clearly before the labels arrive', async () => {
    const job: BiasJob = {
      ...base('bias-early', 5, 1),
      groundTruthUri: join(root, 'gt'),
      analysisConfigUri: join(root, 'bias-baseline', 'analysis_config.json'),
      baselineUri: join(root, 'bias-baseline'),
    };
    const summary = await runBiasExecution(job, { storage, logger: silentLogger });
    expect(summary.status).toBe('Failed');
    expect(summary.failureReason).toMatch(/^No ground truth to merge: .*160 predictions/);
  });

  it('raises feature_attribution_drift_check when two features swap, not on a stable hour', async () => {
    const ndcg: number[] = [];
    for (let h = 0; h < 4; h++) {
      const job: AttributionJob = { ...base('attr', h, 1), endpoint: 'explained', ndcgThreshold: 0.9 };
      const summary = await runAttributionExecution(job, { storage, logger: silentLogger });
      expect(summary.attribution.explainedRecords).toBe(120);
      const label = summary.attribution.labels[0];
      ndcg.push(label?.ndcg as number);
      const analysis = JSON.parse(await storage.readText(joinUri(summary.reportUri, 'analysis.json')));
      expect(Object.keys(analysis.explanations.kernel_shap.label0.global_shap_values)).toEqual([
        'income',
        'age',
        'tenure',
      ]);
      expect(summary.status).toBe(h >= 2 ? 'CompletedWithViolations' : 'Completed');
      const html = await storage.readText(joinUri(summary.reportUri, 'report.html'));
      expect(html).toContain('<h2>Feature attribution drift');
      expect(html).not.toContain('not found');
      // Baseline rank vs window rank per feature: income and age change places in the shifted hours.
      expect((html.match(/<tr class="violated"><td>/g) ?? []).length).toBe(h >= 2 ? 2 : 0);
      if (h >= 2) {
        const v = JSON.parse(
          await storage.readText(joinUri(summary.reportUri, 'constraint_violations.json')),
        );
        expect(v.violations).toEqual([
          {
            label: 'label0',
            metric_name: 'shap',
            constraint_check_type: 'feature_attribution_drift_check',
            description: expect.stringMatching(/^Feature attribution drift 0\.\d+ exceeds threshold 0\.9$/),
          },
        ]);
      }
      // Exactly once: a rerun returns the stored summary.
      const { storedResult, ...again } = await runAttributionExecution(job, {
        storage,
        logger: silentLogger,
      });
      expect(storedResult).toBeDefined();
      expect(again).toEqual(summary);
    }
    expect(Math.min(ndcg[0] as number, ndcg[1] as number)).toBeGreaterThan(0.95);
    expect(Math.max(ndcg[2] as number, ndcg[3] as number)).toBeLessThan(0.85);
  });

  it('reads supplied per-window attribution files instead of captured explanations', async () => {
    const rng = mulberry32(21);
    for (const [h, swap] of [
      [0, false],
      [1, true],
    ] as const) {
      const rows = ['income,age,tenure'];
      for (let i = 0; i < 50; i++) {
        const [income, age] = swap ? [0.2, 0.7] : [0.7, 0.2];
        rows.push([income, age, 0.1].map((v) => (v * (0.8 + 0.4 * rng())).toFixed(4)).join(','));
      }
      rows.push('oops,0.2,0.1');
      const hour = new Date(START.getTime() + h * HOUR);
      await storage.write(joinUri(root, 'attr-files', hourPath(hour), 'local.csv'), `${rows.join('\n')}\n`);
    }
    const ndcg: number[] = [];
    for (const h of [0, 1, 2]) {
      const job: AttributionJob = {
        ...base('attr-files', h, 1),
        baselineUri: join(root, 'attr-baseline'),
        attributionsUri: join(root, 'attr-files'),
      };
      const summary = await runAttributionExecution(job, { storage, logger: silentLogger });
      if (h === 2) {
        expect(summary.status).toBe('Failed');
        expect(summary.failureReason).toMatch(/^No attribution file \(\*\.csv\) in the hour folders/);
        continue;
      }
      expect(summary.attribution.explainedRecords).toBe(51);
      expect(summary.issues.counts).toEqual({ non_numeric_attribution: 1 });
      ndcg.push(summary.attribution.labels[0]?.ndcg as number);
      expect(summary.status).toBe(h === 1 ? 'CompletedWithViolations' : 'Completed');
    }
    expect(ndcg[0]).toBeGreaterThan(0.99);
    expect(ndcg[1]).toBeLessThan(0.85);
  });

  it('bootstrap check mode: the documented interval decides (DPPL flagged, DI 4.0 not: its interval reaches 1)', async () => {
    const job: BiasJob = {
      ...base('bias-bootstrap', 4, 3),
      groundTruthUri: join(root, 'gt'),
      baselineUri: join(root, 'bias-baseline'),
      analysisConfigUri: join(root, 'bias-baseline', 'analysis_config.json'),
      check: 'bootstrap',
      bootstrapReplicates: 200,
    };
    const summary = await runBiasExecution(job, { storage, logger: silentLogger });
    expect(summary.bias.check).toBe('bootstrap');
    expect(summary.bias.violatedMetrics).toContain('gender=female:DPPL');
    const di = summary.bias.comparisons.find(
      (c) => c.stage === 'post_training' && c.facetValue === 'male' && c.metric === 'DI',
    );
    // 10 female acceptances of 80: DI's replicates are heavy-tailed, the interval reaches the baseline's 1.
    expect(di?.live).toBe(4);
    expect(di?.interval?.[0]).toBeLessThanOrEqual(1);
    expect(di?.violation).toBe(false);
    const dppl = summary.bias.comparisons.find((c) => c.facetValue === 'female' && c.metric === 'DPPL');
    expect(dppl?.interval?.[0]).toBeGreaterThan(0);
  });

  it('reads JSON requests through featuresAttribute; a request of the wrong width is counted, not analysed', async () => {
    const hour = new Date('2026-02-03T00:00:00Z');
    const capture: string[] = [];
    const truth: string[] = [];
    for (let i = 0; i < 161; i++) {
      const r = biasRow(i, false);
      const id = `json-${i}`;
      const features = i === 160 ? [r.age, r.gender] : [r.age, r.gender, r.income];
      capture.push(
        JSON.stringify({
          captureData: {
            endpointInput: {
              observedContentType: 'application/json',
              mode: 'INPUT',
              data: JSON.stringify({ instance: { features } }),
              encoding: 'JSON',
            },
            endpointOutput: {
              observedContentType: 'application/json',
              mode: 'OUTPUT',
              data: JSON.stringify({ predicted_label: r.predicted, score: r.predicted ? 0.8 : 0.2 }),
              encoding: 'JSON',
            },
          },
          eventMetadata: { eventId: id, inferenceTime: new Date(hour.getTime() + i * 1000).toISOString() },
          eventVersion: '0',
        }),
      );
      truth.push(
        JSON.stringify({
          groundTruthData: { data: String(r.label), encoding: 'CSV' },
          eventMetadata: { eventId: id },
          eventVersion: '0',
        }),
      );
    }
    await storage.write(
      joinUri(root, 'capture', 'credit-json', 'AllTraffic', hourPath(hour), 'a.jsonl'),
      `${capture.join('\n')}\n`,
    );
    await storage.write(joinUri(root, 'gt-json', hourPath(hour), 'a.jsonl'), `${truth.join('\n')}\n`);
    const job: BiasJob = {
      ...base('bias-json', 0, 1),
      endpoint: 'credit-json',
      windowStart: hour.toISOString(),
      windowEnd: new Date(hour.getTime() + HOUR).toISOString(),
      scheduledTime: new Date(hour.getTime() + HOUR).toISOString(),
      baselineUri: join(root, 'bias-baseline'),
      groundTruthUri: join(root, 'gt-json'),
      analysisConfigUri: join(root, 'bias-baseline', 'analysis_config.json'),
      featuresAttribute: 'instance.features',
      inferenceAttribute: 'predicted_label',
    };
    const summary = await runBiasExecution(job, { storage, logger: silentLogger });
    expect(summary.issues.counts).toEqual({ column_count_mismatch: 1 });
    expect(summary.bias.rows).toBe(160);
    // The same rows as the baseline's: every counts-based metric equal, no violation.
    expect(summary.status).toBe('Completed');
  });
});
