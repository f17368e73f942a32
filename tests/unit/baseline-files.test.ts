import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConstraints, renderConstraints, suggestConstraints } from '../../src/baseline/constraints.js';
import { javaDouble, toJackson } from '../../src/baseline/jackson.js';
import {
  kllBuckets,
  parseStatistics,
  renderStatistics,
  sketchOf,
  statisticsFromProfile,
} from '../../src/baseline/statistics.js';
import { ConfigError } from '../../src/core/errors.js';
import { DatasetProfile } from '../../src/metrics/profile/dataset-profile.js';

const SAMPLES = join(import.meta.dirname, '../../../shared/sagemaker-samples');
const haveSamples = existsSync(SAMPLES);
if (!haveSamples)
  console.warn(`notice: ${SAMPLES} not found; the SageMaker sample checks in this file do nothing`);

// The spec's examples (sagemaker-compat.md §3.1 and §4.1), written out here.
const specStatistics = `{
  "version" : 0.0,
  "dataset" : { "item_count" : 250 },
  "features" : [ {
    "name" : "tenure_months", "inferred_type" : "Integral",
    "numerical_statistics" : {
      "common" : { "num_present" : 248, "num_missing" : 2 },
      "mean" : 20.5, "sum" : 5084.0, "std_dev" : 11.93, "min" : 1.0, "max" : 48.0,
      "distribution" : { "kll" : {
        "buckets" : [ { "lower_bound" : 1.0, "upper_bound" : 5.7, "count" : 31.0 }, { "lower_bound" : 5.7, "upper_bound" : 10.4, "count" : 22.0 } ],
        "sketch" : { "parameters" : { "c" : 0.64, "k" : 2048.0 }, "data" : [ [ 12.0, 3.0, 47.0, 20.0 ] ] } } }
    }
  }, {
    "name" : "plan", "inferred_type" : "String",
    "string_statistics" : {
      "common" : { "num_present" : 250, "num_missing" : 0 },
      "distinct_count" : 3.0,
      "distribution" : { "categorical" : { "buckets" : [ { "value" : "gold", "count" : 40 }, { "value" : "silver", "count" : 95 }, { "value" : "basic", "count" : 115 } ] } }
    }
  } ]
}`;

const specConstraints = `{
  "version" : 0.0,
  "features" : [ { "name" : "tenure_months", "inferred_type" : "Integral", "completeness" : 0.992, "num_constraints" : { "is_non_negative" : true } },
    { "name" : "plan", "inferred_type" : "String", "completeness" : 1.0, "string_constraints" : { "domains" : [ "basic", "silver", "gold" ] }, "monitoringConfigOverrides" : { } } ],
  "monitoring_config" : { "evaluate_constraints" : "Enabled", "emit_metrics" : "Enabled", "datatype_check_threshold" : 1.0, "domain_content_threshold" : 1.0,
    "distribution_constraints" : { "perform_comparison" : "Enabled", "comparison_threshold" : 0.1, "comparison_method" : "Robust", "categorical_comparison_threshold" : 0.1, "categorical_drift_method" : "LInfinity" } }
}`;

