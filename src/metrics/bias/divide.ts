/**
 * smclarify's `common.divide(x, y)`: `0/0 = 0`, `x/0 = +∞` for x > 0 and `−∞` for x < 0
 * (spec §9.4, confirmed from smclarify `common.py`).
 */
export function clarifyDivide(x: number, y: number): number {
  if (y === 0) {
    if (x > 0) return Number.POSITIVE_INFINITY;
    if (x < 0) return Number.NEGATIVE_INFINITY;
    return 0;
  }
  return x / y;
}

/**
 * `a − b` as smclarify's post-training differences return it: equal infinities give 0 (smclarify
 * returns the integer 0 there, which JSON writes as `0` in any case); a finite minus `+∞` is `−∞`.
 */
export function clarifyDifference(a: number, b: number): number {
  if (a === b) return 0;
  return a - b;
}
