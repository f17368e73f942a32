/**
 * Model-quality baseline files: statistics/constraints/violations writers and readers, the baseline
 * builder, and SageMaker's own model-quality files (../shared, when present).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelQualityBaseline } from '../../src/baseline/model-quality.js';
import {
  parseCalibration,
  parseModelQualityConstraints,
  renderModelQualityConstraints,
  renderModelQualityStatistics,
} from '../../src/baseline/model-quality-files.js';
import { LocalStorage } from '../../src/io/local-storage.js';
import { checkModelQualityConstraints } from '../../src/metrics/quality/checks.js';
import { computeModelQualityMetrics } from '../../src/metrics/quality/statistics.js';
import { renderModelQualityViolations } from '../../src/report/execution-files.js';
import { errorOf } from '../support/config-error.js';
import { TestRandom } from './drift/random.js';

const SAMPLES = join(
  import.meta.dirname,
  '../../../shared/sagemaker-samples/sagemaker-python-sdk/tests/data',
);
const haveSamples = existsSync(SAMPLES);
if (!haveSamples)
  console.warn(`notice: ${SAMPLES} not found; the SageMaker model-quality file checks do nothing`);

describe('model-quality statistics.json', () => {
  it('writes the SageMaker shape in Jackson style, NaN as the string "NaN"', () => {
    const predicted = Float64Array.from([1, 2, 3.5]);
    const actual = Float64Array.from([1, 2.5, 3]);
    const text = renderModelQualityStatistics(
      computeModelQualityMetrics({ problemType: 'Regression', predicted, actual }),
    );
    expect(text).toContain('"version" : 0.0');
    expect(text).toContain('"item_count" : 3');
    expect(text).toContain('"standard_deviation" : "NaN"');
    const doc = JSON.parse(text);
    expect(Object.keys(doc)).toEqual(['version', 'dataset', 'regression_metrics']);
    expect(Object.keys(doc.regression_metrics)).toEqual(['mae', 'mse', 'rmse', 'r2']);
    expect(doc.regression_metrics.mae).toEqual({ value: 1 / 3, standard_deviation: 'NaN' });
  });

  it('writes binary confusion counts as integers, keyed actual → predicted, and curves as arrays', () => {
    const m = computeModelQualityMetrics({
      problemType: 'BinaryClassification',
      actual: Uint8Array.from([0, 1, 0, 0]),
      predicted: Uint8Array.from([1, 1, 0, 1]),
      scores: Float64Array.from([0.6, 0.9, 0.2, 0.7]),
      negativeLabel: '0',
      positiveLabel: '1',
    });
    const text = renderModelQualityStatistics(m);
    expect(text).toContain(
      '"confusion_matrix" : {\n      "0" : {\n        "0" : 1,\n        "1" : 2\n      },\n      "1" : {\n        "0" : 0,\n        "1" : 1',
    );
    const doc = JSON.parse(text).binary_classification_metrics;
    expect(doc.receiver_operating_characteristic_curve.false_positive_rates[0]).toBe(0);
    expect(doc.precision_recall_curve.recalls[0]).toBe(0);
    expect(doc.auc.value).toBe(1);
    expect(doc.recall_best_constant_classifier.value).toBe(1);
  });
});

describe('model-quality constraints.json and violations', () => {
  it('round-trips constraints and reads every comparison operator', () => {
    const constraints = new Map([
      ['f1', { threshold: 0.75, comparison_operator: 'LessThanThreshold' as const }],
      [
        'false_positive_rate',
        { threshold: 0.1, comparison_operator: 'GreaterThanOrEqualToThreshold' as const },
      ],
    ]);
    const text = renderModelQualityConstraints('BinaryClassification', constraints);
    expect(text).toContain('"binary_classification_constraints" : {');
    const parsed = parseModelQualityConstraints(text, 'c.json');
    expect(parsed.problemType).toBe('BinaryClassification');
    expect(parsed.constraints).toEqual(constraints);
  });

  it('names the file and the field of a bad constraints file', () => {
    expect(errorOf(() => parseModelQualityConstraints('{', 'c.json')).message).toMatch(/^c\.json: not JSON/);
    expect(errorOf(() => parseModelQualityConstraints('{"version":0}', 'c.json')).field).toBe('(root)');
    expect(
      errorOf(() =>
        parseModelQualityConstraints(
          '{"regression_constraints":{},"binary_classification_constraints":{}}',
          'c.json',
        ),
      ).field,
    ).toBe('(root)');
    const badOp = errorOf(() =>
      parseModelQualityConstraints(
        '{"regression_constraints":{"mae":{"threshold":1,"comparison_operator":"Above"}}}',
        'c.json',
      ),
    );
    expect(badOp.field).toBe('regression_constraints.mae.comparison_operator');
    const noThreshold = errorOf(() =>
      parseModelQualityConstraints(
        '{"regression_constraints":{"mae":{"comparison_operator":"GreaterThanThreshold"}}}',
        'c.json',
      ),
    );
    expect(noThreshold.field).toBe('regression_constraints.mae.threshold');
  });

  it('writes violations with the metric name and the template description', () => {
    const text = renderModelQualityViolations([
      {
        constraint_check_type: 'LessThanThreshold',
        description: 'Metric f1 with 0.71 was LessThanThreshold 0.75',
        metric_name: 'f1',
      },
    ]);
    expect(JSON.parse(text)).toEqual({
      violations: [
        {
          constraint_check_type: 'LessThanThreshold',
          description: 'Metric f1 with 0.71 was LessThanThreshold 0.75',
          metric_name: 'f1',
        },
      ],
    });
    expect(JSON.parse(renderModelQualityViolations([]))).toEqual({ violations: [] });
  });

  it('rejects a calibration that is not monotone', () => {
    const good = {
      version: 1,
      method: 'isotonic',
      problem_type: 'BinaryClassification',
      item_count: 3,
      probability_threshold: 0.5,
      positive_label: '1',
      negative_label: '0',
      xs: [0.1, 0.5],
      ys: [0.2, 0.6],
    };
    expect(parseCalibration(JSON.stringify(good), 'cal.json').xs).toEqual([0.1, 0.5]);
    expect(
      errorOf(() => parseCalibration(JSON.stringify({ ...good, ys: [0.6, 0.2] }), 'cal.json')).field,
    ).toBe('xs[1]');
    expect(
      errorOf(() => parseCalibration(JSON.stringify({ ...good, ys: [0.6, 1.2] }), 'cal.json')).field,
    ).toBe('ys[1]');
  });
});

describe('buildModelQualityBaseline', () => {
  let dir: string;
  const storage = new LocalStorage();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dw-mqb-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds a multiclass baseline from JSON Lines, counting unusable rows', async () => {
    const rows = [
      { y: 'cat', yhat: 'cat' },
      { y: 'dog', yhat: 'cat' },
      { y: 'dog', yhat: 'dog' },
      { y: null, yhat: 'dog' },
      { y: 'bird', yhat: 'bird' },
      { yhat: 'bird' },
    ];
    await writeFile(join(dir, 'v.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const result = await buildModelQualityBaseline(storage, {
      dataset: join(dir, 'v.jsonl'),
      out: join(dir, 'mc'),
      problemType: 'MulticlassClassification',
      groundTruthAttribute: 'y',
      inferenceAttribute: 'yhat',
    });
    expect(result.metrics.itemCount).toBe(4);
    expect(result.issues.toJSON().counts).toEqual({ missing_label: 2 });
    expect(result.metrics.scalars.get('accuracy')).toBe(0.75);
    expect(result.calibrationUri).toBeUndefined();
    const constraints = parseModelQualityConstraints(
      await storage.readText(join(dir, 'mc', 'constraints.json')),
      'c',
    );
    expect([...constraints.constraints.keys()]).toEqual([
      'accuracy',
      'weighted_recall',
      'weighted_precision',
      'weighted_f0_5',
      'weighted_f1',
      'weighted_f2',
    ]);
  });

  it('names a missing column', async () => {
    await writeFile(join(dir, 'r.csv'), 'a,b\n1,2\n');
    await expect(
      buildModelQualityBaseline(storage, {
        dataset: join(dir, 'r.csv'),
        out: join(dir, 'r'),
        problemType: 'Regression',
        groundTruthAttribute: 'label',
        inferenceAttribute: 'b',
      }),
    ).rejects.toThrow(/no column "label"/);
  });

  it('reproduces SageMaker’s regression baseline of the SDK sample (statistics and constraints)', async () => {
    if (!haveSamples) return;
    const base = join(SAMPLES, 'pipeline/quality_check_step/model_quality');
    const result = await buildModelQualityBaseline(storage, {
      dataset: join(base, 'baseline_dataset.csv'),
      out: join(dir, 'sdk'),
      problemType: 'Regression',
      // As the SDK's own test configures it (test_quality_check_steps.py): the columns are swapped, which
      // is how the textbook r2 (SS_tot over the actuals) reproduces the sample's r2 of −3.2088.
      groundTruthAttribute: 'Prediction',
      inferenceAttribute: 'Label',
    });
    const ours = JSON.parse(await storage.readText(join(dir, 'sdk', 'statistics.json')));
    const theirs = JSON.parse(readFileSync(join(base, 'statistics.json'), 'utf8'));
    expect(ours.dataset.item_count).toBe(theirs.dataset.item_count);
    for (const k of ['mae', 'mse', 'rmse', 'r2']) {
      expect(ours.regression_metrics[k].value).toBeCloseTo(theirs.regression_metrics[k].value, 12);
      expect(ours.regression_metrics[k].standard_deviation).toBe('NaN'); // 100 rows < 200
    }
    const ourConstraints = parseModelQualityConstraints(
      await storage.readText(join(dir, 'sdk', 'constraints.json')),
      'ours',
    );
    const theirConstraints = parseModelQualityConstraints(
      readFileSync(join(base, 'good_cases/constraints.json'), 'utf8'),
      'theirs',
    );
    for (const [name, c] of theirConstraints.constraints) {
      expect(ourConstraints.constraints.get(name)?.comparison_operator).toBe(c.comparison_operator);
      expect(ourConstraints.constraints.get(name)?.threshold).toBeCloseTo(c.threshold, 12);
    }
    // The SDK's "bad case" lowers the mse threshold so that the check fails.
    const bad = parseModelQualityConstraints(
      readFileSync(join(base, 'bad_cases/constraints.json'), 'utf8'),
      'bad',
    );
    expect(
      checkModelQualityConstraints(result.metrics.scalars, bad.constraints).violations.map(
        (v) => v.metric_name,
      ),
    ).toEqual(['mse']);
    expect(
      checkModelQualityConstraints(result.metrics.scalars, theirConstraints.constraints).violations,
    ).toEqual([]);
  });

  it('reads the model-card sample statistics shape (numbers or "NaN" deviations)', () => {
    if (!haveSamples) return;
    const doc = JSON.parse(
      readFileSync(
        join(SAMPLES, 'model_card/evaluation_metrics/model_monitor_model_quality_regression.json'),
        'utf8',
      ),
    );
    expect(Object.keys(doc.regression_metrics)).toEqual(['mae', 'mse', 'rmse', 'r2']);
    const binary = JSON.parse(
      readFileSync(
        join(SAMPLES, 'model_card/evaluation_metrics/model_monitor_model_quality_binary_classification.json'),
        'utf8',
      ),
    );
    const ours = computeModelQualityMetrics({
      problemType: 'BinaryClassification',
      actual: Uint8Array.from([0, 1, 0, 0]),
      predicted: Uint8Array.from([1, 1, 0, 1]),
      negativeLabel: '0',
      positiveLabel: '1',
    });
    // Every metric name of the sample is one we write, and the counts-derived values agree.
    for (const key of Object.keys(binary.binary_classification_metrics))
      expect(Object.keys(ours.section)).toContain(key);
    for (const key of [
      'accuracy',
      'precision',
      'recall',
      'f0_5',
      'f2',
      'false_positive_rate',
      'f1_best_constant_classifier',
      'f2_best_constant_classifier',
    ]) {
      expect(ours.scalars.get(key)).toBeCloseTo(binary.binary_classification_metrics[key].value, 12);
    }
  });
});

describe('suggested model-quality constraints with a margin (issue 12)', () => {
  // Regression on seeded data: actual ~ N(0, 1), predicted = actual + N(0, 0.5).
  const draw = (rng: TestRandom, n: number) => {
    const actual = new Float64Array(n);
    const predicted = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      actual[i] = rng.normal();
      predicted[i] = (actual[i] as number) + 0.5 * rng.normal();
    }
    return { actual, predicted };
  };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dw-mq-margin-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("SageMaker's rule fires on about half of healthy windows; the margin at the stated alarm rate rarely", async () => {
    const base = draw(new TestRandom(7), 4000);
    const lines = ['label,prediction'];
    for (let i = 0; i < base.actual.length; i++) lines.push(`${base.actual[i]},${base.predicted[i]}`);
    await writeFile(join(dir, 'val.csv'), `${lines.join('\n')}\n`);
    const storage = new LocalStorage();
    const options = {
      dataset: join(dir, 'val.csv'),
      problemType: 'Regression' as const,
      groundTruthAttribute: 'label',
      inferenceAttribute: 'prediction',
    };
    const plain = await buildModelQualityBaseline(storage, { ...options, out: join(dir, 'plain') });
    const margin = await buildModelQualityBaseline(storage, {
      ...options,
      out: join(dir, 'margin'),
      constraintMargin: { windowSize: 400, alarmRate: 0.05 },
    });
    // Default unchanged: every threshold is the baseline value.
    for (const [name, c] of plain.constraints) expect(c.threshold).toBe(plain.metrics.scalars.get(name));
    const mae = plain.metrics.scalars.get('mae') as number;
    expect(margin.constraints.get('mae')?.threshold).toBeGreaterThan(mae);
    expect(margin.constraints.get('r2')?.threshold).toBeLessThan(plain.metrics.scalars.get('r2') as number);
    // And it is what constraints.json says.
    const written = parseModelQualityConstraints(
      readFileSync(join(dir, 'margin', 'constraints.json'), 'utf8'),
      'constraints.json',
    );
    expect(written.constraints.get('mae')?.threshold).toBeCloseTo(
      margin.constraints.get('mae')?.threshold as number,
      9,
    );

    // 300 healthy windows of the expected size from the same process.
    const rng = new TestRandom(99);
    const rate = { plain: new Map<string, number>(), margin: new Map<string, number>() };
    const windows = 300;
    for (let w = 0; w < windows; w++) {
      const window = computeModelQualityMetrics({ problemType: 'Regression', ...draw(rng, 400) });
      for (const [which, constraints] of [
        ['plain', plain.constraints],
        ['margin', margin.constraints],
      ] as const) {
        for (const v of checkModelQualityConstraints(window.scalars, constraints).violations)
          rate[which].set(v.metric_name, (rate[which].get(v.metric_name) ?? 0) + 1 / windows);
      }
    }
    for (const metric of ['mae', 'rmse', 'mse']) {
      expect(rate.plain.get(metric), metric).toBeGreaterThan(0.2);
      expect(rate.margin.get(metric) ?? 0, metric).toBeLessThan(0.12);
    }
  });
});
