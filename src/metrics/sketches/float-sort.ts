/**
 * Sorting doubles for the KLL sketch (`kll.ts`): level compactions sort a buffer in place (`sortRuns`: runs
 * merged, or an LSD radix sort over the values' bits), and `sortedView` orders positions by value
 * (`orderByValue`, stable). Each is bit for bit the order of the native sort it replaces.
 */

const MAX_RUNS_TO_MERGE = 16;
let scratch = new Float64Array(4096);

// Radix sort buffers: the values' IEEE-754 bits as (low, high) 32-bit words, mapped to unsigned keys that
// sort like the numbers (sign bit flipped for positives, every bit flipped for negatives).
let radixA = new Float64Array(4096);
let radixB = new Float64Array(4096);
const radixCounts = new Uint32Array(8 * 256);
/** The radix sort reads a double's words as (low, high): true on every platform Node ships for but s390x. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The `size` counts at `counts[base…]` (256 for one radix pass, one per bucket of a bucket sort) turned
 * into each value's first position.
 */
function startsOf(counts: Uint32Array, base: number, size = 256): void {
  let sum = 0;
  for (let b = base; b < base + size; b++) {
    const c = counts[b]!;
    counts[b] = sum;
    sum += c;
  }
}

/**
 * The doubles' bits (`out`, as (low, high) words) from their sort keys (`keys`, the same layout), for `n`
 * values: the inverse of the key mapping above.
 */
function bitsOfKeys(keys: Uint32Array, out: Uint32Array, n: number): void {
  for (let i = 0; i < 2 * n; i += 2) {
    const hi = keys[i + 1]!;
    if (hi & 0x80000000) {
      out[i + 1] = hi & 0x7fffffff;
      out[i] = keys[i]!;
    } else {
      out[i + 1] = ~hi >>> 0;
      out[i] = ~keys[i]! >>> 0;
    }
  }
}

/**
 * Sorts finite (or infinite) doubles ascending in place, as `Float64Array.prototype.sort` does (-0 before
 * +0; NaN never reaches a sketch), by a least-significant-digit radix sort over the 8 bytes of each value's
 * bits: about twice as fast as the native sort for the 2050 values of a level-0 compaction (issue 15).
 * Passes whose byte is the same for every value (the exponent of similar values) are skipped.
 */
