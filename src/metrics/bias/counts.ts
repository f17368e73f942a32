/**
 * Mergeable counts behind every counts-based Clarify bias metric (spec §9.3–9.4).
 *
 * Each row reduces to three booleans: `d` (row is in the sensitive facet group), `y` (observed
 * label positive), `ŷ` (predicted label positive), plus an optional group value for CDDL/CDDPL.
 * All pre- and post-training metrics except FT are functions of the 8 cells (d, y, ŷ) and, for
 * CDD, of those 8 cells per group value, so window parts merge by adding cells.
 * Pre-training metrics ignore ŷ; rows without a prediction are counted with ŷ = false and the
 * caller must not ask for post-training metrics then (`hasPredictions`).
 */

/** Cell index of (d, y, ŷ): d·4 + y·2 + ŷ. */
export function cellIndex(d: boolean, y: boolean, yhat: boolean): number {
  return (d ? 4 : 0) + (y ? 2 : 0) + (yhat ? 1 : 0);
}

export interface BiasCounts {
  /** 8 cells, indexed by {@link cellIndex}. */
  readonly cells: Float64Array;
  /** Same cells per group value (CDD's group variable); empty when no group variable is used. */
  readonly groups: Map<string, Float64Array>;
  /** True once any row carried a group value. */
  hasGroup: boolean;
}

export function emptyBiasCounts(): BiasCounts {
  return { cells: new Float64Array(8), groups: new Map(), hasGroup: false };
}

/** Adds one row. `group` undefined = no group variable configured. */
export function addBiasRow(counts: BiasCounts, d: boolean, y: boolean, yhat: boolean, group?: string): void {
  const i = cellIndex(d, y, yhat);
  counts.cells[i] = (counts.cells[i] ?? 0) + 1;
  if (group !== undefined) {
    counts.hasGroup = true;
    let cells = counts.groups.get(group);
    if (cells === undefined) {
      cells = new Float64Array(8);
      counts.groups.set(group, cells);
    }
    cells[i] = (cells[i] ?? 0) + 1;
  }
}

/** merge(a, b) equals the counts of a ++ b. Returns a new object; inputs are untouched. */
export function mergeBiasCounts(a: BiasCounts, b: BiasCounts): BiasCounts {
  const out = emptyBiasCounts();
  out.hasGroup = a.hasGroup || b.hasGroup;
  for (let i = 0; i < 8; i++) out.cells[i] = (a.cells[i] ?? 0) + (b.cells[i] ?? 0);
  for (const src of [a.groups, b.groups]) {
    for (const [g, cells] of src) {
      let dst = out.groups.get(g);
      if (dst === undefined) {
        dst = new Float64Array(8);
        out.groups.set(g, dst);
      }
      for (let i = 0; i < 8; i++) dst[i] = (dst[i] ?? 0) + (cells[i] ?? 0);
    }
  }
  return out;
}

/** Sum of the cells whose (d, y, ŷ) match the given pattern; `undefined` = either. */
export function countWhere(
  cells: Float64Array,
  d: boolean | undefined,
  y: boolean | undefined,
  yhat: boolean | undefined,
): number {
  let s = 0;
  for (let i = 0; i < 8; i++) {
    if (d !== undefined && i >= 4 !== d) continue;
    if (y !== undefined && ((i & 2) !== 0) !== y) continue;
    if (yhat !== undefined && ((i & 1) !== 0) !== yhat) continue;
    s += cells[i] ?? 0;
  }
  return s;
}

/** Per-group confusion counts, named as in spec §9.4. `side` true = group d, false = group a. */
export interface GroupConfusion {
  n: number;
  /** Observed positives n(1) and negatives n(0). */
  pos: number;
  neg: number;
  /** Predicted positives n̂(1) and negatives n̂(0). */
  predPos: number;
  predNeg: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export function groupConfusion(cells: Float64Array, side: boolean): GroupConfusion {
  const tp = countWhere(cells, side, true, true);
  const fp = countWhere(cells, side, false, true);
  const fn = countWhere(cells, side, true, false);
  const tn = countWhere(cells, side, false, false);
  return {
    n: tp + fp + fn + tn,
    pos: tp + fn,
    neg: fp + tn,
    predPos: tp + fp,
    predNeg: fn + tn,
    tp,
    fp,
    fn,
    tn,
  };
}
