/**
 * Comparing one feature: every applicable test of the registry, the default choice, the minimum-sample
 * guard and the per-feature overrides; and the dataset-level rule over all features.
 *
 * Terminology:
 * - report of a test: statistic, p-value (null for distances), drift, the threshold used (in the
 *   statistic's unit), what it was computed from (`input`, `method`) and, from sketches, error bounds;
 * - status of a feature: `ok`, or `insufficient_data` when either window has fewer values than
 *   `minSampleSize` (then no test reports drift: a window too small to judge is not drift);
 * - feature drift: the default test's decision (with p-values adjusted across features when a
 *   multiple-testing correction is configured, see `datasetDrift`).
 */
import { weightedMeanStd } from './cdf-walk.js';
import { effectiveThreshold, isDrift } from './decide.js';
import { totalCount, validCount } from './linf.js';
import { adjustPValues, type PValueCorrection } from './multiple-testing.js';
import {
  type CategoryCounts,
  DRIFT_TESTS,
  type DriftTestId,
  type DriftTestSpec,
  driftTestsFor,
  getDriftTest,
} from './registry.js';
import type { WeightedSample } from './sample.js';
import { defaultDriftTests } from './select.js';
import {
  type DriftTestOutcome,
  type DriftTestResult,
  type FeatureKind,
  type InputKind,
  isResult,
} from './types.js';

/** Default minimum number of values in each window for a judgement. */
export const DEFAULT_MIN_SAMPLE_SIZE = 30;

/** Options of {@link compareNumericFeature} and {@link compareCategoricalFeature}. */
export interface FeatureDriftOptions {
  /** Tests to run (default: every test that applies to the feature's kind). The default test always runs. */
  tests?: readonly DriftTestId[];
  /** Per-feature override of the default test. */
  defaultTest?: DriftTestId;
  /** Per-test thresholds (α or t in the test's unit), replacing the registry defaults. */
  thresholds?: Partial<Record<DriftTestId, number>>;
  /**
   * Calibrated thresholds (from `calibrateThreshold`, already in the statistic's unit / as a p-value level);
   * they take precedence over `thresholds`.
   */
  calibrated?: Partial<Record<DriftTestId, number>>;
  minSampleSize?: number;
}

/** One test's result on one feature, with its decision. */
export interface TestReport {
  statistic: number;
  p_value: number | null;
  drift: boolean;
  /** α or t actually applied, in the statistic's unit. */
  threshold: number;
  threshold_mode: 'fixed' | 'calibrated';
  input: InputKind;
  method: string;
  statistic_error_bound?: number;
  p_value_range?: [number, number];
  /**
   * Set when the score from sketches crosses the threshold but its error bound also reaches the other
   * side: the sketch alone cannot tell, so `drift` is false and this says why (see `sketchVerdict`).
   */
  undecided?: string;
}

/** Every applicable test on one feature and the feature's verdict (its default test's). */
export interface FeatureDriftReport {
  type: FeatureKind;
  status: 'ok' | 'insufficient_data';
  n_baseline: number;
  n_current: number;
  default_test: DriftTestId;
  drift: boolean;
  tests: Partial<Record<DriftTestId, TestReport>>;
  /** Tests that could not run on this feature, with the reason. */
  not_applicable: Partial<Record<DriftTestId, string>>;
  /** The default test's score from sketches is too uncertain to decide (the reason); not judged then. */
  undecided?: string;
}

/**
 * Runs the applicable numeric tests (default: all; the default test always) on a numeric feature's two
 * samples and decides drift by its default test; fewer than `minSampleSize` (30) values on either side is
 * `insufficient_data`, never drift.
 */
export function compareNumericFeature(
  baseline: WeightedSample,
  current: WeightedSample,
  options: FeatureDriftOptions = {},
): FeatureDriftReport {
  const baselineStd = weightedMeanStd(baseline).std;
  return compareFeature('numeric', baseline.total, current.total, options, baselineStd, (spec) =>
    spec.numeric ? spec.numeric(baseline, current) : { notApplicable: 'not a numeric test' },
  );
}

/**
 * Runs the applicable categorical tests on a feature's two category → count maps and decides drift by its
 * default test; fewer than `minSampleSize` (30) values on either side is `insufficient_data`.
 */
