import { describe, expect, it } from 'vitest';
import { suggestConstraints } from '../../src/baseline/constraints.js';
import { statisticsFromProfile } from '../../src/baseline/statistics.js';
import { evaluateDataQuality } from '../../src/checks/data-quality.js';
import { DEMO_COLUMNS, rowGenerator } from '../../src/demo/traffic.js';
import { linfinityNumeric } from '../../src/metrics/drift/linf.js';
import { weightedSampleFromValues } from '../../src/metrics/drift/sample.js';
import { DatasetProfile } from '../../src/metrics/profile/dataset-profile.js';

function profileOf(
  rows: number,
  seed: number,
  drift?: Parameters<ReturnType<typeof rowGenerator>>[0],
): DatasetProfile {
  const next = rowGenerator(seed);
  const p = new DatasetProfile(DEMO_COLUMNS);
  for (let i = 0; i < rows; i++) p.addRow(next(drift));
  return p;
}

const baselineProfile = profileOf(50_000, 1);
const baseline = statisticsFromProfile(baselineProfile);
const constraints = suggestConstraints(baselineProfile);

function check(current: DatasetProfile, c = constraints) {
  return evaluateDataQuality({ baseline, constraints: c, current });
}

describe('data-quality checks (spec §5)', () => {
  it('flags exactly the drifted features with baseline_drift_check', () => {
    const current = profileOf(5_000, 9, {
      numericShift: { income: 0.6, support_calls: 0.8 },
      categorical: { device: { ios: 0.2, android: 0.3, web: 0.5 } },
    });
    const drifted = check(current)
      .violations.filter((v) => v.constraint_check_type === 'baseline_drift_check')
      .map((v) => v.feature_name)
      .sort();
    // The prediction depends on income, so it moves too.
    expect(drifted).toEqual(['device', 'income', 'prediction', 'support_calls']);
  });

  it.each([100, 10_000, 1_000_000])('raises nothing on a no-drift window of %i records (Robust)', (n) => {
    const result = check(profileOf(n, 100 + n));
    expect(result.violations).toEqual([]);
    expect(result.features.filter((f) => f.drift?.decided).length).toBeGreaterThan(0);
  });

  it('matches the L-infinity distance computed on the raw values, within the KLL error bound', () => {
    const base = rowGenerator(1);
    const cur = rowGenerator(77);
    const incomeIndex = DEMO_COLUMNS.indexOf('income');
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 50_000; i++) a.push(Number(base()[incomeIndex]));
    const current = new DatasetProfile(DEMO_COLUMNS);
    for (let i = 0; i < 20_000; i++) {
      const row = cur({ numericShift: { income: 0.3 } });
      b.push(Number(row[incomeIndex]));
      current.addRow(row);
    }
    const exact = linfinityNumeric(weightedSampleFromValues(a), weightedSampleFromValues(b), 'Simple');
    const ours = check(current).features.find((f) => f.name === 'income')!.drift!;
    const bound =
      baselineProfile.column('income')!.kll.rankErrorBound() + current.column('income')!.kll.rankErrorBound();
    expect(Math.abs(ours.simple! - exact.distance)).toBeLessThanOrEqual(bound);
    expect(exact.distance).toBeGreaterThan(0.05);
  });

  it('fires data_type, completeness, categorical_values, missing and extra column checks', () => {
    const current = new DatasetProfile(DEMO_COLUMNS);
    const next = rowGenerator(5);
    for (let i = 0; i < 1000; i++) {
      const row: Array<string | null> = next();
      if (i % 10 === 0) row[DEMO_COLUMNS.indexOf('age')] = 'forty'; // 90% Integral
      if (i % 4 === 0) row[DEMO_COLUMNS.indexOf('income')] = null; // 75% complete
      if (i % 2 === 0) row[DEMO_COLUMNS.indexOf('plan')] = 'platinum'; // half outside the domain
      row[DEMO_COLUMNS.indexOf('device')] = null; // the column is gone
      current.addRow(row);
    }
    current.column('age');
    const extra = current.columnIndex('_c10');
    const row: string[] = [];
    row[extra] = 'surprise';
    current.addRow(row);
    const types = check(current).violations.map((v) => `${v.constraint_check_type}:${v.feature_name}`);
    expect(types).toContain('data_type_check:age');
    expect(types).toContain('completeness_check:income');
    expect(types).toContain('categorical_values_check:plan');
    expect(types).toContain('missing_column_check:device');
    expect(types).toContain('extra_column_check:_c10');
    expect(types).not.toContain('completeness_check:device');
    const dt = check(current).violations.find((v) => v.constraint_check_type === 'data_type_check')!;
    expect(dt.description).toMatch(
      /^Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. Observed: Only 90(\.\d+)?% of data is Integral.$/,
    );
  });

  it('honours evaluate_constraints overrides, perform_comparison and Simple vs Robust', () => {
    const current = profileOf(400, 3, { numericShift: { income: 0.35 } });
    const simple = structuredClone(constraints);
    simple.monitoring_config.distribution_constraints.comparison_method = 'Simple';
    const robustDrift = check(current).features.find((f) => f.name === 'income')!.drift!;
    const simpleDrift = check(current, simple).features.find((f) => f.name === 'income')!.drift!;
    expect(simpleDrift.distance).toBeGreaterThan(robustDrift.distance);
    const off = structuredClone(simple);
    off.features.find((f) => f.name === 'income')!.overrides = { evaluate_constraints: 'Disabled' };
    expect(check(current, off).violations.some((v) => v.feature_name === 'income')).toBe(false);
    const noCompare = structuredClone(simple);
    noCompare.monitoring_config.distribution_constraints.perform_comparison = 'Disabled';
    expect(
      check(current, noCompare).violations.some((v) => v.constraint_check_type === 'baseline_drift_check'),
    ).toBe(false);
  });

  it('uses the chi-squared p-value when categorical_drift_method is ChiSquared', () => {
    const chi = structuredClone(constraints);
    chi.monitoring_config.distribution_constraints.categorical_drift_method = 'ChiSquared';
    chi.monitoring_config.distribution_constraints.categorical_comparison_threshold = 0.01;
    const drifted = profileOf(3000, 4, {
      categorical: { region: { north: 0.4, south: 0.2, east: 0.2, west: 0.2 } },
    });
    const region = check(drifted, chi).features.find((f) => f.name === 'region')!.drift!;
    expect(region.method).toBe('ChiSquared');
    expect(region.pValue!).toBeLessThan(1e-6);
    expect(check(drifted, chi).violations.some((v) => v.feature_name === 'region')).toBe(true);
  });
});

