/**
 * Count, compensated sum, mean and population variance (Welford's update, Chan et al.'s pairwise merge),
 * min and max. Mergeable and associative up to floating-point rounding.
 *
 * - `sum` uses Neumaier's compensated summation so it matches numpy's (pairwise) sum to ~1e-15 relative.
 * - `variance` is the population variance M2 / n (SageMaker's `std_dev` is population, spec §3.1).
 */
export interface MomentsState {
  count: number;
  sum: number;
  compensation: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

/**
 * Mergeable count, mean, population variance, compensated sum, min and max of numbers (Welford's update,
 * Chan et al.'s merge).
 */
export class Moments {
  count = 0;
  #sum = 0;
  #compensation = 0;
  mean = 0;
  m2 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** Adds one value. */
  add(x: number): void {
    const n = ++this.count;
    const t = this.#sum + x;
    if (Math.abs(this.#sum) >= Math.abs(x)) this.#compensation += this.#sum - t + x;
    else this.#compensation += x - t + this.#sum;
    this.#sum = t;
    const delta = x - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /** Adds `values[0..n)`: the same arithmetic as `add`, in one loop. */
  addBatch(values: Float64Array, n: number): void {
    let count = this.count;
    let sum = this.#sum;
    let compensation = this.#compensation;
    let mean = this.mean;
    let m2 = this.m2;
    let min = this.min;
    let max = this.max;
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      count++;
      const t = sum + x;
      if (Math.abs(sum) >= Math.abs(x)) compensation += sum - t + x;
      else compensation += x - t + sum;
      sum = t;
      const delta = x - mean;
      mean += delta / count;
      m2 += delta * (x - mean);
      if (x < min) min = x;
      if (x > max) max = x;
    }
    this.count = count;
    this.#sum = sum;
    this.#compensation = compensation;
    this.mean = mean;
    this.m2 = m2;
    this.min = min;
    this.max = max;
  }

  get sum(): number {
    return this.#sum + this.#compensation;
  }

  /** Population variance (divide by n); NaN when empty. */
  get variance(): number {
    return this.count === 0 ? Number.NaN : Math.max(0, this.m2 / this.count);
  }

  get std(): number {
    return Math.sqrt(this.variance);
  }

  /** Adds another set of moments to this one. */
  merge(other: Moments | MomentsState): this {
    const o = other instanceof Moments ? other.toJSON() : other;
    if (o.count === 0) return this;
    if (this.count === 0) {
      this.#assign(o);
      return this;
    }
    const n = this.count + o.count;
    const delta = o.mean - this.mean;
    this.m2 = this.m2 + o.m2 + (delta * delta * this.count * o.count) / n;
    this.mean = this.mean + (delta * o.count) / n;
    this.count = n;
    // Neumaier-add the other's sum and compensation.
    for (const x of [o.sum, o.compensation]) {
      const t = this.#sum + x;
      if (Math.abs(this.#sum) >= Math.abs(x)) this.#compensation += this.#sum - t + x;
      else this.#compensation += x - t + this.#sum;
      this.#sum = t;
    }
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    return this;
  }

  #assign(o: MomentsState): void {
    this.count = o.count;
    this.#sum = o.sum;
    this.#compensation = o.compensation;
    this.mean = o.mean;
    this.m2 = o.m2;
    this.min = o.min;
    this.max = o.max;
  }

  /** The JSON form. */
  toJSON(): MomentsState {
    return {
      count: this.count,
      sum: this.#sum,
      compensation: this.#compensation,
      mean: this.mean,
      m2: this.m2,
      min: this.min,
      max: this.max,
    };
  }

  /** Moments from their JSON form. */
  static fromJSON(state: MomentsState): Moments {
    const m = new Moments();
    m.#assign(state);
    return m;
  }
}
