/**
 * Every drift test against the scipy/numpy reference vectors of tests/fixtures/drift (generate.py).
 * Tolerances: 1e-9 relative where scipy is exact (exact p-values, statistics); the documented ones
 * elsewhere (see README "Drift tests").
 */
import { describe, expect, it } from 'vitest';
import { andersonDarling } from '../../../src/metrics/drift/anderson-darling.js';
import { chiSquareContingency } from '../../../src/metrics/drift/chi-square.js';
import { besselK, cramerVonMises, cvmLimitCdf } from '../../../src/metrics/drift/cramer-von-mises.js';
import { energyDistance } from '../../../src/metrics/drift/energy.js';
import { fisherExact } from '../../../src/metrics/drift/fisher-exact.js';
import { gTest } from '../../../src/metrics/drift/g-test.js';
import { hellingerDistance } from '../../../src/metrics/drift/hellinger.js';
import { categoricalHistograms, numericHistograms } from '../../../src/metrics/drift/histogram.js';
import { jensenShannonDistance } from '../../../src/metrics/drift/jensen-shannon.js';
import { klDivergence } from '../../../src/metrics/drift/kl-divergence.js';
import { kolmogorovSf } from '../../../src/metrics/drift/kolmogorov.js';
import { ksTwoSample } from '../../../src/metrics/drift/ks.js';
import { mannWhitneyU } from '../../../src/metrics/drift/mann-whitney.js';
import { populationStabilityIndex } from '../../../src/metrics/drift/psi.js';
import { type WeightedSample, weightedSampleFromValues } from '../../../src/metrics/drift/sample.js';
import { totalVariationDistance } from '../../../src/metrics/drift/total-variation.js';
import { type DriftTestOutcome, isResult } from '../../../src/metrics/drift/types.js';
import { wassersteinDistance, wassersteinNormalised } from '../../../src/metrics/drift/wasserstein.js';
import { twoProportionZTest } from '../../../src/metrics/drift/z-test.js';
import { close, materialise, type RefTest, toMap, vectors } from './vectors.js';

interface Tolerance {
  statistic: [number, number];
  pValue?: [number, number];
}

function expectMatches(
  name: string,
  outcome: DriftTestOutcome,
  ref: RefTest | null | undefined,
  tol: Tolerance,
): void {
  if (ref === null || ref === undefined) {
    expect(isResult(outcome), `${name}: expected not applicable`).toBe(false);
    return;
  }
  expect(isResult(outcome), `${name}: ${JSON.stringify(outcome)}`).toBe(true);
  if (!isResult(outcome)) return;
  if (ref.statistic === null) {
    expect(Number.isFinite(outcome.statistic), `${name}: statistic ${outcome.statistic}`).toBe(false);
  } else {
    expect(
      close(outcome.statistic, ref.statistic, tol.statistic[0], tol.statistic[1]),
      `${name}: statistic ${outcome.statistic} vs ${ref.statistic}`,
    ).toBe(true);
  }
  if (ref.p_value !== undefined && ref.p_value !== null) {
    const [rel, abs] = tol.pValue ?? [1e-9, 1e-300];
    expect(
      close(outcome.pValue as number, ref.p_value, rel, abs),
      `${name}: p ${outcome.pValue} vs ${ref.p_value}`,
    ).toBe(true);
  }
}

const EXACT: Tolerance = { statistic: [1e-9, 1e-14], pValue: [1e-9, 1e-300] };
/** Sums over up to 27 000 terms in a different order than numpy. */
const SUMMED: Tolerance = { statistic: [1e-9, 1e-12] };

const numeric = Object.entries(vectors.numeric).map(([name, c]) => ({
  name,
  a: weightedSampleFromValues(materialise(c.baseline)),
  b: weightedSampleFromValues(materialise(c.current)),
  expected: c.expected,
}));

describe('numeric drift tests vs scipy', () => {
  for (const { name, a, b, expected } of numeric) {
    it(name, () => {
      const ks = ksTwoSample(a, b);
      // Exact mode: bit-for-bit algorithms. Asymptotic mode: see kolmogorov.ts (Birnbaum–Tingey in log space).
      expectMatches(
        `${name} ks`,
        ks,
        expected.ks,
        expected.ks?.method === 'exact' ? EXACT : { statistic: [1e-12, 0], pValue: [1e-8, 1e-300] },
      );
      if (isResult(ks)) expect(ks.method).toBe(expected.ks?.method);
      expectMatches(`${name} wasserstein`, wassersteinDistance(a, b), expected.wasserstein, SUMMED);
      expectMatches(
        `${name} wasserstein_norm`,
        wassersteinNormalised(a, b),
        expected.wasserstein_norm,
        SUMMED,
      );
      expectMatches(`${name} energy`, energyDistance(a, b), expected.energy, SUMMED);
      const h = numericHistograms(a, b);
      if (!('notApplicable' in h)) {
        expectMatches(`${name} psi`, populationStabilityIndex(h), expected.psi, SUMMED);
        expectMatches(`${name} kl_div`, klDivergence(h), expected.kl_div, SUMMED);
        expectMatches(`${name} jensen_shannon`, jensenShannonDistance(h), expected.jensen_shannon, SUMMED);
        expectMatches(`${name} hellinger`, hellingerDistance(h), expected.hellinger, SUMMED);
        expectMatches(`${name} tvd`, totalVariationDistance(h), expected.tvd, SUMMED);
      }
      expectMatches(`${name} mann_whitney`, mannWhitneyU(a, b), expected.mann_whitney, {
        statistic: [1e-12, 0],
        // Exact and asymptotic (normal) p-values: scipy's special.ndtr vs stdlib's normal CDF.
        pValue: [1e-9, 1e-300],
      });
      // p-value: exp of a least-squares quadratic, fitted by us and by numpy.polyfit in different ways.
      expectMatches(`${name} anderson`, andersonDarling(a, b), expected.anderson, {
        statistic: [1e-9, 1e-12],
        pValue: [1e-9, 0],
      });
      // Asymptotic p-value: Bessel K by quadrature vs scipy's kv (see besselK test below).
      expectMatches(`${name} cramer_von_mises`, cramerVonMises(a, b), expected.cramer_von_mises, {
        statistic: [1e-9, 1e-12],
        // 1 − CDF near 1 cancels: scipy and we both keep only ~1e-16 absolute, so compare absolutely there.
        pValue: expected.cramer_von_mises?.method === 'exact' ? [1e-9, 1e-300] : [1e-8, 1e-12],
      });
    });
  }
});

