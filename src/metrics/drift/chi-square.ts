/**
 * Pearson's chi-square test of homogeneity on the 2 × K contingency table (baseline, current) × categories
 * of the union, as `scipy.stats.chi2_contingency(table, correction=False)`: expected e_ij = row_i·col_j/N,
 * X² = Σ (o − e)²/e, K − 1 degrees of freedom, p from the χ² upper tail. Unseen (current-only) and
 * vanished (baseline-only) categories are ordinary columns with a zero cell; categories absent from both
 * do not exist. No Yates correction (for 2 × 2 tables with small counts use Fisher's exact test).
 * Not applicable with a single category (K = 1: nothing to compare).
 */

import { unionKeys } from './histogram.js';
import { chiSquareSf, totalCount, validCount } from './linf.js';
import type { DriftTestOutcome } from './types.js';

export interface ContingencyTable {
  /** Category names, code-unit order. */
  keys: string[];
  baseline: Float64Array;
  current: Float64Array;
  n: number;
  m: number;
}

export function contingencyTable(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
): ContingencyTable {
  const keys = unionKeys(baseline, current);
  return {
    keys,
    baseline: Float64Array.from(keys, (k) => validCount(baseline.get(k))),
    current: Float64Array.from(keys, (k) => validCount(current.get(k))),
    n: totalCount(baseline),
    m: totalCount(current),
  };
}

/**
 * The 2 × 2 table of a binary feature (the two-category tests: Fisher's exact, the z-test), or why it has
 * none: an empty sample, more than two categories. A single category on both sides is a table of one key.
 */
export function binaryTable(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
): ContingencyTable | { notApplicable: string } {
  const t = contingencyTable(baseline, current);
  if (!(t.n > 0) || !(t.m > 0)) return { notApplicable: 'empty sample' };
  if (t.keys.length > 2) return { notApplicable: 'more than two categories' };
  return t;
}

/**
 * Pearson chi-square test on the 2 × K table of two category → count maps (no Yates correction, as
 * `scipy.stats.chi2_contingency(correction=False)`).
 */
export function chiSquareContingency(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
): DriftTestOutcome {
  return homogeneityTest(baseline, current, 'pearson', 1, (o, e) => (o - e) ** 2 / e);
}

/**
 * A test of homogeneity on the 2 × K table: statistic = scale · Σ cell(o, e) over every cell (o observed,
 * e = row·col/N expected), at least 0, with K − 1 degrees of freedom and p from the χ² upper tail.
 * Pearson's chi-square and the G-test (log-likelihood ratio) differ only in `cell` and `scale`.
 */
export function homogeneityTest(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
  name: string,
  scale: number,
  cell: (observed: number, expected: number) => number,
): DriftTestOutcome {
  const t = contingencyTable(baseline, current);
  if (!(t.n > 0) || !(t.m > 0)) return { notApplicable: 'empty sample' };
  if (t.keys.length < 2) return { notApplicable: 'one category' };
  const N = t.n + t.m;
  let sum = 0;
  for (let j = 0; j < t.keys.length; j++) {
    const ob = t.baseline[j] as number;
    const oc = t.current[j] as number;
    const col = ob + oc;
    sum += cell(ob, (t.n * col) / N) + cell(oc, (t.m * col) / N);
  }
  const statistic = Math.max(0, scale * sum);
  const dof = t.keys.length - 1;
  return { statistic, pValue: chiSquareSf(statistic, dof), input: 'counts', method: `${name}:dof=${dof}` };
}
