/**
 * A monitor's `driftMode` (issue 14, item 1: "`--drift-mode calibrated`, and the same in the monitors
 * config"): parsed and validated with the monitors config, carried by the execution payload, and applied
 * to the baseline's constraints by `withDriftMode` (one ConfigError naming the baseline's constraints.json
 * and the field when the baseline was not built for calibrated decisions).
 */
import { describe, expect, it } from 'vitest';
import { defaultMonitoringConfig, suggestConstraints } from '../../src/baseline/constraints.js';
import { withDriftMode } from '../../src/baseline/read.js';
import { parseMonitorsConfigText } from '../../src/config/monitors.js';
import { executionFor } from '../../src/jobs/payloads.js';
import { DatasetProfile } from '../../src/metrics/profile/dataset-profile.js';
import { errorOf } from '../support/config-error.js';

const yaml = (extra: string) => `
monitors:
  - name: churn
    endpoint: churn-endpoint
    capture: s3://bucket/capture
    baseline: s3://bucket/baseline/
    output: s3://bucket/reports
    schedule: cron(0 * ? * * *)
${extra}`;

function constraints(mode?: 'sagemaker' | 'calibrated', featureMode?: 'sagemaker' | 'calibrated') {
  const profile = new DatasetProfile(['x', 'c']);
  for (let i = 0; i < 50; i++) profile.addRow([String(i), i % 2 ? 'a' : 'b']);
  const mc = defaultMonitoringConfig();
  if (mode) mc.distribution_constraints.drift_mode = mode;
  const c = suggestConstraints(profile, mc);
  if (featureMode) (c.features[0] as (typeof c.features)[number]).overrides.drift_mode = featureMode;
  return c;
}

describe('monitor driftMode', () => {
  it('is parsed from the monitors config and carried by the execution payload', () => {
    for (const mode of ['calibrated', 'sagemaker'] as const) {
      const [monitor] = parseMonitorsConfigText(yaml(`    driftMode: ${mode}\n`), 'm.yaml').monitors;
      expect(monitor?.driftMode).toBe(mode);
      const { data } = executionFor(monitor!, new Date('2026-03-10T05:00:00Z'), 'schedule');
      expect(data.kind).toBe('data-quality');
      expect(data.execution).toMatchObject({ driftMode: mode });
    }
    const [plain] = parseMonitorsConfigText(yaml(''), 'm.yaml').monitors;
    expect(plain?.driftMode).toBeUndefined();
    expect(
      executionFor(plain!, new Date('2026-03-10T05:00:00Z'), 'schedule').data.execution,
    ).not.toHaveProperty('driftMode');
  });

  it('names the field of a bad value, and refuses it on monitors without a baseline drift check', () => {
    const bad = errorOf(() => parseMonitorsConfigText(yaml('    driftMode: fancy\n'), 'm.yaml'));
    expect(bad.file).toBe('m.yaml');
    expect(bad.field).toBe('monitors[0].driftMode');
    const wrongKind = errorOf(() =>
      parseMonitorsConfigText(
        yaml(
          '    type: model-quality\n    driftMode: calibrated\n    modelQuality: { problemType: Regression, groundTruth: s3://bucket-x/gt/, inferenceAttribute: "0" }\n',
        ),
        'm.yaml',
      ),
    );
    expect(wrongKind.field).toBe('monitors[0].driftMode');
    expect(wrongKind.message).toContain('only a data-quality monitor takes driftMode');
  });
});

describe('withDriftMode', () => {
  const uri = 's3://bucket/baseline/constraints.json';

  it('leaves the constraints as they are without a monitor driftMode', () => {
    const c = constraints('calibrated');
    expect(withDriftMode(c, undefined, uri)).toBe(c);
  });

  it('calibrated: replaces the global switch of a baseline that asks for calibration; overrides win', () => {
    const c = constraints('sagemaker', 'calibrated');
    const out = withDriftMode(c, 'calibrated', uri);
    expect(out.monitoring_config.distribution_constraints.drift_mode).toBe('calibrated');
    expect(c.monitoring_config.distribution_constraints.drift_mode).toBe('sagemaker');
    const own = constraints('calibrated', 'sagemaker');
    expect(withDriftMode(own, 'calibrated', uri).features[0]?.overrides.drift_mode).toBe('sagemaker');
  });

  it('calibrated: refuses a baseline not built for it, naming its constraints.json and the field', () => {
    for (const c of [constraints(), constraints('sagemaker')]) {
      const error = errorOf(() => withDriftMode(c, 'calibrated', uri));
      expect(error.file).toBe(uri);
      expect(error.field).toBe('monitoring_config.distribution_constraints.drift_mode');
      expect(error.message).toContain('driftMode calibrated');
      expect(error.message).toContain('driftwatch baseline --drift-mode calibrated');
    }
  });

  it('sagemaker: SageMaker’s rule for every feature, per-feature calibrated overrides included', () => {
    const c = constraints('calibrated', 'calibrated');
    const out = withDriftMode(c, 'sagemaker', uri);
    expect(out.monitoring_config.distribution_constraints.drift_mode).toBe('sagemaker');
    expect(out.features.map((f) => f.overrides.drift_mode ?? 'sagemaker')).toEqual([
      'sagemaker',
      'sagemaker',
    ]);
    expect(c.features[0]?.overrides.drift_mode).toBe('calibrated');
  });
});
