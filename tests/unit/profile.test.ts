import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/random.js';
import { DatasetProfile } from '../../src/metrics/profile/dataset-profile.js';
import { classifyText, inferColumnType, parsed, ValueClass } from '../../src/metrics/profile/infer-type.js';
import {
  bucketSortFloat64,
  radixSortByHighWord,
  radixSortFloat64,
  sortRuns,
  stableOrderByValue,
} from '../../src/metrics/sketches/float-sort.js';
import { HyperLogLog, hashNumber, hashString } from '../../src/metrics/sketches/hll.js';
import { KllSketch } from '../../src/metrics/sketches/kll.js';

const fixtures = new URL('../fixtures/profile/', import.meta.url);
interface Ref {
  rows: number;
  columns: Record<
    string,
    {
      count: number;
      missing: number;
      sum: number;
      mean: number;
      std: number;
      min: number;
      max: number;
      distinct: number;
      quantiles: Record<string, number>;
    }
  >;
}
const reference = JSON.parse(readFileSync(new URL('reference.json', fixtures), 'utf8')) as Ref;

function profileOfFixture(): DatasetProfile {
  const [header, ...lines] = readFileSync(new URL('data.csv', fixtures), 'utf8').trim().split('\n');
  const profile = new DatasetProfile(header!.split(','));
  for (const line of lines) profile.addRow(line.split(','));
  return profile;
}

function relClose(actual: number, expected: number, rel = 1e-9): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