describe('statistics.json and constraints.json', () => {
  it('round-trips the spec examples', () => {
    const stats = parseStatistics(specStatistics, 'spec-statistics.json');
    expect(parseStatistics(renderStatistics(stats), 'again')).toEqual(stats);
    expect(stats.features[1]!.string_statistics!.distribution!.categorical.buckets).toHaveLength(3);
    const constraints = parseConstraints(specConstraints, 'spec-constraints.json');
    expect(parseConstraints(renderConstraints(constraints), 'again')).toEqual(constraints);
    expect(constraints.features[1]!.string_constraints!.domains).toEqual(['basic', 'silver', 'gold']);
  });

  it('writes Jackson style: "key" : value, doubles with a fraction, [ { for arrays of objects', () => {
    const profile = new DatasetProfile(['x', 'plan']);
    for (let i = 0; i < 100; i++) profile.addRow([String(i % 7), i % 3 === 0 ? 'a' : 'b']);
    const text = renderStatistics(statisticsFromProfile(profile));
    expect(text).toContain('"version" : 0.0');
    expect(text).toContain('"features" : [ {');
    expect(text).toContain('"sum" : 295.0');
    expect(text).toContain('"parameters" : {\n');
    expect(text).toMatch(/"count" : \d+\.0/);
    expect(javaDouble(1e-5)).toBe('1.0E-5');
    expect(javaDouble(12345678.5)).toBe('1.23456785E7');
    expect(javaDouble(0.8330066026148891)).toBe('0.8330066026148891');
    expect(toJackson({ a: [], b: {} })).toBe('{\n  "a" : [ ],\n  "b" : { }\n}\n');
  });

  it('names the file and the field of a bad value', () => {
    const bad = specStatistics.replace('"num_present" : 248', '"num_present" : "many"');
    expect(() => parseStatistics(bad, 's3://b/base/statistics.json')).toThrowError(
      /s3:\/\/b\/base\/statistics.json: features\[0\].numerical_statistics.common.num_present: expected a number, got "many"/,
    );
    expect(() => parseStatistics('{"dataset":', 'f.json')).toThrowError(ConfigError);
    // A sketch value is checked like any other number, its field named only when it fails.
    for (const [value, got] of [
      ['"3.0"', '"3.0"'],
      ['null', 'null'],
    ]) {
      const badSketch = specStatistics.replace('[ 12.0, 3.0, 47.0', `[ 12.0, ${value}, 47.0`);
      expect(() => parseStatistics(badSketch, 'f.json')).toThrowError(
        `f.json: features[0].numerical_statistics.distribution.kll.sketch.data[0][1]: expected a number, got ${got}`,
      );
    }
    expect(() =>
      parseStatistics(specStatistics.replace('"data" : [ [', '"data" : [ 7, ['), 'f.json'),
    ).toThrowError(
      'features[0].numerical_statistics.distribution.kll.sketch.data[0]: expected an array, got 7',
    );
    const badType = specConstraints.replace('"inferred_type" : "String"', '"inferred_type" : "Text"');
    expect(() => parseConstraints(badType, 'c.json')).toThrowError(
      /c.json: features\[1\].inferred_type: expected one of Integral, Fractional, String, Unknown/,
    );
    const badMethod = specConstraints.replace(
      '"comparison_method" : "Robust"',
      '"comparison_method" : "Fuzzy"',
    );
    expect(() => parseConstraints(badMethod, 'c.json')).toThrowError(
      /monitoring_config.distribution_constraints.comparison_method/,
    );
  });

  it('reads overrides from all three places and the legacy distribution keys', () => {
    const text = JSON.stringify({
      version: 0,
      features: [
        {
          name: 'a',
          inferred_type: 'String',
          monitoringConfigOverrides: { evaluate_constraints: 'Disabled' },
        },
        {
          name: 'b',
          inferred_type: 'String',
          string_constraints: { domains: ['x'], monitoring_config_overrides: { emit_metrics: 'Disabled' } },
        },
        {
          name: 'c',
          inferred_type: 'Integral',
          num_constraints: {
            is_non_negative: true,
            monitoring_config_overrides: { comparison_threshold: 0.3 },
          },
        },
      ],
      monitoring_config: {
        distribution_constraints: {
          enable_comparisons: false,
          min_domain_mass: 1.0,
          comparison_threshold: 0.2,
        },
        unknown_key: 1,
      },
    });
    const c = parseConstraints(text, 'legacy.json');
    expect(c.features.map((f) => f.overrides)).toEqual([
      { evaluate_constraints: 'Disabled' },
      { emit_metrics: 'Disabled' },
      { comparison_threshold: 0.3 },
    ]);
    expect(c.monitoring_config.distribution_constraints.perform_comparison).toBe('Disabled');
    expect(c.monitoring_config.distribution_constraints.comparison_threshold).toBe(0.2);
    expect(c.monitoring_config.distribution_constraints.categorical_comparison_threshold).toBe(0.2);
    expect(c.monitoring_config.datatype_check_threshold).toBe(1.0);
  });

  it('suggests constraints like Deequ: completeness, is_non_negative, domains for low-cardinality strings', () => {
    const profile = new DatasetProfile(['n', 'neg', 'cat', 'ids', 'empty']);
    for (let i = 0; i < 200; i++)
      profile.addRow([
        i % 10 === 0 ? null : String(i),
        String(i - 5),
        ['a', 'b', 'c'][i % 3],
        `id-${i}`,
        null,
      ]);
    const c = suggestConstraints(profile);
    const byName = new Map(c.features.map((f) => [f.name, f]));
    expect(byName.get('n')!.completeness).toBeCloseTo(0.9, 12);
    expect(byName.get('n')!.num_constraints).toEqual({ is_non_negative: true });
    expect(byName.get('neg')!.num_constraints).toEqual({ is_non_negative: false });
    expect(byName.get('cat')!.string_constraints).toEqual({ domains: ['a', 'b', 'c'] });
    expect(byName.get('ids')!.string_constraints).toBeUndefined();
    expect(byName.get('empty')!.inferred_type).toBe('Unknown');
    expect(byName.get('empty')!.completeness).toBe(0);
  });

  it('computes the 10 KLL buckets with the spec formula (min == max: all in the last bucket)', () => {
    const profile = new DatasetProfile(['same']);
    for (let i = 0; i < 10; i++) profile.addRow(['4']);
    const f = statisticsFromProfile(profile).features[0]!;
    const buckets = f.numerical_statistics!.distribution!.kll.buckets;
    expect(buckets.map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 10]);
  });
});

