import { describe, expect, it } from 'vitest';
import {
  attributionMetricData,
  biasMetricData,
  CLOUDWATCH_MAX,
  cloudWatchValue,
  ndcgMetricDatum,
} from '../../src/alerts/clarify-metrics.js';
import type { ClarifyAnalysis, ClarifyShapLabel } from '../../src/baseline/clarify-analysis.js';
import { OnlineExplanationCollector } from '../../src/capture/explanations.js';
import { checkAttributionDrift } from '../../src/checks/bias.js';
import { mulberry32, normalSampler } from '../../src/core/random.js';

const endpoint = { endpoint: 'churn', scheduleName: 'churn-bias' };

describe('Clarify CloudWatch metric data (§9.8)', () => {
  it('bias: bias_metric_<NAME>, the documented dimensions, ±∞ as ±2^360, nulls left out', () => {
    const analysis: ClarifyAnalysis = {
      version: '1.0',
      postTraining: {
        label: 'Churn',
        labelValueOrThreshold: '1',
        facets: new Map([
          [
            'Account Length',
            [
              {
                valueOrThreshold: '(100, 232]',
                metrics: [
                  { name: 'DI', description: '', value: Infinity },
                  { name: 'TE', description: '', value: -Infinity },
                  {
                    name: 'CDDPL',
                    description: '',
                    value: null,
                    error: 'Group variable is empty or not provided',
                  },
                  { name: 'DPPL', description: '', value: 1e-200 },
                ],
              },
            ],
          ],
        ]),
      },
    };
    const t = new Date('2026-12-02T10:00:00Z');
    const data = biasMetricData(
      endpoint,
      { label: 'Churn', labelValue: '1', facetValues: new Map([['Account Length', '100']]) },
      analysis,
      t,
    );
    expect(data.map((d) => [d.MetricName, d.Value])).toEqual([
      ['bias_metric_DI', 2 ** 360],
      ['bias_metric_TE', -(2 ** 360)],
      ['bias_metric_DPPL', 0], // below 2^-360: sent as 0
    ]);
    expect(data[0]?.Dimensions).toEqual([
      { Name: 'Endpoint', Value: 'churn' },
      { Name: 'MonitoringSchedule', Value: 'churn-bias' },
      { Name: 'BiasStage', Value: 'Post-Training' },
      { Name: 'Label', Value: 'Churn' },
      { Name: 'LabelValue', Value: '1' },
      { Name: 'Facet', Value: 'Account Length' },
      { Name: 'FacetValue', Value: '100' },
    ]);
    expect(CLOUDWATCH_MAX).toBe(2.3485425827738332e108);
    expect(cloudWatchValue(1e-120)).toBe(0);
    expect(cloudWatchValue(Number.NaN)).toBeUndefined();
    const batch = biasMetricData(
      { scheduleName: 's' },
      { label: 'y', labelValue: '1', facetValues: new Map() },
      analysis,
      t,
    );
    expect(batch[0]?.Dimensions?.map((d) => d.Name)).toEqual([
      'MonitoringSchedule',
      'BiasStage',
      'Label',
      'LabelValue',
      'Facet',
      'FacetValue',
    ]);
    expect(batch[0]?.Dimensions?.[5]?.Value).toBe('(100, 232]');
  });

  it('attribution: feature_<name> GlobalShapValues, expected_value ExpectedValue, NDCG in driftwatch namespace', () => {
    const shap = new Map<string, ClarifyShapLabel>([
      [
        'label0',
        {
          globalShapValues: new Map([
            ['Age', 0.05],
            ['plan type', 0.01],
          ]),
          expectedValue: 0.25,
        },
      ],
    ]);
    const data = attributionMetricData(endpoint, shap, new Date(0));
    expect(data.map((d) => d.MetricName)).toEqual(['feature_Age', data[1]?.MetricName, 'expected_value']);
    expect(data[1]?.MetricName).toMatch(/^feature_plan_type_[0-9a-f]{8}$/);
    expect(data[0]?.Dimensions).toEqual([
      { Name: 'Endpoint', Value: 'churn' },
      { Name: 'MonitoringSchedule', Value: 'churn-bias' },
      { Name: 'ExplainabilityMethod', Value: 'KernelShap' },
      { Name: 'Label', Value: 'label0' },
      { Name: 'ValueType', Value: 'GlobalShapValues' },
    ]);
    expect(data[2]?.Dimensions?.[4]).toEqual({ Name: 'ValueType', Value: 'ExpectedValue' });
    expect(ndcgMetricDatum(endpoint, 'label0', 0.7, new Date(0)).MetricName).toBe('attribution_ndcg');
  });
});