describe('drift_test overrides (driftwatch extension)', () => {
  it('uses the named test of the drift library for that feature, with its threshold', () => {
    const c = structuredClone(constraints);
    c.features.find((f) => f.name === 'income')!.overrides = { drift_test: 'psi', drift_threshold: 0.1 };
    c.features.find((f) => f.name === 'plan')!.overrides = {
      drift_test: 'chi_square',
      drift_threshold: 0.001,
    };
    const shifted = check(
      profileOf(5_000, 21, {
        numericShift: { income: 0.5 },
        categorical: { plan: { basic: 0.4, silver: 0.35, gold: 0.25 } },
      }),
      c,
    );
    const income = shifted.features.find((f) => f.name === 'income')!.drift!;
    expect(income.method).toBe('psi');
    expect(income.score).toBe('distance');
    expect(income.distance).toBeGreaterThan(0.1);
    const plan = shifted.features.find((f) => f.name === 'plan')!.drift!;
    expect(plan.score).toBe('p_value');
    expect(plan.pValue!).toBeLessThan(0.001);
    const drifted = shifted.violations
      .filter((v) => v.constraint_check_type === 'baseline_drift_check')
      .map((v) => v.feature_name);
    expect(drifted).toEqual(expect.arrayContaining(['income', 'plan']));
    const quiet = check(profileOf(5_000, 22), c);
    expect(quiet.violations.filter((v) => v.feature_name === 'income' || v.feature_name === 'plan')).toEqual(
      [],
    );
  });

  it('rejects an unknown or misapplied test when the constraints are read, naming the field', async () => {
    const { parseConstraints, renderConstraints } = await import('../../src/baseline/constraints.js');
    const c = structuredClone(constraints);
    c.features.find((f) => f.name === 'plan')!.overrides = { drift_test: 'wasserstein' };
    expect(() => parseConstraints(renderConstraints(c), 'c.json')).toThrowError(
      /c.json: features\[7\].monitoringConfigOverrides.drift_test: drift test 'wasserstein' does not apply to categorical features/,
    );
    c.features.find((f) => f.name === 'plan')!.overrides = { drift_test: 'magic' };
    expect(() => parseConstraints(renderConstraints(c), 'c.json')).toThrowError(
      /unknown drift test 'magic'; known tests: ks, /,
    );
  });
});