const categorical = Object.entries(vectors.categorical).map(([name, c]) => ({
  name,
  a: toMap(c.baseline),
  b: toMap(c.current),
  expected: c.expected,
}));

describe('categorical drift tests vs scipy', () => {
  for (const { name, a, b, expected } of categorical) {
    it(name, () => {
      expectMatches(`${name} chi_square`, chiSquareContingency(a, b), expected.chi_square, EXACT);
      expectMatches(`${name} g_test`, gTest(a, b), expected.g_test, EXACT);
      expectMatches(`${name} z_test`, twoProportionZTest(a, b), expected.z_test, EXACT);
      expectMatches(`${name} fisher_exact`, fisherExact(a, b), expected.fisher_exact, EXACT);
      const h = categoricalHistograms(a, b);
      expect('notApplicable' in h).toBe(false);
      if ('notApplicable' in h) return;
      expectMatches(`${name} psi`, populationStabilityIndex(h), expected.psi, SUMMED);
      expectMatches(`${name} kl_div`, klDivergence(h), expected.kl_div, SUMMED);
      expectMatches(`${name} jensen_shannon`, jensenShannonDistance(h), expected.jensen_shannon, SUMMED);
      expectMatches(`${name} hellinger`, hellingerDistance(h), expected.hellinger, SUMMED);
      expectMatches(`${name} tvd`, totalVariationDistance(h), expected.tvd, SUMMED);
    });
  }
});

describe('special functions vs scipy', () => {
  it('kolmogorovSf matches scipy.stats.kstwo.sf on a grid of n and x', () => {
    const grid = vectors.kolmogorov_sf as { n: number; x: number; sf: number }[];
    for (const { n, x, sf } of grid) {
      expect(
        close(kolmogorovSf(n, x), sf, 1e-9, 1e-300),
        `n=${n} x=${x}: ${kolmogorovSf(n, x)} vs ${sf}`,
      ).toBe(true);
    }
  });

  it('besselK(1/4, x) matches scipy.special.kv', () => {
    for (const { nu, x, k } of vectors.bessel_k as { nu: number; x: number; k: number }[]) {
      expect(close(besselK(nu, x), k, 1e-12, 1e-300), `x=${x}: ${besselK(nu, x)} vs ${k}`).toBe(true);
    }
  });

  it('the limiting Cramér–von Mises CDF matches scipy', () => {
    for (const { x, cdf } of vectors.cvm_limit_cdf as { x: number; cdf: number }[]) {
      expect(close(cvmLimitCdf(x), cdf, 1e-10, 1e-15), `x=${x}: ${cvmLimitCdf(x)} vs ${cdf}`).toBe(true);
    }
  });
});

describe('known values from the doc blocks', () => {
  const s = (v: number[]): WeightedSample => weightedSampleFromValues(v);
  it('wasserstein([0, 1, 3], [5, 6, 8]) = 5 and energy([0], [2]) = 2', () => {
    expect((wassersteinDistance(s([0, 1, 3]), s([5, 6, 8])) as { statistic: number }).statistic).toBeCloseTo(
      5,
      14,
    );
    expect((energyDistance(s([0]), s([2])) as { statistic: number }).statistic).toBeCloseTo(2, 14);
  });
  it('mannwhitneyu([1, 2, 3], [4, 5, 6]) → U = 0, p = 0.1 (exact)', () => {
    const r = mannWhitneyU(s([1, 2, 3]), s([4, 5, 6]));
    expect(r).toMatchObject({ statistic: 0, method: 'exact' });
    expect((r as { pValue: number }).pValue).toBeCloseTo(0.1, 14);
  });
  it('fisher_exact([[8, 2], [1, 5]]) → 20, 0.034965…', () => {
    const r = fisherExact(
      new Map([
        ['a', 8],
        ['b', 2],
      ]),
      new Map([
        ['a', 1],
        ['b', 5],
      ]),
    );
    expect((r as { statistic: number }).statistic).toBe(20);
    expect((r as { pValue: number }).pValue).toBeCloseTo(0.03496503496503497, 14);
  });
});
