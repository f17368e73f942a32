/**
 * Series statistics of the dashboard (small arrays: one value per execution), with simple-statistics:
 * the trend over the last N executions (least-squares slope per execution) and a robust band
 * median ± k·1.4826·MAD (the MAD scaled to a normal's standard deviation). Pure.
 */
import { linearRegression, median, medianAbsoluteDeviation } from 'simple-statistics';

export interface SeriesSummary {
  /** Values used (finite ones of the last N). */
  n: number;
  median: number;
  /** The band's bounds: median ∓ k·1.4826·MAD. */
  lower: number;
  upper: number;
  /** Least-squares slope per execution over the last N (NaN under 3 points). */
  slope: number;
  /** The latest value, and whether it lies outside the band. */
  last: number;
  outside: boolean;
}

export const MAD_SCALE = 1.4826;

export function summarizeSeries(values: readonly number[], options: { last?: number; k?: number } = {}) {
  const k = options.k ?? 3;
  const tail = values.slice(-(options.last ?? 24));
  const points = tail.flatMap((v, i) => (Number.isFinite(v) ? [[i, v] as [number, number]] : []));
  const ys = points.map((p) => p[1]);
  if (ys.length === 0)
    return {
      n: 0,
      median: Number.NaN,
      lower: Number.NaN,
      upper: Number.NaN,
      slope: Number.NaN,
      last: Number.NaN,
      outside: false,
    } satisfies SeriesSummary;
  const m = median(ys);
  const spread = k * MAD_SCALE * medianAbsoluteDeviation(ys);
  const slope = points.length >= 3 ? linearRegression(points).m : Number.NaN;
  const last = ys[ys.length - 1] as number;
  return {
    n: ys.length,
    median: m,
    lower: m - spread,
    upper: m + spread,
    slope,
    last,
    outside: spread > 0 ? last < m - spread || last > m + spread : false,
  } satisfies SeriesSummary;
}
