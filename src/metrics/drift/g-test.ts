/**
 * G-test (log-likelihood ratio) of homogeneity on the same 2 × K table as the chi-square test:
 * G = 2·Σ o·ln(o/e) over non-zero cells, K − 1 degrees of freedom, as
 * `scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")`.
 */
import { homogeneityTest } from './chi-square.js';
import type { DriftTestOutcome } from './types.js';

/** G-test (log-likelihood ratio) on the 2 × K table of two category → count maps. */
export function gTest(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
): DriftTestOutcome {
  return homogeneityTest(baseline, current, 'log-likelihood', 2, (o, e) => (o > 0 ? o * Math.log(o / e) : 0));
}
