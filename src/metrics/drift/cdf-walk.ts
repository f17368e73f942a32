/**
 * One merge pass over two weighted samples: for each stretch [x_k, x_{k+1}) between consecutive
 * distinct pooled values, calls `step(Fa, Fb, width)` with both right-continuous CDFs on that stretch.
 * The CDF-integral distances (Wasserstein, energy) are sums over these stretches.
 */
import type { WeightedSample } from './sample.js';

export function walkCdfStretches(
  a: WeightedSample,
  b: WeightedSample,
  step: (fa: number, fb: number, width: number) => void,
): void {
  const av = a.values;
  const aw = a.weights;
  const bv = b.values;
  const bw = b.weights;
  const na = av.length;
  const nb = bv.length;
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  let key = Number.NaN;
  // Three-way merge over the pooled distinct values (distinct within each sample); no reads past the end.
  while (i < na || j < nb) {
    const x = i < na ? (av[i] as number) : Number.POSITIVE_INFINITY;
    const y = j < nb ? (bv[j] as number) : Number.POSITIVE_INFINITY;
    const next = Math.min(x, y);
    if (!Number.isNaN(key)) step(ca / a.total, cb / b.total, next - key);
    if (x === next) ca += aw[i++] as number;
    if (y === next) cb += bw[j++] as number;
    key = next;
  }
}

/** Smallest and largest value held by either sample. */
export function pooledRange(a: WeightedSample, b: WeightedSample): number {
  const lo = Math.min(a.values[0] ?? Number.POSITIVE_INFINITY, b.values[0] ?? Number.POSITIVE_INFINITY);
  const hi = Math.max(
    a.values[a.values.length - 1] ?? Number.NEGATIVE_INFINITY,
    b.values[b.values.length - 1] ?? Number.NEGATIVE_INFINITY,
  );
  return hi > lo ? hi - lo : 0;
}

/** Population mean and standard deviation (divide by the total weight) of a weighted sample. */
export function weightedMeanStd(s: WeightedSample): { mean: number; std: number } {
  let mean = 0;
  let m2 = 0;
  let w = 0;
  // West's weighted incremental algorithm: stable for large, shifted data.
  for (let i = 0; i < s.values.length; i++) {
    const wi = s.weights[i] as number;
    const x = s.values[i] as number;
    w += wi;
    const delta = x - mean;
    mean += (wi / w) * delta;
    m2 += wi * delta * (x - mean);
  }
  return { mean, std: w > 0 ? Math.sqrt(Math.max(0, m2 / w)) : Number.NaN };
}
