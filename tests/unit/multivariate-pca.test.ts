/**
 * PCA data reconstruction (issue 14, item 3) against numpy (tests/fixtures/pca/generate.py →
 * reference.json): means, standard deviations, eigenvalues, kept components and every row's error;
 * co-moments merged from parts equal one pass; a correlation flip with unchanged marginals raises the
 * window's mean reconstruction error.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mulberry32, normalSampler } from '../../src/core/random.js';
import {
  CoMoments,
  fitPca,
  fitReconstructionBaseline,
  jacobiEigen,
  type PcaModel,
  ReconstructionMean,
  reconstructionError,
  reconstructionScorer,
} from '../../src/metrics/multivariate/pca.js';

const ref = JSON.parse(readFileSync(new URL('../fixtures/pca/reference.json', import.meta.url), 'utf8')) as {
  share: number;
  rows: number[][];
  mean: number[];
  std: number[];
  eigenvalues: number[];
  k: number;
  explained_variance_ratio: number;
  errors: number[];
  mean_error: number;
  one_hot: {
    numeric: number[][];
    categories: string[];
    listed: string[];
    k: number;
    error_mean: number;
    error_std: number;
    holdout_rows: number;
  };
};

function close(a: number, b: number, rel = 1e-9): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
}

describe('PCA reconstruction', () => {
  it('matches numpy', () => {
    const co = new CoMoments(ref.mean.length);
    for (const r of ref.rows) co.add(r);
    const model = fitPca(co, ref.share);
    ref.mean.forEach((m, i) => {
      close(model.mean[i] as number, m);
    });
    ref.std.forEach((s, i) => {
      close(model.std[i] as number, s);
    });
    ref.eigenvalues.forEach((v, i) => {
      close(model.eigenvalues[i] as number, v, 1e-8);
    });
    expect(model.components.length).toBe(ref.k);
    close(model.explained_variance_ratio, ref.explained_variance_ratio, 1e-8);
    const mean = new ReconstructionMean();
    ref.rows.forEach((r, i) => {
      const e = reconstructionError(model, r);
      close(e, ref.errors[i] as number, 1e-7);
      mean.add(e);
    });
    close(mean.mean, ref.mean_error, 1e-8);
  });

  it('with a categorical feature one-hot encoded, fit on even rows and held-out errors match numpy', () => {
    const oh = ref.one_hot;
    const b = fitReconstructionBaseline(
      ['a', 'b'],
      oh.numeric.length,
      (r, c) => (c < 2 ? (oh.numeric[r]?.[c] as number) : oh.categories[r] === oh.listed[c - 2] ? 1 : 0),
      ref.share,
      [{ name: 'c', categories: oh.listed }],
    );
    expect(b?.one_hot).toEqual([{ name: 'c', categories: oh.listed }]);
    expect(b?.model.d).toBe(4);
    expect(b?.model.components.length).toBe(oh.k);
    expect(b?.holdout_rows).toBe(oh.holdout_rows);
    close(b?.error_mean as number, oh.error_mean, 1e-8);
    close(b?.error_std as number, oh.error_std, 1e-7);
  });

  it('the hot-path error (kept or discarded directions, whichever is fewer) equals reconstructionError', () => {
    const co = new CoMoments(ref.mean.length);
    for (const r of ref.rows) co.add(r);
    for (const share of [0.3, ref.share, 0.99]) {
      const model = fitPca(co, share);
      const errorOf = reconstructionScorer(model);
      // Compared squared: ‖z‖² − Σ(w·z)² loses ~1e-15·‖z‖² to cancellation, which a square root turns into
      // ~3e-8 for a row lying in the kept span (the sum over the discarded directions does not cancel).
      for (const r of ref.rows) close(errorOf(r, []) ** 2, reconstructionError(model, r) ** 2, 1e-12);
    }
  });

  it('the hot-path error with one-hot features looked up by category equals reconstructionError of the encoded row', () => {
    // 3 numeric columns, then features of 3 and 2 indicators; categories depend on the numbers.
    const rand = mulberry32(11);
    const normal = normalSampler(rand);
    const rows: Array<{ numeric: number[]; codes: number[] }> = [];
    for (let i = 0; i < 3000; i++) {
      const x = normal();
      const numeric = [x, 0.7 * x + normal(), normal() * 3 + 1];
      const a = x > 0.5 ? 0 : x > -0.5 ? 1 : rand() < 0.5 ? 2 : -1;
      const b = rand() < 0.6 ? 0 : rand() < 0.8 ? 1 : -1;
      rows.push({ numeric, codes: [a, b] });
    }
    const encode = ({ numeric, codes }: { numeric: number[]; codes: number[] }) => [
      ...numeric,
      ...[0, 1, 2].map((j) => (codes[0] === j ? 1 : 0)),
      ...[0, 1].map((j) => (codes[1] === j ? 1 : 0)),
    ];
    const co = new CoMoments(8);
    for (const r of rows) co.add(encode(r));
    let complementUsed = false;
    for (const share of [0.3, 0.65, 0.95]) {
      const model = fitPca(co, share);
      if (8 - model.components.length < model.components.length) complementUsed = true;
      const errorOf = reconstructionScorer(model, [3, 2]);
      for (const r of rows)
        close(errorOf(r.numeric, r.codes) ** 2, reconstructionError(model, encode(r)) ** 2, 1e-11);
      // A category index outside the listed ones sets no indicator, like −1.
      close(
        errorOf([0.1, 0.2, 0.3], [7, 5]) ** 2,
        reconstructionError(model, [0.1, 0.2, 0.3, 0, 0, 0, 0, 0]) ** 2,
        1e-11,
      );
    }
    expect(complementUsed).toBe(true);
    expect(() => reconstructionScorer(fitPca(co, 0.65), [3, 3, 3])).toThrow(RangeError);
  });

  it('the hot-path error is to the bit the sum of one dot product after the other, for any number of directions', () => {
    /**
     * The scorer's arithmetic written plainly: z = (x − mean) / std; each direction's dot product summed over
     * the numeric dimensions, then the one-hot features' shares; the squares added in direction order.
     */
    function oneAtATime(model: PcaModel, widths: number[], numeric: number[], codes: number[]): number {
      const d = model.d;
      const p = d - widths.reduce((a, w) => a + w, 0);
      const kept = model.components.length;
      const complement = d - kept < kept;
      let basis = model.components;
      if (complement) {
        const proj = new Float64Array(d * d);
        for (let i = 0; i < d; i++)
          for (let j = 0; j < d; j++) {
            let wij = 0;
            for (const c of model.components) wij += (c[i] as number) * (c[j] as number);
            proj[i * d + j] = (i === j ? 1 : 0) - wij;
          }
        const { values, vectors } = jacobiEigen(proj, d);
        basis = values
          .map((v, i) => [v, i] as const)
          .filter(([v]) => v > 0.5)
          .map(([, i]) => Array.from({ length: d }, (_, r) => vectors[r * d + i] as number));
      }
      const z = numeric.map((x, i) => (x - (model.mean[i] as number)) / (model.std[i] as number));
      let norm2 = 0;
      for (const zi of z) norm2 += zi * zi;
      // Each one-hot block's share, computed as the scorer's set-up does (per category, then looked up).
      const blockNorm: number[] = [];
      const blockDots: number[][] = [];
      for (let f = 0, first = p; f < widths.length; f++) {
        const width = widths[f] as number;
        const c = (codes[f] as number) >= 0 && (codes[f] as number) < width ? (codes[f] as number) : -1;
        let n2 = 0;
        const dots = basis.map(() => 0);
        for (let i = 0; i < width; i++) {
          const dim = first + i;
          const zi = ((i === c ? 1 : 0) - (model.mean[dim] as number)) / (model.std[dim] as number);
          n2 += zi * zi;
          basis.forEach((b, j) => {
            dots[j] = (dots[j] as number) + (b[dim] as number) * zi;
          });
        }
        blockNorm.push(n2);
        blockDots.push(dots);
        first += width;
      }
      for (const n2 of blockNorm) norm2 += n2;
      let proj2 = 0;
      basis.forEach((b, j) => {
        let dot = 0;
        for (let i = 0; i < p; i++) dot += (b[i] as number) * (z[i] as number);
        for (const dots of blockDots) dot += dots[j] as number;
        proj2 += dot * dot;
      });
      return Math.sqrt(Math.max(0, complement ? proj2 : norm2 - proj2));
    }
    const rand = mulberry32(21);
    const normal = normalSampler(rand);
    const directions = new Set<number>();
    for (const [p, widths] of [
      [20, []],
      [6, [3, 4]],
      [3, [2, 2, 5]],
    ] as Array<[number, number[]]>) {
      const d = p + widths.reduce((a, w) => a + w, 0);
      const co = new CoMoments(d);
      const rows: Array<{ numeric: number[]; codes: number[] }> = [];
      for (let r = 0; r < 2000; r++) {
        const u = normal();
        const numeric = Array.from({ length: p }, (_, i) => (i % 3 === 0 ? u : 0) + normal() * (1 + i));
        const codes = widths.map((w) => Math.floor(rand() * (w + 1)) - 1);
        rows.push({ numeric, codes });
        co.add([
          ...numeric,
          ...widths.flatMap((w, f) => Array.from({ length: w }, (_, j) => (codes[f] === j ? 1 : 0))),
        ]);
      }
      for (const share of [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.97, 0.999]) {
        const model = fitPca(co, share);
        const kept = model.components.length;
        directions.add(Math.min(d - kept, kept));
        const errorOf = reconstructionScorer(model, widths);
        for (const { numeric, codes } of rows.slice(0, 300))
          expect(errorOf(numeric, codes)).toBe(oneAtATime(model, widths, numeric, codes));
      }
    }
    // Directions in blocks of four: every remainder met, and several blocks.
    expect(new Set([...directions].map((k) => k % 4)).size).toBe(4);
    expect(Math.max(...directions)).toBeGreaterThan(8);
  });

  it('co-moments merged from parts equal one pass', () => {
    const whole = new CoMoments(5);
    const a = new CoMoments(5);
    const b = new CoMoments(5);
    ref.rows.forEach((r, i) => {
      whole.add(r);
      (i < 137 ? a : b).add(r);
    });
    a.merge(b);
    expect(a.n).toBe(whole.n);
    whole.mean.forEach((m, i) => {
      close(a.mean[i] as number, m, 1e-12);
    });
    whole.m2.forEach((m, i) => {
      close(a.m2[i] as number, m, 1e-9);
    });
  });

  it('a correlation flip with unchanged marginals raises the mean error', () => {
    const rand = mulberry32(3);
    const normal = normalSampler(rand);
    const row = (rho: number) => {
      const x = normal();
      return [x, rho * x + Math.sqrt(1 - rho * rho) * normal(), normal()];
    };
    const co = new CoMoments(3);
    for (let i = 0; i < 20_000; i++) co.add(row(0.9));
    const model = fitPca(co, 0.6);
    const windowMean = (rho: number) => {
      const m = new ReconstructionMean();
      for (let i = 0; i < 2000; i++) m.add(reconstructionError(model, row(rho)));
      return m.mean;
    };
    const stable = windowMean(0.9);
    const flipped = windowMean(-0.9);
    expect(flipped).toBeGreaterThan(stable * 1.5);
  });
});
