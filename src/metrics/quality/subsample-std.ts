/**
 * Standard deviation of a metric over random subsamples, SageMaker's rule for the `standard_deviation`
 * of every model-quality metric (spec §6.2): with at least 200 records, draw a random 80% subsample
 * (without replacement) 5 times, compute the metric on each, and take the standard deviation of the 5
 * values; with fewer records the standard deviation is NaN (written as the string `"NaN"`).
 *
 * Conventions (the container's are unconfirmed; these are stored here and in the README):
 * - subsample size `floor(0.8 · n)`, chosen by a partial Fisher–Yates shuffle driven by `mulberry32(seed)`;
 *   replicate r continues the same generator after replicate r-1;
 * - the **sample** standard deviation (divisor 5 − 1) of the 5 values; NaN values make the result NaN.
 *
 * The metric callback sees a 0/1 mask over the n records, so no record is copied.
 */
import { mulberry32 } from '../../core/random.js';

export interface SubsampleOptions {
  /** Minimum record count for a standard deviation. @defaultValue 200 */
  minRecords?: number;
  /** Number of subsamples. @defaultValue 5 */
  replicates?: number;
  /** Share of the records in each subsample. @defaultValue 0.8 */
  fraction?: number;
  /** Seed of the generator. @defaultValue 42 */
  seed?: number;
}

export const SUBSAMPLE_DEFAULTS = { minRecords: 200, replicates: 5, fraction: 0.8, seed: 42 } as const;

/** The masks of the subsamples (1 = record included), in draw order. Empty when n < minRecords. */
export function drawSubsampleMasks(n: number, options: SubsampleOptions = {}): Uint8Array[] {
  const { minRecords, replicates, fraction, seed } = { ...SUBSAMPLE_DEFAULTS, ...options };
  if (n < minRecords || n <= 1) return [];
  const rng = mulberry32(seed);
  const size = Math.floor(fraction * n);
  const order = new Int32Array(n);
  const masks: Uint8Array[] = [];
  for (let r = 0; r < replicates; r++) {
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = 0; i < size; i++) {
      const j = i + Math.floor(rng() * (n - i));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    const mask = new Uint8Array(n);
    for (let i = 0; i < size; i++) mask[order[i] as number] = 1;
    masks.push(mask);
  }
  return masks;
}

/** Sample standard deviation (divisor m − 1) of `values`; NaN when fewer than 2 values or any is NaN. */
export function sampleStandardDeviation(values: ArrayLike<number>): number {
  const m = values.length;
  if (m < 2) return Number.NaN;
  let mean = 0;
  for (let i = 0; i < m; i++) mean += values[i] as number;
  mean /= m;
  let ss = 0;
  for (let i = 0; i < m; i++) ss += ((values[i] as number) - mean) ** 2;
  return Math.sqrt(ss / (m - 1));
}

/**
 * Standard deviation of several metrics over the same subsamples: `evaluate(mask)` returns every metric's
 * value on one subsample; the result maps each name to its standard deviation (NaN below `minRecords`).
 */
export function subsampleStandardDeviations<K extends string>(
  n: number,
  names: readonly K[],
  evaluate: (mask: Uint8Array) => Record<K, number>,
  options: SubsampleOptions = {},
): Record<K, number> {
  const masks = drawSubsampleMasks(n, options);
  const out = Object.create(null) as Record<K, number>;
  const values = new Map<K, number[]>(names.map((k) => [k, []]));
  for (const mask of masks) {
    const result = evaluate(mask);
    for (const k of names) values.get(k)?.push(result[k]);
  }
  for (const k of names)
    out[k] = masks.length === 0 ? Number.NaN : sampleStandardDeviation(values.get(k) ?? []);
  return out;
}
