/**
 * Multiple-testing adjustment of p-values across the features of one comparison.
 * - `bonferroni`: p·m, capped at 1 (controls the family-wise error rate).
 * - `benjamini-hochberg`: step-up adjusted p-values, p_(i)·m/i made monotone from the largest down and
 *   capped at 1 (controls the false discovery rate), as `scipy.stats.false_discovery_control(p)`.
 * NaN p-values are left as NaN and do not count in m.
 */
export type PValueCorrection = 'none' | 'bonferroni' | 'benjamini-hochberg';

export function adjustPValues(pValues: readonly number[], method: PValueCorrection): number[] {
  const idx: number[] = [];
  pValues.forEach((p, i) => {
    if (!Number.isNaN(p)) idx.push(i);
  });
  const out = [...pValues];
  const m = idx.length;
  if (method === 'none' || m === 0) return out;
  if (method === 'bonferroni') {
    for (const i of idx) out[i] = Math.min(1, (pValues[i] as number) * m);
    return out;
  }
  const order = [...idx].sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r] as number;
    running = Math.min(running, ((pValues[i] as number) * m) / (r + 1));
    out[i] = Math.min(1, running);
  }
  return out;
}
