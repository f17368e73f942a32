/**
 * Flip test FT (spec §9.4.2, smclarify `posttraining.FT`): fit k-nearest neighbours on group a
 * (features → ŷ), `k = 5` if `n_a > 9` else 1, uniform weights, Euclidean distance; predict each
 * row of d. `F⁺` = d rows predicted positive whose neighbours say negative, `F⁻` the reverse,
 * `FT = (F⁺ − F⁻)/n_d`. Ties between equidistant neighbours: lower row index first (scikit-learn's
 * order is unconfirmed, §9.4.2).
 *
 * Memory bound: each group keeps at most `maxRowsPerGroup` rows (a seeded reservoir sample), so
 * memory is `2 · maxRowsPerGroup · (features + 1) · 8` bytes and time `O(kept_a · kept_d · features)`.
 * Below the bound the result is exact; above it FT is estimated on the sample and `sampled` says so.
 */
import type { BiasMetricOutcome } from './metrics.js';

export interface FlipTestOptions {
  /** @defaultValue 20000 rows per group. */
  maxRowsPerGroup?: number;
  /** Seed of the reservoir sampler. @defaultValue 13 */
  seed?: number;
}

interface Reservoir {
  rows: Float64Array[];
  predicted: boolean[];
  seen: number;
}

export class FlipTestSample {
  readonly featureCount: number;
  readonly maxRowsPerGroup: number;
  private readonly a: Reservoir = { rows: [], predicted: [], seen: 0 };
  private readonly d: Reservoir = { rows: [], predicted: [], seen: 0 };
  private state: number;

  constructor(featureCount: number, options: FlipTestOptions = {}) {
    this.featureCount = featureCount;
    this.maxRowsPerGroup = options.maxRowsPerGroup ?? 20000;
    this.state = (options.seed ?? 13) >>> 0 || 1;
  }

  /** xorshift32: deterministic, no I/O. */
  private nextUint(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** Adds one row; `features` is copied. */
  add(inFacet: boolean, features: ArrayLike<number>, predictedPositive: boolean): void {
    const r = inFacet ? this.d : this.a;
    r.seen++;
    const row = Float64Array.from(features);
    if (r.rows.length < this.maxRowsPerGroup) {
      r.rows.push(row);
      r.predicted.push(predictedPositive);
      return;
    }
    const j = this.nextUint() % r.seen;
    if (j < this.maxRowsPerGroup) {
      r.rows[j] = row;
      r.predicted[j] = predictedPositive;
    }
  }

  /** True when some rows were left out of the sample (FT is then an estimate). */
  get sampled(): boolean {
    return this.a.seen > this.a.rows.length || this.d.seen > this.d.rows.length;
  }

  compute(): BiasMetricOutcome {
    const { a, d } = this;
    if (d.rows.length === 0) return { error: 'Facet set is empty' };
    if (a.rows.length === 0) return { error: 'Negated Facet set is empty' };
    const k = a.rows.length > 9 ? 5 : 1;
    const bestDist = new Float64Array(k);
    const bestIdx = new Int32Array(k);
    let flips = 0;
    for (let i = 0; i < d.rows.length; i++) {
      const x = d.rows[i] as Float64Array;
      bestDist.fill(Number.POSITIVE_INFINITY);
      bestIdx.fill(-1);
      for (let j = 0; j < a.rows.length; j++) {
        const z = a.rows[j] as Float64Array;
        let s = 0;
        for (let f = 0; f < this.featureCount; f++) {
          const diff = (x[f] ?? 0) - (z[f] ?? 0);
          s += diff * diff;
        }
        // Strictly smaller only, so an equidistant later row never displaces an earlier one.
        if (s >= (bestDist[k - 1] ?? 0)) continue;
        let p = k - 1;
        while (p > 0 && s < (bestDist[p - 1] ?? 0)) {
          bestDist[p] = bestDist[p - 1] ?? 0;
          bestIdx[p] = bestIdx[p - 1] ?? -1;
          p--;
        }
        bestDist[p] = s;
        bestIdx[p] = j;
      }
      let votes = 0;
      for (let m = 0; m < k; m++) if (a.predicted[bestIdx[m] ?? 0]) votes++;
      // scikit-learn's majority vote; a tie (impossible for odd k) goes to the smaller class, 0.
      const neighbours = votes * 2 > k;
      const own = d.predicted[i] ?? false;
      if (own && !neighbours) flips++;
      else if (!own && neighbours) flips--;
    }
    return { value: flips / d.rows.length };
  }
}
