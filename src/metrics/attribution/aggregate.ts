/**
 * Global feature attributions from local ones (spec §9.7): for local values φ_ij (record i,
 * feature j), `mean_abs` = mean_i |φ_ij| (Clarify's default), `median` = median_i φ_ij (signed;
 * NumPy's median: the mean of the two middle values for an even count), `mean_sq` = mean_i φ_ij².
 *
 * Mergeable across window parts. `mean_abs` / `mean_sq` keep a sum and a count per feature.
 * `median` keeps the values exactly up to `maxExactValues` per feature and then moves that
 * feature to a KLL sketch (rank error reported by `approximate`), so memory stays bounded.
 */
import { KllSketch } from '../sketches/kll.js';
import type { AttributionAggMethod } from './agg-methods.js';

export interface AttributionAggregatorOptions {
  /** Exact values kept per feature for `median` before switching to a sketch. @defaultValue 100000 */
  maxExactValues?: number;
}

interface FeatureState {
  count: number;
  sum: number;
  /** `median` only: exact values (until the bound), then a sketch. */
  values: number[] | null;
  sketch: KllSketch | null;
}

/** One label's (model output's) local attributions, reduced to one global value per feature. */
export class AttributionAggregator {
  readonly method: AttributionAggMethod;
  readonly maxExactValues: number;
  /** Feature name → state; a Map because feature names are untrusted. */
  private readonly features = new Map<string, FeatureState>();

  constructor(method: AttributionAggMethod, options: AttributionAggregatorOptions = {}) {
    this.method = method;
    this.maxExactValues = options.maxExactValues ?? 100_000;
  }

  private state(feature: string): FeatureState {
    let s = this.features.get(feature);
    if (s === undefined) {
      s = { count: 0, sum: 0, values: this.method === 'median' ? [] : null, sketch: null };
      this.features.set(feature, s);
    }
    return s;
  }

  /** Adds one local attribution. Non-finite values are the caller's to count and skip. */
  add(feature: string, value: number): void {
    const s = this.state(feature);
    s.count++;
    switch (this.method) {
      case 'mean_abs':
        s.sum += Math.abs(value);
        return;
      case 'mean_sq':
        s.sum += value * value;
        return;
      case 'median':
        if (s.sketch !== null) {
          s.sketch.update(value);
        } else {
          const values = s.values ?? [];
          values.push(value);
          s.values = values;
          if (values.length > this.maxExactValues) {
            const sketch = new KllSketch();
            for (const v of values) sketch.update(v);
            s.sketch = sketch;
            s.values = null;
          }
        }
        return;
    }
  }

  /** Adds the other aggregator's values into this one (same method required). */
  merge(other: AttributionAggregator): this {
    if (other.method !== this.method) {
      throw new Error(`cannot merge ${other.method} attributions into ${this.method}`);
    }
    for (const [feature, o] of other.features) {
      const s = this.state(feature);
      s.count += o.count;
      s.sum += o.sum;
      if (this.method !== 'median') continue;
      if (
        o.sketch !== null ||
        s.sketch !== null ||
        (s.values?.length ?? 0) + (o.values?.length ?? 0) > this.maxExactValues
      ) {
        const sketch = s.sketch ?? new KllSketch();
        for (const v of s.values ?? []) sketch.update(v);
        if (o.sketch !== null) sketch.merge(KllSketch.fromJSON(o.sketch.toJSON()));
        for (const v of o.values ?? []) sketch.update(v);
        s.sketch = sketch;
        s.values = null;
      } else {
        s.values = [...(s.values ?? []), ...(o.values ?? [])];
      }
    }
    return this;
  }

  /** Number of local values seen per feature. */
  counts(): Map<string, number> {
    return new Map([...this.features].map(([f, s]) => [f, s.count]));
  }

  /** True when some feature's median comes from a sketch rather than the exact values. */
  get approximate(): boolean {
    for (const s of this.features.values()) if (s.sketch !== null) return true;
    return false;
  }

  /** Global value per feature, in first-seen order. Features with no values are absent. */
  globalValues(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [feature, s] of this.features) {
      if (s.count === 0) continue;
      if (this.method !== 'median') {
        out.set(feature, s.sum / s.count);
      } else if (s.sketch !== null) {
        out.set(feature, s.sketch.quantile(0.5));
      } else {
        out.set(feature, exactMedian(s.values ?? []));
      }
    }
    return out;
  }
}

/** NumPy's `median`: middle value, or the mean of the two middle values for an even count. */
export function exactMedian(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const hi = sorted[n >> 1] ?? Number.NaN;
  if (n % 2 === 1) return hi;
  const lo = sorted[(n >> 1) - 1] ?? Number.NaN;
  // NumPy's mean of the two: (lo + hi) / 2 as a two-element mean.
  return (lo + hi) / 2;
}
