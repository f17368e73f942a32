/** Alarms and CloudWatch dashboards of the Clarify monitor kinds, from their baseline analysis.json. */
import { describe, expect, it } from 'vitest';
import { biasAlarmEntries } from '../../src/alerts/alarm-inputs.js';
import { desiredAlarms, type MonitorAlarmInput } from '../../src/alerts/alarm-specs.js';
import { dashboardBody } from '../../src/alerts/dashboards.js';
import { parseClarifyAnalysis } from '../../src/baseline/clarify-analysis.js';
import { alarmSettingsSchema } from '../../src/config/alarms.js';
import { parseClarifyAnalysisConfig } from '../../src/config/clarify.js';

const analysis = parseClarifyAnalysis(
  JSON.stringify({
    version: '1.0',
    post_training_bias_metrics: {
      label: 'Target',
      label_value_or_threshold: '1',
      facets: {
        age: [
          {
            value_or_threshold: '(40, 80]',
            metrics: [
              {
                name: 'CDDPL',
                description: 'x',
                value: null,
                error: 'Group variable is empty or not provided',
              },
              { name: 'DI', description: 'Disparate Impact (DI)', value: 0.9 },
              { name: 'TE', description: 'Treatment Equality (TE)', value: 'Infinity' },
            ],
          },
        ],
      },
    },
  }),
  'analysis.json',
);
const config = parseClarifyAnalysisConfig(
  JSON.stringify({
    headers: ['Target', 'age'],
    label: 'Target',
    label_values_or_threshold: [1],
    facet: [{ name_or_index: 1, value_or_threshold: [40] }],
  }),
  'analysis_config.json',
);

function input(type: 'bias' | 'attribution', extra: Partial<MonitorAlarmInput>): MonitorAlarmInput {
  return {
    monitorName: 'credit',
    type,
    endpoint: 'ep',
    batch: false,
    scheduleName: 'credit-hourly',
    periodSeconds: 3600,
    reportUri: 's3://b/out/ep/credit-hourly/',
    settings: alarmSettingsSchema.parse({ namePrefix: 'dw' }),
    features: [],
    ...extra,
  };
}

describe('Clarify alarms', () => {
  it('one bias alarm per finite baseline facet metric, on bias_drift_<NAME> with the published dimensions', () => {
    const entries = biasAlarmEntries({ endpoint: 'ep', scheduleName: 'credit-hourly' }, analysis, config);
    // CDDPL is null and TE infinite in the baseline: no alarm can fire on them (|x| > ∞ never holds).
    expect(entries.map((e) => e.subject)).toEqual(['age-40-post-DI']);
    const alarms = desiredAlarms(input('bias', { bias: entries }));
    const bias = alarms.find((a) => a.kind === 'bias');
    expect(bias?.spec).toMatchObject({
      AlarmName: 'dw-credit-bias-age-40-post-DI',
      Namespace: 'aws/sagemaker/Endpoints/bias-metrics',
      MetricName: 'bias_drift_DI',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [
        { Name: 'Endpoint', Value: 'ep' },
        { Name: 'MonitoringSchedule', Value: 'credit-hourly' },
        { Name: 'BiasStage', Value: 'Post-Training' },
        { Name: 'Label', Value: 'Target' },
        { Name: 'LabelValue', Value: '1' },
        { Name: 'Facet', Value: 'age' },
        // The configured threshold, not the interval string (whose upper bound moves with the data).
        { Name: 'FacetValue', Value: '40' },
      ],
    });
    expect(alarms.map((a) => a.kind)).toEqual(['bias', 'stopped-reporting']);
    expect(alarms.find((a) => a.kind === 'stopped-reporting')?.spec.Namespace).toBe(
      'aws/sagemaker/Endpoints/bias-metrics',
    );
    expect(
      dashboardBody(input('bias', { bias: entries }), {
        namePrefix: 'dw',
        region: 'us-east-1',
        alarmArns: [],
      }),
    ).toContain('bias_drift_DI');
  });

  it('one NDCG alarm per label of an attribution monitor', () => {
    const alarms = desiredAlarms(
      input('attribution', { attribution: [{ label: 'label0', threshold: 0.9 }] }),
    );
    expect(alarms.find((a) => a.kind === 'attribution')?.spec).toMatchObject({
      AlarmName: 'dw-credit-attribution-label0',
      Namespace: 'aws/sagemaker/Endpoints/explainability-metrics',
      MetricName: 'attribution_ndcg',
      Statistic: 'Minimum',
      Threshold: 0.9,
      ComparisonOperator: 'LessThanThreshold',
      Dimensions: [
        { Name: 'Endpoint', Value: 'ep' },
        { Name: 'MonitoringSchedule', Value: 'credit-hourly' },
        { Name: 'Label', Value: 'label0' },
      ],
    });
    const body = dashboardBody(input('attribution', { attribution: [{ label: 'label0', threshold: 0.9 }] }), {
      namePrefix: 'dw',
      region: 'us-east-1',
      alarmArns: [],
    });
    expect(body).toContain('Attribution NDCG per label');
  });
});