/** Exact inverted-CDF quantile of sorted values, for the property tests. */
function exactRank(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

describe('column profile against numpy (tests/fixtures/profile/generate.py)', () => {
  const profile = profileOfFixture();
  for (const [name, ref] of Object.entries(reference.columns)) {
    it(`${name}: count, sum, mean, population std, min, max exactly; quantiles within the KLL bound; distinct within 2%`, () => {
      const column = profile.column(name)!;
      expect(profile.itemCount).toBe(reference.rows);
      expect(column.numPresent).toBe(ref.count);
      expect(profile.numMissing(column)).toBe(ref.missing);
      relClose(column.moments.sum, ref.sum);
      relClose(column.moments.sum / column.moments.count, ref.mean);
      relClose(column.moments.std, ref.std);
      expect(column.moments.min).toBe(ref.min);
      expect(column.moments.max).toBe(ref.max);
      const bound = Math.max(column.kll.rankErrorBound(), 1 / ref.count);
      for (const [q, expected] of Object.entries(ref.quantiles)) {
        const estimate = column.kll.quantile(Number(q));
        // The rank of the estimate (in the sketch's own terms) must be within the bound of q.
        const rankOfEstimate = column.kll.rank(estimate, true) / column.kll.count;
        expect(rankOfEstimate).toBeGreaterThanOrEqual(Number(q) - bound);
        // And the estimate must sit within the bound of the exact quantile, measured in rank.
        const lo = column.kll.quantile(Math.max(0, Number(q) - bound));
        const hi = column.kll.quantile(Math.min(1, Number(q) + bound));
        expect(expected).toBeGreaterThanOrEqual(Math.min(lo, estimate));
        expect(expected).toBeLessThanOrEqual(Math.max(hi, estimate));
      }
      expect(Math.abs(column.distinct.estimate() - ref.distinct) / ref.distinct).toBeLessThan(0.02);
    });
  }
});

describe('KLL sketch', () => {
  it('sorts compactor buffers made of sorted runs (merged) and random ones (native) exactly like a sort', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { maxLength: 300 }), {
          maxLength: 40,
        }),
        fc.boolean(),
        (runs, sortEach) => {
          const parts = runs.map((r) => (sortEach ? [...r].sort((a, b) => a - b) : r));
          const values = Float64Array.from(parts.flat());
          const expected = Float64Array.from(values).sort();
          // -0 and +0 compare equal, so their order among themselves is free: compare them as +0.
          const plain = (a: Float64Array) => Array.from(a, (x) => x + 0);
          expect(plain(sortRuns(values))).toEqual(plain(expected));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('merges up to 16 sorted runs stably, bit for bit: ties and -0/+0 in position order (issue 15)', () => {
    // Few distinct values, so that runs tie often, across the branch-free front and back and the middle.
    const item = fc.constantFrom(0, -0, 1, -1, 2, 2.5, Infinity, -Infinity, Number.MIN_VALUE);
    fc.assert(
      fc.property(fc.array(fc.array(item, { maxLength: 200 }), { minLength: 1, maxLength: 16 }), (runs) => {
        // Each run in order (-0 and +0 left as they came: equal for the order); a stable sort merges them.
        const parts = runs.map((r) => [...r].sort((a, b) => a - b));
        const values = Float64Array.from(parts.flat());
        const expected = Array.from(values).sort((a, b) => a - b);
        const sorted = Array.from(sortRuns(values));
        expect(sorted.map((x, i) => Object.is(x, expected[i]))).not.toContain(false);
      }),
      { numRuns: 300 },
    );
  });

  it('radix-sorts doubles bit for bit like Float64Array.prototype.sort (-0 before +0, infinities, subnormals)', () => {
    const special = fc.constantFrom(0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, 1, -1);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true }), special, fc.integer({ min: -3, max: 3 })), {
          maxLength: 3000,
        }),
        (list) => {
          const values = Float64Array.from(list);
          const expected = Float64Array.from(values).sort();
          const sorted = radixSortFloat64(values);
          expect(sorted).toBe(values);
          for (let i = 0; i < expected.length; i++) expect(Object.is(sorted[i], expected[i])).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
    // Past the initial scratch size (4096 values), and values sharing all their high bytes.
    const big = Float64Array.from({ length: 10_000 }, (_, i) => 1 + ((i * 7919) % 10_000) * 2 ** -40);
    const expected = Float64Array.from(big).sort();
    expect(Array.from(radixSortFloat64(big))).toEqual(Array.from(expected));
  });

  it('radix-sorts by high words then low words bit for bit like Float64Array.prototype.sort', () => {
    const special = fc.constantFrom(0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, 1, -1);
    // Values sharing their high 32 bits (differing in the low mantissa bits only), on both signs.
    const sameHigh = fc
      .tuple(fc.constantFrom(1, -1, 1.5, -2, 1e-300, 123.25), fc.integer({ min: 0, max: 2 ** 20 }))
      .map(([base, k]) => base + Math.sign(base) * k * Math.abs(base) * 2 ** -52);
    const decimals = fc.integer({ min: -500_000, max: 1_500_000 }).map((k) => Number((k / 1e4).toFixed(4)));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.double({ noNaN: true }), special, sameHigh, decimals, fc.integer({ min: -3, max: 3 })),
          {
            maxLength: 3000,
          },
        ),
        (list) => {
          const values = Float64Array.from(list);
          const expected = Float64Array.from(values).sort();
          const sorted = radixSortByHighWord(values);
          expect(sorted).toBe(values);
          for (let i = 0; i < expected.length; i++) expect(Object.is(sorted[i], expected[i])).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    // Many values differing only in their low bits: past the insertion budget, the full radix sort.
    const big = Float64Array.from({ length: 10_000 }, (_, i) => 1 + ((i * 7919) % 10_000) * 2 ** -40);
    const expected = Float64Array.from(big).sort();
    expect(Array.from(radixSortByHighWord(big))).toEqual(Array.from(expected));
  });

  it('bucket-sorts doubles bit for bit like Float64Array.prototype.sort (skewed, tied, signed zeros, infinities)', () => {
    const special = fc.constantFrom(0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, 1, -1);
    const decimals = fc.integer({ min: -500_000, max: 1_500_000 }).map((k) => Number((k / 1e4).toFixed(4)));
    const lognormal = fc.double({ min: -8, max: 8, noNaN: true }).map((x) => Math.exp(x * x * Math.sign(x)));
    const zeros = fc.constantFrom(0, -0);
    const columns = [
      fc.oneof(fc.double({ noNaN: true }), special, decimals),
      fc.oneof(decimals, zeros),
      lognormal,
      fc.oneof(zeros, fc.constantFrom(1, 2)),
      fc.integer({ min: -100, max: 900 }).map((k) => Math.round(k / 7)),
      zeros,
    ];
    for (const cell of columns) {
      fc.assert(
        fc.property(fc.array(cell, { maxLength: 3000 }), (list) => {
          const values = Float64Array.from(list);
          const expected = Float64Array.from(values).sort();
          const sorted = bucketSortFloat64(values);
          expect(sorted).toBe(values);
          for (let i = 0; i < expected.length; i++) expect(Object.is(sorted[i], expected[i])).toBe(true);
        }),
        { numRuns: 60 },
      );
    }
    // Past the buckets' 4096 values (the radix sort), values crowding one bucket (past the insertion budget),
    // and skewed values in [0, 3) with zeros, which crowd the high-bit map more than the linear one.
    const random = mulberry32(7);
    for (const big of [
      Float64Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_000),
      Float64Array.from({ length: 3000 }, (_, i) => (i === 0 ? 1e9 : 1 + ((i * 7919) % 3000) * 2 ** -40)),
      Float64Array.from({ length: 3000 }, (_, i) =>
        i % 500 === 0 ? (i % 1000 === 0 ? 0 : -0) : Math.round(3 * random() ** 2.5 * 1e6) / 1e6,
      ),
    ]) {
      const expected = Array.from(Float64Array.from(big).sort());
      expect(Array.from(bucketSortFloat64(big)).map((x, i) => Object.is(x, expected[i]))).not.toContain(
        false,
      );
    }
  });

  it('orders positions by value stably (ties and -0/+0 in position order), like a comparator sort', () => {
    const special = fc.constantFrom(0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true }), special, fc.integer({ min: -3, max: 3 })), {
          maxLength: 3000,
        }),
        (list) => {
          const values = Float64Array.from(list);
          const expected = Uint32Array.from(values, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
          expect(Array.from(stableOrderByValue(values))).toEqual(Array.from(expected));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same sorted view as before the radix order (values and weights, ties across levels)', () => {
    const random = mulberry32(5);
    const sketch = new KllSketch();
    for (let i = 0; i < 200_000; i++) sketch.update(Math.floor(random() * 500) / 4);
    const levels = sketch.levels();
    expect(levels.length).toBeGreaterThan(3);
    const flat = levels.flatMap((level, h) => level.map((v) => [v, 2 ** h] as const));
    const order = flat.map((_, i) => i).sort((a, b) => flat[a]![0] - flat[b]![0]);
    const view = sketch.sortedView();
    expect(Array.from(view.values)).toEqual(order.map((i) => flat[i]![0]));
    expect(Array.from(view.weights)).toEqual(order.map((i) => flat[i]![1]));
  });

  it('updateBatch leaves the sketch exactly as value-by-value updates do (also after fromJSON and merge)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (batches, start, seed) => {
          const random = mulberry32(seed);
          // Start empty, from a state written to JSON (over its capacity), or after a merge.
          const first = new KllSketch();
          for (let i = 0; i < 7000; i++) first.update(random());
          const make = () =>
            start === 0
              ? new KllSketch()
              : start === 1
                ? KllSketch.fromJSON({
                    levels: [
                      [...first.levels()[0]!, ...first.levels()[0]!],
                      [1, 2, 3],
                    ],
                  })
                : new KllSketch().merge(first);
          const batched = make();
          const single = make();
          for (const size of batches) {
            const values = Float64Array.from({ length: size }, () => Math.floor(random() * 1000) / 8);
            if (random() < 0.05) values[Math.floor(random() * size)] = Number.NaN;
            batched.updateBatch(values, size);
            for (let i = 0; i < size; i++) single.update(values[i]!);
          }
          expect(batched.toJSON()).toEqual(single.toJSON());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('holds every value in arrival order up to 2050 values, as SageMaker does', () => {
    const sketch = new KllSketch();
    for (let i = 0; i < 2050; i++) sketch.update(2050 - i);
    expect(sketch.levels()).toHaveLength(1);
    expect(sketch.levels()[0]![0]).toBe(2050);
    expect(sketch.count).toBe(2050);
    sketch.update(0);
    expect(sketch.levels().length).toBe(2);
    expect(sketch.count).toBe(2051);
  });

  it('keeps quantile rank errors within rankErrorBound on 1M values', () => {
    const rand = mulberry32(7);
    const n = 1_000_000;
    const values = new Float64Array(n);
    const sketch = new KllSketch();
    for (let i = 0; i < n; i++) {
      const v = Math.log(rand()) * -3 + (rand() < 0.1 ? 100 : 0);
      values[i] = v;
      sketch.update(v);
    }
    values.sort();
    const bound = sketch.rankErrorBound();
    expect(bound).toBeGreaterThan(0);
    expect(bound).toBeLessThan(0.01);
    let worst = 0;
    for (let q = 0.01; q < 1; q += 0.01) {
      const x = values[Math.floor(q * n)]!;
      const err = Math.abs(sketch.rank(x, true) - exactRank(values, x)) / n;
      worst = Math.max(worst, err);
    }
    expect(worst).toBeLessThanOrEqual(bound);
    expect(sketch.size).toBeLessThan(10_000);
  });

  it('merge(a, b) summarises a ++ b within the error bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer(),
        (na, nb, seed) => {
          const rand = mulberry32(seed);
          const a = new KllSketch();
          const b = new KllSketch();
          const all: number[] = [];
          for (let i = 0; i < na; i++) {
            const v = rand() * 100;
            a.update(v);
            all.push(v);
          }
          for (let i = 0; i < nb; i++) {
            const v = rand() * 50 + 25;
            b.update(v);
            all.push(v);
          }
          const merged = KllSketch.fromJSON(a.toJSON()).merge(b);
          expect(merged.count).toBe(na + nb);
          if (na + nb === 0) return;
          const sorted = Float64Array.from(all).sort();
          const bound = merged.rankErrorBound() + 1e-12;
          for (const x of [10, 30, 50, 70, 90]) {
            expect(Math.abs(merged.rank(x, true) - exactRank(sorted, x)) / (na + nb)).toBeLessThanOrEqual(
              bound,
            );
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('HyperLogLog', () => {
  it('puts every hash in the register and rank the modulo formulas give (bit operations, issue 15)', () => {
    // The registers as first written: index = hash % 2^14, rank from the remaining 39 bits.
    const reference = (hashes: number[]): Uint8Array => {
      const registers = new Uint8Array(16384);
      for (const hash of hashes) {
        const index = hash % 16384;
        const rest = (hash - index) / 16384;
        const hi = Math.floor(rest / 4294967296);
        const rank = hi !== 0 ? Math.clz32(hi) - 25 + 1 : 7 + Math.clz32(rest >>> 0) + 1;
        if (rank > registers[index]!) registers[index] = rank;
      }
      return registers;
    };
    const edges = [
      0,
      1,
      16383,
      16384,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 16384,
      2 ** 46 - 1,
      2 ** 46,
      2 ** 53 - 1,
    ];
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = mulberry32(seed);
      const hashes = [...edges];
      // 53-bit hashes with every bit in play (fast-check's integers favour small, repeated values).
      for (let i = 0; i < 3000; i++)
        hashes.push(Math.floor(random() * 2 ** 21) * 2 ** 32 + Math.floor(random() * 2 ** 32));
      const hll = new HyperLogLog();
      for (const h of hashes) hll.addHash(h);
      const registers = hll.toJSON().registers;
      expect(registers).toBeDefined();
      expect(Buffer.from(registers!, 'base64').equals(Buffer.from(reference(hashes)))).toBe(true);
    }
    // Exact mode: the same set of hashes, whatever the table's slots.
    const few = [...edges, 12345, 2 ** 40 + 7];
    const exact = new HyperLogLog();
    for (const h of few) exact.addHash(h);
    expect(exact.toJSON().exact).toEqual([...new Set(few)].sort((a, b) => a - b));
    expect(() => HyperLogLog.fromJSON({ p: 14, exact: [1.5] })).toThrow(RangeError);
  });

  it('addNumbers equals addHash(hashNumber(x)) for every x, in exact mode, registers mode and between (issue 15)', () => {
    const special = [
      0,
      -0,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      1.1125369292536007e-308, // subnormal
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      1e308,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      1,
      -1,
      42,
      2 ** 31,
      2 ** 32,
      2 ** 53,
      -(2 ** 53),
      0.1,
      -0.1,
    ];
    for (const seed of [1, 2, 3]) {
      const random = mulberry32(seed);
      // Random bit patterns (every exponent, NaN payloads included), integers and decimals of a few places.
      const words = new Uint32Array(2 * 6000);
      for (let i = 0; i < words.length; i++) words[i] = Math.floor(random() * 2 ** 32);
      const values = new Float64Array(words.buffer);
      for (let i = 0; i < 6000; i += 3) {
        values[i + 1] = Math.round((random() - 0.5) * 2 ** 20);
        values[i + 2] = Math.round((random() - 0.5) * 1e8) / 1e4;
      }
      values.set(special, 100);
      values.set(special, 4000);
      // Batches of several sizes, one of them from a view not at its buffer's start.
      for (const [from, batch] of [
        [0, 1],
        [0, 7],
        [3, 1024],
        [0, 6000],
      ] as const) {
        const expected = new HyperLogLog();
        const actual = new HyperLogLog();
        for (let i = from; i < values.length; i += batch) {
          const part = values.subarray(i, Math.min(values.length, i + batch));
          for (const x of part) expected.addHash(hashNumber(x));
          actual.addNumbers(part, part.length);
          // Exact until 2048 distinct hashes, then registers: compare on the way, and around the change.
          if (i % 199 < batch || (i > 2030 && i < 2070) || i + batch >= values.length)
            expect(actual.toJSON()).toEqual(expected.toJSON());
        }
        expect(actual.toJSON().registers).toBeDefined();
      }
    }
    // Only exact: a few values, -0 and 0 one hash.
    const few = new HyperLogLog();
    few.addNumbers(Float64Array.from(special), special.length);
    const reference = new HyperLogLog();
    for (const x of special) reference.addHash(hashNumber(x));
    expect(few.toJSON()).toEqual(reference.toJSON());
    expect(few.estimate()).toBe(special.length - 1);
  });

  it('is exact for few values and within 2% for many', () => {
    const small = new HyperLogLog();
    for (let i = 0; i < 1000; i++) small.addHash(hashString(`v${i % 700}`));
    expect(small.estimate()).toBe(700);
    for (const n of [5_000, 100_000, 1_000_000]) {
      const hll = new HyperLogLog();
      for (let i = 0; i < n; i++) hll.addHash(hashString(`id-${i}`));
      expect(Math.abs(hll.estimate() - n) / n).toBeLessThan(0.02);
    }
  });

  it('merges to the estimate of the union', () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    for (let i = 0; i < 60_000; i++) a.addHash(hashString(`k${i}`));
    for (let i = 30_000; i < 90_000; i++) b.addHash(hashString(`k${i}`));
    const merged = HyperLogLog.fromJSON(a.toJSON()).merge(b);
    expect(Math.abs(merged.estimate() - 90_000) / 90_000).toBeLessThan(0.02);
  });
});

describe('Deequ type inference (spec §3.2)', () => {
  const cases: Array<[string, ValueClass, number?]> = [
    ['42', ValueClass.Integral, 42],
    ['-7', ValueClass.Integral, -7],
    ['+ 3', ValueClass.Integral, 3],
    [' 3', ValueClass.Integral, 3],
    ['-0', ValueClass.Integral, 0],
    ['3.0', ValueClass.Fractional, 3],
    ['1e5', ValueClass.Fractional, 1e5],
    ['1.5E-3', ValueClass.Fractional, 1.5e-3],
    ['1e309', ValueClass.Fractional, Number.POSITIVE_INFINITY],
    ['123456789012345678901', ValueClass.Integral, Number('123456789012345678901')],
    ['3.', ValueClass.String],
    ['.5', ValueClass.String],
    ['3 ', ValueClass.String],
    ['NaN', ValueClass.String],
    ['Infinity', ValueClass.String],
    ['true', ValueClass.Boolean],
    ['True', ValueClass.String],
    ['__proto__', ValueClass.String],
    ['', ValueClass.Unknown],
  ];
  it.each(cases)('%j is %s', (text, cls, value) => {
    expect(classifyText(text)).toBe(cls);
    if (value !== undefined) expect(Object.is(parsed.value, value)).toBe(true);
  });

  it('derives the column type from the classes seen', () => {
    expect(inferColumnType({ integral: 3, fractional: 1, boolean: 0, string: 0 })).toBe('Fractional');
    expect(inferColumnType({ integral: 3, fractional: 0, boolean: 0, string: 0 })).toBe('Integral');
    expect(inferColumnType({ integral: 3, fractional: 0, boolean: 0, string: 1 })).toBe('String');
    expect(inferColumnType({ integral: 1, fractional: 0, boolean: 1, string: 0 })).toBe('String');
    expect(inferColumnType({ integral: 0, fractional: 0, boolean: 2, string: 0 })).toBe('Boolean');
    expect(inferColumnType({ integral: 0, fractional: 0, boolean: 0, string: 0 })).toBe('Unknown');
  });
});

describe('dataset profile', () => {
  it('merge(a, b) equals profile(a ++ b) for counts, moments and categories, and survives JSON', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true })),
            fc.constantFrom('a', 'b', '__proto__', '<script>', ''),
          ),
          {
            maxLength: 300,
          },
        ),
        fc.nat(300),
        (rows, cut) => {
          const cells = rows.map(([x, s]) => [x === null ? null : String(x), s]);
          const whole = new DatasetProfile(['x', 's']);
          for (const r of cells) whole.addRow(r);
          const a = new DatasetProfile(['x', 's']);
          const b = new DatasetProfile(['s', 'x']);
          const k = Math.min(cut, cells.length);
          for (const r of cells.slice(0, k)) a.addRow(r);
          for (const r of cells.slice(k)) b.addRow([r[1], r[0]]);
          const merged = DatasetProfile.fromJSON(JSON.parse(JSON.stringify(a.toJSON()))).merge(
            DatasetProfile.fromJSON(JSON.parse(JSON.stringify(b.toJSON()))),
          );
          expect(merged.itemCount).toBe(whole.itemCount);
          for (const name of ['x', 's']) {
            const m = merged.column(name)!;
            const w = whole.column(name)!;
            expect(m.numPresent).toBe(w.numPresent);
            expect(m.moments.count).toBe(w.moments.count);
            expect(Math.abs(m.moments.sum - w.moments.sum)).toBeLessThanOrEqual(
              1e-6 * Math.max(1, Math.abs(w.moments.sum)),
            );
            if (w.moments.count > 0) {
              expect(m.moments.min).toBe(w.moments.min);
              expect(m.moments.max).toBe(w.moments.max);
              expect(Math.abs(m.moments.std - w.moments.std)).toBeLessThanOrEqual(
                1e-6 * Math.max(1, w.moments.std),
              );
            }
            expect(new Map(m.categories)).toEqual(new Map(w.categories));
            expect(m.distinct.estimate()).toBe(w.distinct.estimate());
            expect(m.inferredType).toBe(w.inferredType);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('counts rows seen before a column appeared as missing', () => {
    const p = new DatasetProfile(['a']);
    p.addRow(['1']);
    p.addRow(['2']);
    const j = p.columnIndex('late');
    const row: string[] = [];
    row[0] = '3';
    row[j] = 'x';
    p.addRow(row);
    expect(p.numMissing(p.column('late')!)).toBe(2);
    expect(p.numMissing(p.column('a')!)).toBe(0);
  });

  it('keeps untrusted column and category names as data (no prototype pollution)', () => {
    const p = new DatasetProfile(['__proto__', 'constructor']);
    p.addRow(['__proto__', 'toString']);
    expect(p.column('__proto__')!.categories.get('__proto__')).toBe(1);
    const json = JSON.parse(JSON.stringify(p.toJSON()));
    const back = DatasetProfile.fromJSON(json);
    expect(back.columnNames).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).toString).toBe(Object.prototype.toString);
  });
});