export function compareCategoricalFeature(
  baseline: CategoryCounts,
  current: CategoryCounts,
  options: FeatureDriftOptions = {},
): FeatureDriftReport {
  const facts = categoricalFacts(baseline, current);
  return compareFeature(
    'categorical',
    totalCount(baseline),
    totalCount(current),
    options,
    undefined,
    (spec) =>
      spec.categorical ? spec.categorical(baseline, current) : { notApplicable: 'not a categorical test' },
    facts,
  );
}

function categoricalFacts(
  baseline: CategoryCounts,
  current: CategoryCounts,
): { categories: number; minExpectedCount: number } {
  const keys = new Set<string>();
  for (const [k, v] of baseline) if (validCount(v) > 0) keys.add(k);
  for (const [k, v] of current) if (validCount(v) > 0) keys.add(k);
  const n = totalCount(baseline);
  const m = totalCount(current);
  let minExpected = Number.POSITIVE_INFINITY;
  for (const k of keys) {
    const col = validCount(baseline.get(k)) + validCount(current.get(k));
    minExpected = Math.min(minExpected, (n * col) / (n + m), (m * col) / (n + m));
  }
  return { categories: keys.size, minExpectedCount: minExpected };
}

function compareFeature(
  kind: FeatureKind,
  n: number,
  m: number,
  options: FeatureDriftOptions,
  baselineStd: number | undefined,
  run: (spec: DriftTestSpec) => DriftTestOutcome,
  facts: { categories?: number; minExpectedCount?: number } = {},
): FeatureDriftReport {
  const minSample = options.minSampleSize ?? DEFAULT_MIN_SAMPLE_SIZE;
  const judged = n >= minSample && m >= minSample;
  const applicable = driftTestsFor(kind);
  const requested = (options.tests ?? applicable).filter((id) => applicable.includes(id));
  const candidates = options.defaultTest
    ? [options.defaultTest]
    : defaultDriftTests(kind, { baselineCount: n, currentCount: m, ...facts });
  const ids = [
    ...new Set<DriftTestId>([...requested, ...candidates.filter((id) => applicable.includes(id))]),
  ];
  const tests: Partial<Record<DriftTestId, TestReport>> = {};
  const notApplicable: Partial<Record<DriftTestId, string>> = {};
  for (const id of ids) {
    const spec = getDriftTest(id);
    let outcome: DriftTestOutcome;
    try {
      outcome = run(spec);
    } catch (error) {
      // A test must never take the feature down with it: record why it could not run.
      notApplicable[id] = `failed: ${(error as Error)?.message ?? String(error)}`;
      continue;
    }
    if (!isResult(outcome)) {
      notApplicable[id] = outcome.notApplicable;
      continue;
    }
    const calibrated = options.calibrated?.[id];
    const threshold =
      calibrated ?? effectiveThreshold(spec, options.thresholds?.[id] ?? spec.defaultThreshold, baselineStd);
    const score = spec.score === 'p_value' ? outcome.pValue : outcome.statistic;
    const undecided = judged ? sketchUndecided(spec.score, outcome, threshold) : undefined;
    const report: TestReport = {
      statistic: outcome.statistic,
      p_value: outcome.pValue,
      drift: judged && undecided === undefined && isDrift(spec.score, score, threshold),
      threshold,
      threshold_mode: calibrated === undefined ? 'fixed' : 'calibrated',
      input: outcome.input,
      method: outcome.method,
    };
    if (outcome.statisticErrorBound !== undefined) report.statistic_error_bound = outcome.statisticErrorBound;
    if (outcome.pValueRange !== undefined) report.p_value_range = outcome.pValueRange;
    if (undecided !== undefined) report.undecided = undecided;
    tests[id] = report;
  }
  const chosen = candidates.find((id) => tests[id] !== undefined) ?? candidates[0] ?? 'linf';
  const undecided = tests[chosen]?.undecided;
  return {
    type: kind,
    status: judged ? 'ok' : 'insufficient_data',
    n_baseline: n,
    n_current: m,
    default_test: chosen,
    drift: judged && (tests[chosen]?.drift ?? false),
    tests: Object.fromEntries(
      ids.filter((id) => tests[id]).map((id) => [id, tests[id]]),
    ) as FeatureDriftReport['tests'],
    not_applicable: notApplicable,
    ...(undecided === undefined ? {} : { undecided }),
  };
}