export function radixSortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (radixA.length < n) {
    radixA = new Float64Array(n * 2);
    radixB = new Float64Array(n * 2);
  }
  radixA.set(values);
  let src = new Uint32Array(radixA.buffer, 0, 2 * n);
  let dst = new Uint32Array(radixB.buffer, 0, 2 * n);
  const counts = radixCounts;
  counts.fill(0);
  for (let i = 0; i < 2 * n; i += 2) {
    let lo = src[i]!;
    let hi = src[i + 1]!;
    if (hi & 0x80000000) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
      src[i] = lo;
    } else hi = (hi | 0x80000000) >>> 0;
    src[i + 1] = hi;
    counts[lo & 255]!++;
    counts[256 + ((lo >>> 8) & 255)]!++;
    counts[512 + ((lo >>> 16) & 255)]!++;
    counts[768 + (lo >>> 24)]!++;
    counts[1024 + (hi & 255)]!++;
    counts[1280 + ((hi >>> 8) & 255)]!++;
    counts[1536 + ((hi >>> 16) & 255)]!++;
    counts[1792 + (hi >>> 24)]!++;
  }
  for (let pass = 0; pass < 8; pass++) {
    const base = pass * 256;
    const word = pass < 4 ? 0 : 1;
    const shift = (pass & 3) * 8;
    if (counts[base + ((src[word]! >>> shift) & 255)] === n) continue; // one byte value: order unchanged
    startsOf(counts, base);
    for (let i = 0; i < 2 * n; i += 2) {
      const j = 2 * counts[base + ((src[i + word]! >>> shift) & 255)]!++;
      dst[j] = src[i]!;
      dst[j + 1] = src[i + 1]!;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  bitsOfKeys(src, new Uint32Array(values.buffer, values.byteOffset, 2 * n), n);
  return values;
}

/**
 * `radixSortFloat64`, faster for the values of most columns (issue 15: 1.3-1.5x on decimals of 4 or 6
 * places): the radix passes run over the high 32 bits only, then values whose high words are equal (rare,
 * or equal values) are put in order of their low words by insertion. Past 4 moves per value on average
 * (many values differing only in their low bits), it sorts again with every pass (`radixSortFloat64`).
 */
export function radixSortByHighWord(values: Float64Array): Float64Array {
  const n = values.length;
  if (radixA.length < n) {
    radixA = new Float64Array(n * 2);
    radixB = new Float64Array(n * 2);
  }
  const bits = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let src = new Uint32Array(radixA.buffer, 0, 2 * n);
  let dst = new Uint32Array(radixB.buffer, 0, 2 * n);
  const counts = radixCounts;
  counts.fill(0, 0, 1024);
  for (let i = 0; i < 2 * n; i += 2) {
    let lo = bits[i]!;
    let hi = bits[i + 1]!;
    if (hi & 0x80000000) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    src[i] = lo;
    src[i + 1] = hi;
    counts[hi & 255]!++;
    counts[256 + ((hi >>> 8) & 255)]!++;
    counts[512 + ((hi >>> 16) & 255)]!++;
    counts[768 + (hi >>> 24)]!++;
  }
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * 256;
    const shift = pass * 8;
    if (counts[base + ((src[1]! >>> shift) & 255)] === n) continue; // one byte value: order unchanged
    startsOf(counts, base);
    for (let i = 0; i < 2 * n; i += 2) {
      const j = 2 * counts[base + ((src[i + 1]! >>> shift) & 255)]!++;
      dst[j] = src[i]!;
      dst[j + 1] = src[i + 1]!;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  // Equal high words: their low words in order (only low words move: the high words of the run are equal).
  let budget = 4 * n;
  for (let a = 1; a < n; a++) {
    const lo = src[2 * a]!;
    const hi = src[2 * a + 1]!;
    if (src[2 * a - 1] !== hi || src[2 * a - 2]! <= lo) continue;
    let b = a - 1;
    do {
      src[2 * b + 2] = src[2 * b]!;
      b--;
      budget--;
    } while (b >= 0 && src[2 * b + 1] === hi && src[2 * b]! > lo);
    src[2 * b + 2] = lo;
    if (budget < 0) return radixSortFloat64(values); // `values` is still as given
  }
  bitsOfKeys(src, bits, n);
  return values;
}

// Bucket sort buffers (`bucketSortFloat64`): each value's bucket, the buckets' counts, and the scattered values.
const BUCKETS = 2048;
const BUCKET_MAX_VALUES = 4096;
const bucketOf = new Uint16Array(BUCKET_MAX_VALUES);
const bucketCounts = new Uint32Array(BUCKETS);
const bucketKeys = new Uint32Array(BUCKET_MAX_VALUES);
const bucketed = new Float64Array(BUCKET_MAX_VALUES);

/**
 * Counts the values' buckets (`bucketOf`, `bucketCounts`) for one of two monotone maps onto 2048 buckets —
 * linear in the value between `min` and `max`, or (`byHighWord`) linear in the sort key of the value's high
 * 32 bits, i.e. close to logarithmic.
 */
function countBuckets(values: Float64Array, min: number, max: number, byHighWord: boolean): void {
  const n = values.length;
  const counts = bucketCounts;
  counts.fill(0);
  if (byHighWord) {
    const bits = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
    const keys = bucketKeys;
    let low = 0xffffffff;
    let high = 0;
    for (let i = 0; i < n; i++) {
      const hi = bits[2 * i + 1]!;
      const key = hi & 0x80000000 ? ~hi >>> 0 : (hi | 0x80000000) >>> 0;
      keys[i] = key;
      if (key < low) low = key;
      if (key > high) high = key;
    }
    const shift = Math.max(0, 32 - Math.clz32(high - low) - 11);
    for (let i = 0; i < n; i++) {
      const b = (keys[i]! - low) >>> shift;
      bucketOf[i] = b;
      counts[b]!++;
    }
  } else {
    const scale = (BUCKETS - 1) / (max - min);
    for (let i = 0; i < n; i++) {
      const b = ((values[i]! - min) * scale) | 0;
      bucketOf[i] = b;
      counts[b]!++;
    }
  }
}

/**
 * The bucket counts turned into each bucket's first position (as `startsOf`), returning the sum of their
 * squares on the way: a measure of the insertion work that would follow (values of one bucket are ordered by
 * insertion).
 */
function bucketStarts(): number {
  const counts = bucketCounts;
  let squares = 0;
  let sum = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const c = counts[b]!;
    counts[b] = sum;
    sum += c;
    squares += c * c;
  }
  return squares;
}

/**
 * Sorts finite doubles ascending in place, bit for bit as `Float64Array.prototype.sort` does (-0 before +0),
 * for the ~2050 values of a level-0 compaction: one pass puts each value in one of 2048 buckets by a map
 * that keeps the order (linear in the value, or in its high bits when the values crowd at one end, as a
 * lognormal column's do), then insertion orders each bucket's few values. 1.5-1.9x as fast as
 * `radixSortByHighWord` on integers, decimals and normal values (issue 15). Values that crowd into a few
 * buckets anyway (past 8 moves per value), infinities and arrays over 4096 values go to
 * `radixSortByHighWord`.
 */
export function bucketSortFloat64(values: Float64Array): Float64Array {
  const sorted = bucketSorted(values);
  if (sorted !== values) values.set(sorted);
  return values;
}

/**
 * `bucketSortFloat64` without the copy back: the values in order, in `values` (sorted in place) or in the
 * bucket sort's scratch array (valid until the next call; `values` is then left as given).
 */
function bucketSorted(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < 2 || n > BUCKET_MAX_VALUES) return n < 2 ? values : radixSortByHighWord(values);
  let min = values[0]!;
  let max = min;
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  if (!(max - min < Number.POSITIVE_INFINITY)) return radixSortByHighWord(values); // infinities
  if (min === max) return min === 0 ? zerosInOrder(values, 0, n) : values; // one value
  // Crowded linear buckets mean skewed values (or many equal ones, which cost no insertion moves): the
  // high-bit map then, which spreads skewed values, unless it crowds them more still (values within a few
  // powers of two, as a column of values in [0, 3) has: past the insertion budget, it fell to the radix sort).
  countBuckets(values, min, max, false);
  const linear = bucketStarts();
  if (linear > 8 * n) {
    countBuckets(values, min, max, true);
    if (bucketStarts() >= linear) {
      countBuckets(values, min, max, false);
      bucketStarts();
    }
  }
  const counts = bucketCounts;
  const out = bucketed.subarray(0, n);
  for (let i = 0; i < n; i++) out[counts[bucketOf[i]!]!++] = values[i]!;
  let budget = 8 * n;
  for (let a = 1; a < n; a++) {
    const v = out[a]!;
    if (!(v < out[a - 1]!)) continue;
    let b = a - 1;
    do {
      out[b + 1] = out[b]!;
      b--;
    } while (b >= 0 && v < out[b]!);
    out[b + 1] = v;
    budget -= a - 1 - b;
    if (budget < 0) return radixSortByHighWord(values); // `values` is still as given
  }
  if (min > 0 || max < 0) return out; // no zeros
  // The zeros (-0 and +0, in arrival order) where they lie: after the values below 0 (a binary search).
  let first = 0;
  let past = n;
  while (first < past) {
    const m = (first + past) >>> 1;
    if (out[m]! < 0) first = m + 1;
    else past = m;
  }
  let end = first;
  while (end < n && out[end] === 0) end++;
  return end - first < 2 ? out : zerosInOrder(out, first, end);
}

