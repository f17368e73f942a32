/**
 * G-test (log-likelihood ratio) of homogeneity on the same 2 × K table as the chi-square test:
 * G = 2·Σ o·ln(o/e) over non-zero cells, K − 1 degrees of freedom, as
 * `scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")`.
 */
import { contingencyTable } from './chi-square.js';
import { chiSquareSf } from './linf.js';
import type { DriftTestOutcome } from './types.js';

export function gTest(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
): DriftTestOutcome {
  const t = contingencyTable(baseline, current);
  if (!(t.n > 0) || !(t.m > 0)) return { notApplicable: 'empty sample' };
  if (t.keys.length < 2) return { notApplicable: 'one category' };
  const N = t.n + t.m;
  let sum = 0;
  for (let j = 0; j < t.keys.length; j++) {
    const col = (t.baseline[j] as number) + (t.current[j] as number);
    const ob = t.baseline[j] as number;
    const oc = t.current[j] as number;
    if (ob > 0) sum += ob * Math.log(ob / ((t.n * col) / N));
    if (oc > 0) sum += oc * Math.log(oc / ((t.m * col) / N));
  }
  const statistic = Math.max(0, 2 * sum);
  const dof = t.keys.length - 1;
  return {
    statistic,
    pValue: chiSquareSf(statistic, dof),
    input: 'counts',
    method: `log-likelihood:dof=${dof}`,
  };
}