/**
 * Soundness of a decision made on sketches: a score that crosses the threshold while the other end of
 * its error range (p-value range, or statistic ∓ bound for distances) does not, is not drift on the
 * strength of the sketch alone. Returns the reason, or undefined when the decision stands (exact input,
 * no drift, or drift at both ends of the range). A result from sketches that carries no bound is taken
 * as it is (histogram distances whose sketch error is small against their thresholds).
 */
export function sketchUndecided(
  score: 'p_value' | 'distance',
  outcome: DriftTestResult,
  threshold: number,
): string | undefined {
  if (outcome.input !== 'sketch') return undefined;
  const value = score === 'p_value' ? outcome.pValue : outcome.statistic;
  if (!isDrift(score, value, threshold)) return undefined;
  if (score === 'p_value') {
    let range = outcome.pValueRange;
    if (!range) {
      if (outcome.statisticErrorBound === undefined) return undefined;
      return `p-value from sketches without a range (statistic ± ${fmt(outcome.statisticErrorBound)}): not decided on sketches`;
    }
    range = [Math.min(...range), Math.max(...range)];
    if (isDrift('p_value', range[1], threshold)) return undefined;
    return `p-value from sketches in [${fmt(range[0])}, ${fmt(range[1])}] straddles α = ${fmt(threshold)}; exact values needed to decide`;
  }
  const bound = outcome.statisticErrorBound;
  if (bound === undefined || isDrift('distance', outcome.statistic - bound, threshold)) return undefined;
  return `statistic from sketches ${fmt(outcome.statistic)} ± ${fmt(bound)} straddles the threshold ${fmt(threshold)}; exact values needed to decide`;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : String(v);
}

/** Options of {@link datasetDrift}. */
export interface DatasetDriftOptions {
  /** Adjustment of the default tests' p-values across features (default `none`). */
  correction?: PValueCorrection;
  /** Dataset drift when at least this share of the judged features drift (default 0.5, as Evidently). */
  driftShare?: number;
}

/** The dataset-level verdict over all features. */
export interface DatasetDriftReport {
  drift: boolean;
  drifted_features: number;
  judged_features: number;
  share: number;
  drift_share: number;
  correction: PValueCorrection;
}

/**
 * Applies the multiple-testing correction to the features whose default test is a p-value test (their
 * `drift` is re-decided on the adjusted p-value, returned per feature in `adjusted`), then the dataset
 * rule: drift when drifted / judged ≥ driftShare.
 * Features with status `insufficient_data` are not judged and count in neither number.
 */
export function datasetDrift(
  features: Map<string, FeatureDriftReport>,
  options: DatasetDriftOptions = {},
): DatasetDriftReport & { adjusted: Map<string, number> } {
  const correction = options.correction ?? 'none';
  const driftShare = options.driftShare ?? 0.5;
  const names: string[] = [];
  const pValues: number[] = [];
  for (const [name, f] of features) {
    const spec = DRIFT_TESTS[f.default_test];
    const report = f.tests[f.default_test];
    if (f.status === 'ok' && !f.undecided && spec.score === 'p_value' && report && report.p_value !== null) {
      names.push(name);
      pValues.push(report.p_value);
    }
  }
  const adjustedValues = adjustPValues(pValues, correction);
  const adjusted = new Map<string, number>();
  names.forEach((name, i) => {
    const f = features.get(name) as FeatureDriftReport;
    const report = f.tests[f.default_test] as TestReport;
    const p = adjustedValues[i] as number;
    adjusted.set(name, p);
    if (correction !== 'none') f.drift = isDrift('p_value', p, report.threshold);
  });
  let judged = 0;
  let drifted = 0;
  for (const f of features.values()) {
    if (f.status !== 'ok' || f.undecided) continue;
    judged++;
    if (f.drift) drifted++;
  }
  const share = judged > 0 ? drifted / judged : 0;
  return {
    drift: judged > 0 && share >= driftShare,
    drifted_features: drifted,
    judged_features: judged,
    share,
    drift_share: driftShare,
    correction,
    adjusted,
  };
}
