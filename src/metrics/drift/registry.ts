/**
 * The one registry of drift tests. Each entry declares its id (also its name in `driftwatch compare`
 * output), the feature kinds it applies to, whether it returns a p-value (drift when p ≤ α) or a distance
 * (drift when distance ≥ t), its default threshold, and which numeric inputs it accepts (exact values,
 * and/or sketches with a rank-error bound). Adding a test is one file and one entry here.
 */
import { andersonDarling } from './anderson-darling.js';
import { chiSquareContingency } from './chi-square.js';
import { cramerVonMises } from './cramer-von-mises.js';
import { energyDistance } from './energy.js';
import { fisherExact } from './fisher-exact.js';
import { gTest } from './g-test.js';
import { hellingerDistance } from './hellinger.js';
import { categoricalHistograms, type HistogramPair, numericHistograms } from './histogram.js';
import { jensenShannonDistance } from './jensen-shannon.js';
import { klDivergence } from './kl-divergence.js';
import { ksTwoSample } from './ks.js';
import { linfinityCategorical, linfinityNumeric } from './linf.js';
import { mannWhitneyU } from './mann-whitney.js';
import { populationStabilityIndex } from './psi.js';
import { isSketch, type WeightedSample } from './sample.js';
import { totalVariationDistance } from './total-variation.js';
import type { DriftTestOutcome, FeatureKind } from './types.js';
import { wassersteinDistance, wassersteinNormalised } from './wasserstein.js';
import { twoProportionZTest } from './z-test.js';

/** What a test returns: a p-value (drift when p ≤ α) or a distance (drift when distance ≥ threshold). */
export type ScoreKind = 'p_value' | 'distance';
/** A categorical feature's counts: category text → count. */
export type CategoryCounts = ReadonlyMap<string, number>;
/** A test on two numeric samples (baseline, current). */
export type NumericTestFn = (baseline: WeightedSample, current: WeightedSample) => DriftTestOutcome;
/** A test on two category → count maps (baseline, current). */
export type CategoricalTestFn = (baseline: CategoryCounts, current: CategoryCounts) => DriftTestOutcome;

/** One entry of the drift-test registry. */
export interface DriftTestSpec {
  id: string;
  kinds: readonly FeatureKind[];
  score: ScoreKind;
  /** α for p-value tests, t for distances (in `thresholdUnit`). */
  defaultThreshold: number;
  /**
   * For distances that carry the feature's unit: the threshold is multiplied by the baseline's standard
   * deviation (`baseline_std`) or its square root (`sqrt_baseline_std`, for the energy distance).
   */
  thresholdUnit?: 'baseline_std' | 'sqrt_baseline_std';
  /** Numeric inputs accepted: exact values and/or sketches (results from sketches carry an error bound). */
  numericInputs?: readonly ('raw' | 'sketch')[];
  summary: string;
  numeric?: NumericTestFn;
  categorical?: CategoricalTestFn;
}

const onHistograms =
  (fn: (h: HistogramPair) => DriftTestOutcome): NumericTestFn =>
  (a, b) => {
    const h = numericHistograms(a, b);
    return 'notApplicable' in h ? h : fn(h);
  };
const onCategoryHistograms =
  (fn: (h: HistogramPair) => DriftTestOutcome): CategoricalTestFn =>
  (a, b) => {
    const h = categoricalHistograms(a, b);
    return 'notApplicable' in h ? h : fn(h);
  };

function linfNumeric(method: 'Simple' | 'Robust'): NumericTestFn {
  return (a, b) => {
    const r = linfinityNumeric(a, b, method);
    if (Number.isNaN(r.distance)) return { notApplicable: 'empty sample' };
    const sketch = isSketch(a) || isSketch(b);
    return {
      statistic: r.distance,
      pValue: null,
      input: sketch ? 'sketch' : 'raw',
      method: method === 'Simple' ? 'deequ-linf' : 'deequ-linf-robust:c_alpha=1.8',
      ...(sketch ? { statisticErrorBound: a.rankErrorBound + b.rankErrorBound } : {}),
    };
  };
}