/**
 * The zeros at `values[from…to)` (-0 and +0, which compare equal and so stay in arrival order after an
 * insertion) with every -0 first, as the native sort orders them.
 */
function zerosInOrder(values: Float64Array, from: number, to: number): Float64Array {
  let negative = 0;
  for (let i = from; i < to; i++) if (Object.is(values[i], -0)) negative++;
  for (let i = from; i < to; i++) values[i] = i < from + negative ? -0 : 0;
  return values;
}

/**
 * The values in order: `values` itself sorted, or a scratch array holding them (valid until the next call;
 * `values` is then left in some order), which spares a level's compaction the copy back. Buffers above
 * level 0 are made of sorted runs (each compaction of the level below appends one), so they are merged run
 * by run in linear time; anything with more than a few runs (level 0) goes to a bucket sort.
 */
export function sortRuns(values: Float64Array): Float64Array {
  const n = values.length;
  const starts: number[] = [0];
  for (let i = 1; i < n; i++) {
    if (values[i]! < values[i - 1]!) {
      starts.push(i);
      if (starts.length > MAX_RUNS_TO_MERGE) return LITTLE_ENDIAN ? bucketSorted(values) : values.sort();
    }
  }
  if (starts.length === 1) return values;
  if (scratch.length < n) scratch = new Float64Array(n * 2);
  let src: Float64Array = values;
  let dst: Float64Array = scratch.subarray(0, n);
  let runs = starts;
  while (runs.length > 1) {
    const next: number[] = [];
    for (let r = 0; r < runs.length; r += 2) {
      const a = runs[r]!;
      const mid = r + 1 < runs.length ? runs[r + 1]! : n;
      const end = r + 2 < runs.length ? runs[r + 2]! : n;
      next.push(a);
      mergeRuns(src, dst, a, mid, end);
    }
    runs = next;
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/**
 * Merges the sorted runs `src[a…mid)` and `src[mid…end)` into `dst[a…end)`, stably: on a tie (equal values,
 * -0 and +0 among them) the left run's item first. The smallest items are taken from the front and the
 * largest from the back at once, for as many steps as the shorter run has items, without branches (the run
 * taken from is an index computed from the comparison): two independent chains of loads and comparisons
 * instead of one unpredictable branch per item, ~1.4x as fast on a KLL level's runs (issue 15). The middle
 * that remains is merged as usual.
 */
function mergeRuns(src: Float64Array, dst: Float64Array, a: number, mid: number, end: number): void {
  let i = a;
  let j = mid;
  let k = a;
  let iBack = mid - 1;
  let jBack = end - 1;
  let kBack = end - 1;
  // Front and back each take `steps` items, so neither reads past its runs and the two never take one item.
  const steps = Math.min(mid - a, end - mid);
  for (let s = 0; s < steps; s++) {
    const right = +(src[j]! < src[i]!); // 1: the right run's item is the smaller (ties: the left's)
    dst[k++] = src[i + ((j - i) & -right)]!;
    j += right;
    i += 1 - right;
    const left = +(src[iBack]! > src[jBack]!); // 1: the left run's item is the larger (ties: the right's)
    dst[kBack--] = src[jBack + ((iBack - jBack) & -left)]!;
    iBack -= left;
    jBack -= 1 - left;
  }
  while (i <= iBack && j <= jBack) dst[k++] = src[j]! < src[i]! ? src[j++]! : src[i++]!;
  while (i <= iBack) dst[k++] = src[i++]!;
  while (j <= jBack) dst[k++] = src[j++]!;
}

/** The positions of `values` in ascending order of value, ties (and -0 / +0) in position order. */
export function comparisonOrder(values: Float64Array): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // A typed array's sort with a comparator is stable in V8 (merge sort).
  return order.sort((a, b) => values[a]! - values[b]!);
}

/**
 * The same permutation as `comparisonOrder` (a stable sort by value, -0 equal to +0), by a least-significant-
 * digit radix sort of the positions over the values' bits, which is stable: several times faster for the
 * few thousand items of a sketch (`sortedView` runs for every quantile and every drift test on a sketch).
 */
export function stableOrderByValue(values: Float64Array): Uint32Array {
  const n = values.length;
  const bits = new Uint32Array(values.buffer.slice(values.byteOffset, values.byteOffset + 8 * n));
  const keys = new Uint32Array(2 * n);
  const counts = new Uint32Array(8 * 256);
  for (let i = 0; i < n; i++) {
    let lo = bits[2 * i]!;
    let hi = bits[2 * i + 1]!;
    if (hi === 0x80000000 && lo === 0) hi = 0; // -0 sorts as +0 (the comparator calls them equal)
    if (hi & 0x80000000) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    keys[2 * i] = lo;
    keys[2 * i + 1] = hi;
    counts[lo & 255]!++;
    counts[256 + ((lo >>> 8) & 255)]!++;
    counts[512 + ((lo >>> 16) & 255)]!++;
    counts[768 + (lo >>> 24)]!++;
    counts[1024 + (hi & 255)]!++;
    counts[1280 + ((hi >>> 8) & 255)]!++;
    counts[1536 + ((hi >>> 16) & 255)]!++;
    counts[1792 + (hi >>> 24)]!++;
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  for (let pass = 0; pass < 8 && n > 0; pass++) {
    const base = pass * 256;
    const word = pass < 4 ? 0 : 1;
    const shift = (pass & 3) * 8;
    if (counts[base + ((keys[word]! >>> shift) & 255)] === n) continue; // one byte value: order unchanged
    startsOf(counts, base);
    for (let i = 0; i < n; i++) {
      const at = order[i]!;
      next[counts[base + ((keys[2 * at + word]! >>> shift) & 255)]!++] = at;
    }
    const t = order;
    order = next;
    next = t;
  }
  return order;
}

/**
 * The positions of `values` in ascending order of value, ties (and -0 / +0) in position order: the radix
 * sort where a double's words read as (low, high), else the comparator sort.
 */
export function orderByValue(values: Float64Array): Uint32Array {
  return LITTLE_ENDIAN ? stableOrderByValue(values) : comparisonOrder(values);
}