/** A Clarify online-explainability response for `rows` records with per-feature scales. */
function response(rand: () => number, scales: [string, number][], rows: number): string {
  const normal = normalSampler(rand);
  const kernelShap = Array.from({ length: rows }, () =>
    scales.map(([name, s]) => ({ feature_header: name, attributions: [{ attribution: [s * normal()] }] })),
  );
  return JSON.stringify({
    version: '1.0',
    predictions: { content_type: 'text/csv', data: '0.5\n'.repeat(rows) },
    explanations: { kernel_shap: kernelShap },
  });
}

describe('attribution drift from captured online explanations (§9.9)', () => {
  const baselineScales: [string, number][] = [
    ['income', 0.5],
    ['age', 0.3],
    ['tenure', 0.1],
    ['plan', 0.05],
  ];
  const day = (scales: [string, number][], seed: number) => {
    const c = new OnlineExplanationCollector('mean_abs');
    const rand = mulberry32(seed);
    for (let hour = 0; hour < 24; hour++) expect(c.addResponse(response(rand, scales, 50))).toEqual([]);
    return new Map([...c.labels].map(([k, a]) => [k, { globalShapValues: a.globalValues() }]));
  };
  const baseline = day(baselineScales, 1);

  it('a stable day stays above 0.9; the two top features swapping importance falls below it', () => {
    const stable = checkAttributionDrift(baseline, day(baselineScales, 2));
    expect(stable.violations).toEqual([]);
    expect(stable.comparisons[0]?.ndcg).toBeGreaterThan(0.9);
    const swapped = checkAttributionDrift(
      baseline,
      day(
        [
          ['income', 0.05],
          ['age', 0.3],
          ['tenure', 0.1],
          ['plan', 0.5],
        ],
        3,
      ),
    );
    expect(swapped.violations.map((v) => v.constraint_check_type)).toEqual([
      'feature_attribution_drift_check',
    ]);
    expect(swapped.comparisons[0]?.ndcg).toBeLessThan(0.9);
  });

  it('hostile responses are counted, not thrown; label_headers name the outputs', () => {
    const c = new OnlineExplanationCollector('mean_abs', ['f0', 'f1']);
    expect(c.addResponse('not json')[0]?.kind).toBe('not_explanation_json');
    expect(c.addResponse('{"explanations": {"kernel_shap": 3}}')[0]?.kind).toBe('not_explanation_json');
    const problems = c.addResponse(
      JSON.stringify({
        label_headers: ['yes', 'no'],
        explanations: {
          kernel_shap: [
            [
              { attributions: [{ attribution: [0.2, -0.2] }] },
              { feature_header: '__proto__', attributions: [{ attribution: ['x', 0.1] }] },
            ],
          ],
        },
      }),
    );
    expect(problems.map((p) => p.kind)).toEqual(['non_numeric_attribution']);
    expect([...c.labels.keys()]).toEqual(['yes', 'no']);
    expect([...(c.labels.get('no')?.globalValues() ?? [])]).toEqual([
      ['f0', 0.2],
      ['__proto__', 0.1],
    ]);
  });
});
