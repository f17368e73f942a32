/**
 * Two-proportion z-test (pooled variance), two-sided, for binary features: the share of the first
 * category (code-unit order) in the baseline, p1, against the current, p2:
 * z = (p1 − p2) / sqrt(p̂(1 − p̂)(1/n + 1/m)), p̂ the pooled share, p = 2·Φ(−|z|)
 * (statsmodels `proportions_ztest` with the pooled variance). With a single category on both sides
 * there is nothing to compare (z = 0, p = 1). Not applicable with more than two categories.
 */
import { normalCdf } from '../special.js';
import { binaryTable } from './chi-square.js';
import type { DriftTestOutcome } from './types.js';

/** Pooled two-proportion z-test on a binary feature's counts, two-sided. */
export function twoProportionZTest(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
): DriftTestOutcome {
  const t = binaryTable(baseline, current);
  if ('notApplicable' in t) return t;
  if (t.keys.length < 2) return { statistic: 0, pValue: 1, input: 'counts', method: 'pooled' };
  const p1 = (t.baseline[0] as number) / t.n;
  const p2 = (t.current[0] as number) / t.m;
  const pooled = ((t.baseline[0] as number) + (t.current[0] as number)) / (t.n + t.m);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / t.n + 1 / t.m));
  return {
    statistic: z,
    pValue: Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1)),
    input: 'counts',
    method: 'pooled',
  };
}
