/**
 * Feature-attribution drift score (spec §9.7): NDCG of the live ranking against the baseline
 * global values, i.e. scikit-learn `ndcg_score(y_true=[baseline values], y_score=[live values])`
 * with features aligned by name:
 *
 *   DCG  = Σ_i a(f'_i) / log2(i + 1)   (f' = features sorted by live value, descending)
 *   iDCG = Σ_i a(f_i)  / log2(i + 1)   (f  = features sorted by baseline value)
 *   NDCG = DCG / iDCG
 *
 * Edge rules (unconfirmed in SageMaker, scikit-learn's defaults, §9.7 / §9.10 item 7):
 * - ties in the live values: each feature of a tied group gets the average discount of the
 *   positions the group occupies (`ignore_ties=False`);
 * - features only in the live values are ignored; features only in the baseline have live value 0;
 * - negative global values (possible with `median`) are used as they are (NDCG may leave [0, 1]);
 * - iDCG = 0 (no baseline feature with a value): no score (`undefined`), the caller skips the label.
 */

function discount(position: number): number {
  return 1 / Math.log2(position + 2);
}

export interface NdcgResult {
  ndcg: number;
  dcg: number;
  idcg: number;
  /** Features compared (all baseline features). */
  features: number;
}

/** NDCG of `live` against `baseline`, or `undefined` when iDCG is 0 or there are no features. */
export function attributionNdcg(
  baseline: ReadonlyMap<string, number>,
  live: ReadonlyMap<string, number>,
): NdcgResult | undefined {
  const names = [...baseline.keys()];
  const m = names.length;
  if (m === 0) return undefined;
  const truth = names.map((f) => baseline.get(f) ?? 0);
  const score = names.map((f) => live.get(f) ?? 0);

  // iDCG: baseline values sorted descending (ties cannot change the sum).
  const ideal = [...truth].sort((x, y) => y - x);
  let idcg = 0;
  for (let i = 0; i < m; i++) idcg += (ideal[i] ?? 0) * discount(i);
  if (idcg === 0) return undefined;

  // DCG with tie-averaged discounts over groups of equal live value (descending).
  const order = names.map((_, i) => i).sort((i, j) => (score[j] ?? 0) - (score[i] ?? 0));
  let dcg = 0;
  let start = 0;
  while (start < m) {
    let end = start + 1;
    const v = score[order[start] ?? 0];
    while (end < m && score[order[end] ?? 0] === v) end++;
    let gain = 0;
    let disc = 0;
    for (let p = start; p < end; p++) {
      gain += truth[order[p] ?? 0] ?? 0;
      disc += discount(p);
    }
    dcg += (gain / (end - start)) * disc;
    start = end;
  }
  return { ndcg: dcg / idcg, dcg, idcg, features: m };
}

/** Clarify's fixed threshold ("if the NDCG value is below 0.90, we automatically raise an alert"). */
export const DEFAULT_NDCG_THRESHOLD = 0.9;