describe('SageMaker-written files (../shared/sagemaker-samples)', () => {
  const data = join(SAMPLES, 'sagemaker-python-sdk/tests/data');
  it('reads the real data-quality statistics and reproduces its KLL buckets from its sketch', () => {
    if (!haveSamples) return;
    const file = join(data, 'pipeline/quality_check_step/data_quality/statistics.json');
    const stats = parseStatistics(readFileSync(file, 'utf8'), file);
    expect(stats.dataset.item_count).toBe(100);
    expect(stats.features).toHaveLength(6);
    for (const f of stats.features) {
      const n = f.numerical_statistics!;
      const sketch = sketchOf(f)!;
      expect(sketch.count).toBe(100);
      const ours = kllBuckets(sketch, n.min, n.max);
      expect(ours.map((b) => b.count)).toEqual(n.distribution!.kll.buckets.map((b) => b.count));
      for (const [i, b] of ours.entries()) {
        expect(b.upper_bound).toBeCloseTo(n.distribution!.kll.buckets[i]!.upper_bound, 12);
      }
    }
  });

  it('reads the real and hand-written constraints, statistics and violations shapes', () => {
    if (!haveSamples) return;
    for (const rel of [
      'pipeline/quality_check_step/data_quality/good_cases/constraints.json',
      'pipeline/quality_check_step/data_quality/bad_cases/constraints.json',
      'monitor/constraints.json',
    ]) {
      const c = parseConstraints(readFileSync(join(data, rel), 'utf8'), rel);
      expect(c.features.length).toBeGreaterThan(0);
    }
    const legacy = parseConstraints(
      readFileSync(join(data, 'monitor/constraints.json'), 'utf8'),
      'monitor/constraints.json',
    );
    expect(legacy.features[0]!.overrides).toEqual({
      evaluate_constraints: 'Enabled',
      emit_metrics: 'Enabled',
    });
    const analyzer = join(
      SAMPLES,
      'amazon-sagemaker-examples/sagemaker_model_monitor/introduction/baseline_constraints_from_analyzer_log.json',
    );
    expect(parseConstraints(readFileSync(analyzer, 'utf8'), analyzer).features).toHaveLength(70);
    const s = parseStatistics(
      readFileSync(join(data, 'monitor/statistics.json'), 'utf8'),
      'monitor/statistics.json',
    );
    expect(s.features[0]!.string_statistics!.distribution!.categorical.buckets[0]!.count).toBe(418);
  });

  it('builds the same statistics as SageMaker from its own baseline dataset', () => {
    if (!haveSamples) return;
    const dir = join(data, 'pipeline/quality_check_step/data_quality');
    const real = parseStatistics(readFileSync(join(dir, 'statistics.json'), 'utf8'), 'statistics.json');
    const rows = readFileSync(join(dir, 'baseline_dataset.csv'), 'utf8').trim().split('\n');
    const profile = new DatasetProfile(rows[0]!.split(',').map((_, i) => `_c${i}`));
    for (const r of rows) profile.addRow(r.split(','));
    const ours = statisticsFromProfile(profile);
    expect(ours.dataset.item_count).toBe(real.dataset.item_count);
    ours.features.forEach((f, i) => {
      const r = real.features[i]!;
      expect(f.name).toBe(r.name);
      expect(f.inferred_type).toBe(r.inferred_type);
      const a = f.numerical_statistics!;
      const b = r.numerical_statistics!;
      for (const key of ['mean', 'sum', 'std_dev', 'min', 'max'] as const)
        expect(a[key]).toBeCloseTo(b[key], 9);
      expect(a.distribution!.kll.buckets.map((x) => x.count)).toEqual(
        b.distribution!.kll.buckets.map((x) => x.count),
      );
      expect(a.distribution!.kll.sketch.data).toEqual(b.distribution!.kll.sketch.data);
    });
  });
});
