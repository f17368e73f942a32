/**
 * Model-quality metrics against the numpy/scipy reference vectors of tests/fixtures/quality/generate.py
 * (formulas written out there; AUC cross-checked with scipy's Mann–Whitney U, PAV with
 * scipy.optimize.isotonic_regression).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/random.js';
import { estimateBinaryPerformance } from '../../src/metrics/quality/cbpe.js';
import {
  checkModelQualityConstraints,
  suggestModelQualityConstraints,
} from '../../src/metrics/quality/checks.js';
import {
  binaryCounts,
  binaryScalarMetrics,
  multiclassConfusion,
  multiclassScalarMetrics,
} from '../../src/metrics/quality/classification.js';
import { binaryCurves, splitSortedScores } from '../../src/metrics/quality/curves.js';
import { fitIsotonicBinary, predictIsotonic } from '../../src/metrics/quality/isotonic.js';
import { regressionMetrics } from '../../src/metrics/quality/regression.js';
import { computeModelQualityMetrics } from '../../src/metrics/quality/statistics.js';
import { drawSubsampleMasks } from '../../src/metrics/quality/subsample-std.js';

type Num = number | 'NaN';
const ref = JSON.parse(readFileSync(new URL('../fixtures/quality/reference.json', import.meta.url), 'utf8'));
const num = (x: Num): number => (x === 'NaN' ? Number.NaN : x);

function expectClose(actual: number, expected: Num, label: string): void {
  const e = num(expected);
  if (Number.isNaN(e)) {
    expect(actual, label).toBeNaN();
    return;
  }
  expect(Math.abs(actual - e), `${label}: ${actual} vs ${e}`).toBeLessThanOrEqual(
    1e-9 * Math.max(1, Math.abs(e)),
  );
}

function expectAllClose(actual: ArrayLike<number>, expected: Num[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expectClose(actual[i] as number, expected[i] as Num, `${label}[${i}]`);
}

describe('seeded subsampling', () => {
  it('replays the same mulberry32 stream as the Python script', () => {
    const rng = mulberry32(42);
    expectAllClose(
      Array.from({ length: 5 }, () => rng()),
      ref.mulberry32_seed42_first5,
      'mulberry32',
    );
  });

  it('draws the same 5 subsamples of floor(0.8 n) records', () => {
    const masks = drawSubsampleMasks(203);
    expect(masks).toHaveLength(5);
    masks.forEach((mask, r) => {
      const picked: number[] = [];
      for (let i = 0; i < mask.length; i++) if (mask[i] === 1) picked.push(i);
      expect(picked).toEqual(ref.subsample_masks_n203[r]);
      expect(picked).toHaveLength(162);
    });
  });

  it('draws no subsample below 200 records', () => {
    expect(drawSubsampleMasks(199)).toEqual([]);
    expect(drawSubsampleMasks(200)).toHaveLength(5);
  });
});

describe('regression metrics', () => {
  for (const c of ref.regression) {
    it(`matches numpy on ${c.name}`, () => {
      const predicted = Float64Array.from(c.predicted);
      const actual = Float64Array.from(c.actual);
      const values = regressionMetrics(predicted, actual);
      for (const k of ['mae', 'mse', 'rmse', 'r2'] as const) expectClose(values[k], c.values[k], k);
      const stats = computeModelQualityMetrics({ problemType: 'Regression', predicted, actual });
      expect(stats.itemCount).toBe(c.actual.length);
      for (const k of ['mae', 'mse', 'rmse', 'r2']) {
        const m = stats.section[k] as { value: number; standard_deviation: number };
        expectClose(m.value, c.values[k], `${k}.value`);
        expectClose(m.standard_deviation, c.stds[k], `${k}.standard_deviation`);
      }
    });
  }

  it('gives NaN for no records', () => {
    expect(regressionMetrics(new Float64Array(0), new Float64Array(0)).mae).toBeNaN();
  });
});

describe('binary classification metrics', () => {
  for (const c of ref.binary) {
    it(`matches numpy/scipy on ${c.name}`, () => {
      const actual = Uint8Array.from(c.actual);
      const predicted = Uint8Array.from(c.predicted);
      const scores = Float64Array.from(c.scores);
      expect(binaryCounts(actual, predicted)).toEqual(c.counts);
      const stats = computeModelQualityMetrics(
        {
          problemType: 'BinaryClassification',
          actual,
          predicted,
          scores,
          negativeLabel: '0',
          positiveLabel: '1',
        },
        { maxCurvePoints: 1e9 },
      );
      for (const [k, v] of Object.entries(c.values as Record<string, Num>)) {
        const m = stats.section[k] as { value: number; standard_deviation: number };
        expectClose(m.value, v, `${k}.value`);
        expectClose(m.standard_deviation, c.stds[k], `${k}.standard_deviation`);
        expectClose(stats.scalars.get(k) as number, v, `scalar ${k}`);
      }
      const roc = stats.section.receiver_operating_characteristic_curve as {
        false_positive_rates: number[];
        true_positive_rates: number[];
      };
      expectAllClose(roc.false_positive_rates, c.roc.false_positive_rates, 'fpr');
      expectAllClose(roc.true_positive_rates, c.roc.true_positive_rates, 'tpr');
      const pr = stats.section.precision_recall_curve as { precisions: number[]; recalls: number[] };
      expectAllClose(pr.precisions, c.pr.precisions, 'precisions');
      expectAllClose(pr.recalls, c.pr.recalls, 'recalls');
      const cm = stats.section.confusion_matrix as Record<string, Record<string, number>>;
      expect(cm['0']?.['0']).toBe(c.counts.tn);
      expect(cm['0']?.['1']).toBe(c.counts.fp);
      expect(cm['1']?.['0']).toBe(c.counts.fn);
      expect(cm['1']?.['1']).toBe(c.counts.tp);
    });
  }

  it('reproduces the SageMaker model-card example (outer key = actual, inner = predicted)', () => {
    // confusion_matrix {"0":{"0":1,"1":2},"1":{"0":0,"1":1}} → accuracy 0.5, precision 1/3, recall 1,
    // f0_5 0.3846…, f2 0.714…, best constant: precision 0.25, f1 0.4, f2 0.625.
    const m = binaryScalarMetrics({ tn: 1, fp: 2, fn: 0, tp: 1 });
    expect(m.accuracy).toBe(0.5);
    expect(m.precision).toBeCloseTo(0.33333333333333, 12);
    expect(m.recall).toBe(1);
    expect(m.f0_5).toBeCloseTo(0.38461538461538, 12);
    expect(m.f2).toBeCloseTo(0.71428571428571, 12);
    expect(m.false_positive_rate).toBeCloseTo(0.66666666666667, 12);
    expect(m.f1_best_constant_classifier).toBeCloseTo(0.4, 12);
    expect(m.f2_best_constant_classifier).toBeCloseTo(0.625, 12);
    expect(m.f0_5_best_constant_classifier).toBeCloseTo(0.29411764705882, 12);
  });

  it('thins long curves to exact points of the full curve, keeping the end points', () => {
    const n = 5000;
    const rng = mulberry32(7);
    const scores = new Float64Array(n);
    const actual = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      actual[i] = rng() < 0.3 ? 1 : 0;
      scores[i] = rng() + 0.3 * (actual[i] as number);
    }
    const { positives, negatives } = splitSortedScores(scores, actual);
    const full = binaryCurves(positives, negatives, 1e9);
    const thin = binaryCurves(positives, negatives, 100);
    const fpr = thin.receiver_operating_characteristic_curve.false_positive_rates;
    expect(fpr.length).toBeLessThanOrEqual(101);
    expect(fpr[0]).toBe(0);
    expect(fpr[fpr.length - 1]).toBe(1);
    expect(thin.auc).toBe(full.auc);
    const fullPairs = new Set(
      full.receiver_operating_characteristic_curve.false_positive_rates.map(
        (x, i) => `${x}:${full.receiver_operating_characteristic_curve.true_positive_rates[i]}`,
      ),
    );
    fpr.forEach((x, i) => {
      expect(
        fullPairs.has(`${x}:${thin.receiver_operating_characteristic_curve.true_positive_rates[i]}`),
      ).toBe(true);
    });
  });

  it('AUC is invariant to the order of records and to monotone transforms of the scores', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { minLength: 2, maxLength: 60 }),
        (pairs) => {
          const scores = Float64Array.from(pairs.map(([s]) => s));
          const actual = Uint8Array.from(pairs.map(([, y]) => (y ? 1 : 0)));
          const a = splitSortedScores(scores, actual);
          const auc = binaryCurves(a.positives, a.negatives).auc;
          const rev = [...pairs].reverse();
          const b = splitSortedScores(
            Float64Array.from(rev.map(([s]) => Math.exp(s / 3))),
            Uint8Array.from(rev.map(([, y]) => (y ? 1 : 0))),
          );
          const auc2 = binaryCurves(b.positives, b.negatives).auc;
          if (Number.isNaN(auc)) expect(auc2).toBeNaN();
          else expect(auc2).toBeCloseTo(auc, 12);
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });
});

describe('multiclass classification metrics', () => {
  for (const c of ref.multiclass) {
    it(`matches numpy on ${c.name}`, () => {
      const actual = Int32Array.from(c.actual);
      const predicted = Int32Array.from(c.predicted);
      const k = c.k as number;
      const cm = multiclassConfusion(actual, predicted, k);
      expect(Array.from(cm)).toEqual((c.confusion as number[][]).flat());
      const values = multiclassScalarMetrics(cm, k);
      const classes = Array.from({ length: k }, (_, i) => `c${i}`);
      const stats = computeModelQualityMetrics({
        problemType: 'MulticlassClassification',
        actual,
        predicted,
        classes,
      });
      for (const [name, v] of Object.entries(c.values as Record<string, Num>)) {
        expectClose(values[name as keyof typeof values], v, name);
        const m = stats.section[name] as { value: number; standard_deviation: number };
        expectClose(m.standard_deviation, c.stds[name], `${name}.standard_deviation`);
      }
      // weighted recall equals accuracy (weights = actual support).
      expect(values.weighted_recall).toBeCloseTo(values.accuracy, 12);
      const matrix = stats.section.confusion_matrix as Record<string, Record<string, number>>;
      expect(matrix.c0?.c0).toBe(cm[0]);
    });
  }
});

describe('isotonic calibration (PAV)', () => {
  const iso = ref.isotonic;
  const fit = fitIsotonicBinary(Float64Array.from(iso.scores), Uint8Array.from(iso.actual));

  it('matches scipy.optimize.isotonic_regression at every distinct score', () => {
    iso.knots_x.forEach((x: number, i: number) => {
      expectClose(predictIsotonic(fit, x), iso.fitted[i], `f(${x})`);
    });
  });

  it('interpolates linearly between knots and clips outside them, as numpy.interp', () => {
    iso.queries.forEach((q: number, i: number) => {
      expectClose(predictIsotonic(fit, q), iso.predictions[i], `f(${q})`);
    });
  });

  it('is monotone non-decreasing', () => {
    for (let i = 1; i < fit.ys.length; i++)
      expect(fit.ys[i] as number).toBeGreaterThanOrEqual(fit.ys[i - 1] as number);
  });
});

describe('confidence-based performance estimation', () => {
  it('matches the reference expected confusion matrix, metrics and bands', () => {
    const iso = ref.isotonic;
    const fit = fitIsotonicBinary(Float64Array.from(iso.scores), Uint8Array.from(iso.actual));
    const est = estimateBinaryPerformance(
      Float64Array.from(ref.cbpe.scores),
      Uint8Array.from(ref.cbpe.predicted),
      fit,
    );
    for (const k of ['tp', 'fp', 'tn', 'fn'] as const)
      expectClose(est.expected_confusion[k], ref.cbpe.expected[k], k);
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'auc'] as const) {
      expectClose(est.metrics[k].value, ref.cbpe.values[k], `${k}.value`);
      expectClose(est.metrics[k].standard_error, ref.cbpe.se[k], `${k}.se`);
      expectClose(est.metrics[k].lower, ref.cbpe.bands[k][0], `${k}.lower`);
      expectClose(est.metrics[k].upper, ref.cbpe.bands[k][1], `${k}.upper`);
    }
  });

  it('estimates the realised metrics when the calibration holds (large sample)', () => {
    const rng = mulberry32(3);
    const n = 20000;
    const scores = new Float64Array(n);
    const actual = new Uint8Array(n);
    const predicted = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      scores[i] = Math.round(rng() * 100) / 100;
      actual[i] = rng() < (scores[i] as number) ? 1 : 0; // P(y=1|s) = s: calibrated by construction
      predicted[i] = (scores[i] as number) > 0.5 ? 1 : 0;
    }
    const fit = fitIsotonicBinary(scores, actual);
    const est = estimateBinaryPerformance(scores, predicted, fit);
    const real = binaryScalarMetrics(binaryCounts(actual, predicted));
    expect(est.metrics.f1.value).toBeCloseTo(real.f1, 2);
    expect(est.metrics.accuracy.value).toBeCloseTo(real.accuracy, 2);
    expect(est.metrics.f1.lower).toBeLessThan(real.f1);
    expect(est.metrics.f1.upper).toBeGreaterThan(real.f1);
  });
});

describe('constraints', () => {
  it('suggests baseline values with the error/quality direction and flags breaches only', () => {
    const baseline = new Map([
      ['mae', 1.5],
      ['r2', 0.6],
      ['f1_best_constant_classifier', 0.4],
      ['auc', Number.NaN],
    ]);
    const constraints = suggestModelQualityConstraints(baseline);
    expect([...constraints.keys()]).toEqual(['mae', 'r2']);
    expect(constraints.get('mae')?.comparison_operator).toBe('GreaterThanThreshold');
    expect(constraints.get('r2')?.comparison_operator).toBe('LessThanThreshold');
    const ok = checkModelQualityConstraints(
      new Map([
        ['mae', 1.5],
        ['r2', 0.6],
      ]),
      constraints,
    );
    expect(ok.violations).toEqual([]);
    const bad = checkModelQualityConstraints(
      new Map([
        ['mae', 1.7],
        ['r2', Number.NaN],
      ]),
      constraints,
    );
    expect(bad.violations).toEqual([
      {
        constraint_check_type: 'GreaterThanThreshold',
        description: 'Metric mae with 1.7 was GreaterThanThreshold 1.5',
        metric_name: 'mae',
      },
    ]);
    expect(bad.notEvaluated).toEqual(['r2']);
  });
});
