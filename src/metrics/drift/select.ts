/**
 * Default test per feature, after Evidently's well-known rule (reference = baseline):
 * - numeric: baseline of at most 1000 values → `ks` (α = 0.05); larger → `wasserstein_norm` (0.1);
 *   when that is not applicable (a constant baseline) → `linf` (0.1).
 * - categorical: baseline of at most 1000 values → with two categories `z_test`, or `fisher_exact` when an
 *   expected cell count of the 2 × 2 table is below 5; with more categories `chi_square`; larger baselines
 *   → `jensen_shannon` (0.1). With a single category in both windows nothing can differ: `linf` (0 unless a
 *   category appears).
 * Large windows get distances rather than p-values because a p-value test on a million rows flags
 * differences nobody cares about.
 */
import type { DriftTestId } from './registry.js';
import type { FeatureKind } from './types.js';

/** Baseline size up to which p-value tests are the default. */
export const SMALL_BASELINE = 1000;

export interface SelectionFacts {
  baselineCount: number;
  currentCount: number;
  /** Categorical only: categories in the union of both windows. */
  categories?: number;
  /** Categorical binary only: smallest expected cell count of the 2 × 2 table. */
  minExpectedCount?: number;
}

/** The default test and the fallbacks to try, in order, when it is not applicable. */
export function defaultDriftTests(kind: FeatureKind, facts: SelectionFacts): DriftTestId[] {
  if (kind === 'numeric') {
    return facts.baselineCount <= SMALL_BASELINE ? ['ks', 'linf'] : ['wasserstein_norm', 'linf'];
  }
  if (facts.baselineCount > SMALL_BASELINE) return ['jensen_shannon', 'linf'];
  const k = facts.categories ?? 0;
  if (k < 2) return ['linf'];
  if (k === 2) {
    return (facts.minExpectedCount ?? 0) < 5 ? ['fisher_exact', 'linf'] : ['z_test', 'fisher_exact', 'linf'];
  }
  return ['chi_square', 'linf'];
}