function linfCategorical(method: 'Simple' | 'Robust'): CategoricalTestFn {
  return (a, b) => {
    const r = linfinityCategorical(a, b, method);
    if (Number.isNaN(r.distance)) return { notApplicable: 'empty sample' };
    return {
      statistic: r.distance,
      pValue: null,
      input: 'counts',
      method: method === 'Simple' ? 'deequ-linf' : 'deequ-linf-robust:c_alpha=1.8',
    };
  };
}

const RAW = ['raw'] as const;
const RAW_AND_SKETCH = ['raw', 'sketch'] as const;

export const DRIFT_TESTS = {
  ks: {
    id: 'ks',
    kinds: ['numeric'],
    score: 'p_value',
    defaultThreshold: 0.05,
    numericInputs: RAW_AND_SKETCH,
    summary: 'two-sample Kolmogorov–Smirnov (scipy ks_2samp: exact ≤ 10 000 values, else asymptotic)',
    numeric: (a, b) => ksTwoSample(a, b),
  },
  wasserstein: {
    id: 'wasserstein',
    kinds: ['numeric'],
    score: 'distance',
    defaultThreshold: 0.1,
    thresholdUnit: 'baseline_std',
    numericInputs: RAW_AND_SKETCH,
    summary: 'Wasserstein-1 distance in feature units (threshold in baseline standard deviations)',
    numeric: wassersteinDistance,
  },
  wasserstein_norm: {
    id: 'wasserstein_norm',
    kinds: ['numeric'],
    score: 'distance',
    defaultThreshold: 0.1,
    numericInputs: RAW_AND_SKETCH,
    summary: 'Wasserstein-1 distance divided by the baseline standard deviation',
    numeric: wassersteinNormalised,
  },
  psi: {
    id: 'psi',
    kinds: ['numeric', 'categorical'],
    score: 'distance',
    defaultThreshold: 0.1,
    numericInputs: RAW_AND_SKETCH,
    summary: 'Population Stability Index (baseline deciles / categories, empty bins smoothed to 1e-4)',
    numeric: onHistograms(populationStabilityIndex),
    categorical: onCategoryHistograms(populationStabilityIndex),
  },
  jensen_shannon: {
    id: 'jensen_shannon',
    kinds: ['numeric', 'categorical'],
    score: 'distance',
    defaultThreshold: 0.1,
    numericInputs: RAW_AND_SKETCH,
    summary: 'Jensen–Shannon distance, base-2 logarithms (in [0, 1])',
    numeric: onHistograms(jensenShannonDistance),
    categorical: onCategoryHistograms(jensenShannonDistance),
  },
  hellinger: {
    id: 'hellinger',
    kinds: ['numeric', 'categorical'],
    score: 'distance',
    defaultThreshold: 0.1,
    numericInputs: RAW_AND_SKETCH,
    summary: 'Hellinger distance (in [0, 1])',
    numeric: onHistograms(hellingerDistance),
    categorical: onCategoryHistograms(hellingerDistance),
  },
  kl_div: {
    id: 'kl_div',
    kinds: ['numeric'],
    score: 'distance',
    defaultThreshold: 0.1,
    numericInputs: RAW_AND_SKETCH,
    summary: 'Kullback–Leibler divergence KL(current ‖ baseline) in nats, smoothed like PSI',
    numeric: onHistograms(klDivergence),
  },
  anderson: {
    id: 'anderson',
    kinds: ['numeric'],
    score: 'p_value',
    defaultThreshold: 0.05,
    numericInputs: RAW,
    summary: 'Anderson–Darling k-sample (midrank; p interpolated and capped to [0.001, 0.25] as scipy)',
    numeric: andersonDarling,
  },
  cramer_von_mises: {
    id: 'cramer_von_mises',
    kinds: ['numeric'],
    score: 'p_value',
    defaultThreshold: 0.05,
    numericInputs: RAW,
    summary: 'Cramér–von Mises two-sample (exact ≤ 20 values per side, else asymptotic)',
    numeric: cramerVonMises,
  },
  energy: {
    id: 'energy',
    kinds: ['numeric'],
    score: 'distance',
    defaultThreshold: 0.1,
    thresholdUnit: 'sqrt_baseline_std',
    numericInputs: RAW_AND_SKETCH,
    summary: 'energy distance sqrt(2∫(F−G)²) in sqrt(feature units) (threshold × sqrt of the baseline std)',
    numeric: energyDistance,
  },
  mann_whitney: {
    id: 'mann_whitney',
    kinds: ['numeric'],
    score: 'p_value',
    defaultThreshold: 0.05,
    numericInputs: RAW_AND_SKETCH,
    summary: 'Mann–Whitney U, two-sided (exact for small tie-free samples, else normal with tie correction)',
    numeric: mannWhitneyU,
  },
  linf: {
    id: 'linf',
    kinds: ['numeric', 'categorical'],
    score: 'distance',
    defaultThreshold: 0.1,
    numericInputs: RAW_AND_SKETCH,
    summary: "SageMaker/Deequ L-infinity distance, 'Simple'",
    numeric: linfNumeric('Simple'),
    categorical: linfCategorical('Simple'),
  },
  linf_robust: {
    id: 'linf_robust',
    kinds: ['numeric', 'categorical'],
    score: 'distance',
    defaultThreshold: 0.1,
    numericInputs: RAW_AND_SKETCH,
    summary: "SageMaker/Deequ L-infinity distance, 'Robust' (minus 1.8·sqrt((n+m)/(n·m)))",
    numeric: linfNumeric('Robust'),
    categorical: linfCategorical('Robust'),
  },
  chi_square: {
    id: 'chi_square',
    kinds: ['categorical'],
    score: 'p_value',
    defaultThreshold: 0.05,
    summary: 'Pearson chi-square on the 2 × K contingency table (no Yates correction)',
    categorical: chiSquareContingency,
  },
  g_test: {
    id: 'g_test',
    kinds: ['categorical'],
    score: 'p_value',
    defaultThreshold: 0.05,
    summary: 'G-test (log-likelihood ratio) on the 2 × K contingency table',
    categorical: gTest,
  },
  z_test: {
    id: 'z_test',
    kinds: ['categorical'],
    score: 'p_value',
    defaultThreshold: 0.05,
    summary: 'two-proportion z-test (binary features)',
    categorical: twoProportionZTest,
  },
  fisher_exact: {
    id: 'fisher_exact',
    kinds: ['categorical'],
    score: 'p_value',
    defaultThreshold: 0.05,
    summary: "Fisher's exact test on the 2 × 2 table (binary features); statistic = odds ratio",
    categorical: fisherExact,
  },
  tvd: {
    id: 'tvd',
    kinds: ['categorical'],
    score: 'distance',
    defaultThreshold: 0.1,
    summary: 'total variation distance (in [0, 1])',
    categorical: onCategoryHistograms(totalVariationDistance),
  },
} as const satisfies Record<string, DriftTestSpec>;

/** The id of a drift test of the registry (e.g. `ks`, `psi`, `chi_square`). */
export type DriftTestId = keyof typeof DRIFT_TESTS;
/** Every drift test id, in registry order. */
export const DRIFT_TEST_IDS: readonly DriftTestId[] = Object.freeze(
  Object.keys(DRIFT_TESTS) as DriftTestId[],
);

/** True when `id` names a test of the registry. */
export function isDriftTestId(id: string): id is DriftTestId {
  return Object.hasOwn(DRIFT_TESTS, id);
}

/** The spec of a test; a RangeError listing the known ids when there is none. */
export function getDriftTest(id: string): DriftTestSpec {
  if (!isDriftTestId(id)) {
    throw new RangeError(`unknown drift test '${id}'; known tests: ${DRIFT_TEST_IDS.join(', ')}`);
  }
  return DRIFT_TESTS[id];
}

/** Ids of the tests that apply to a feature kind, in registry order. */
export function driftTestsFor(kind: FeatureKind): DriftTestId[] {
  return DRIFT_TEST_IDS.filter((id) => (DRIFT_TESTS[id].kinds as readonly FeatureKind[]).includes(kind));
}
