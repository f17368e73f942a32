/**
 * The special functions drift tests and checks take from @stdlib, each loaded on its first call. They are
 * CommonJS packages of about 300 files in all: importing them made every process that loads the execution
 * code (each worker start, each replacement of a dead worker) pay ~100 ms of CPU, while most executions
 * never call one (a data-quality window with L-infinity distances and SageMaker's rules needs none).
 * Loading code is no I/O of data: `metrics/` stays pure.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function lazy<F extends (...args: never[]) => number>(name: string): F {
  let loaded: F | undefined;
  return ((...args: Parameters<F>) => {
    loaded ??= require(name) as F;
    return loaded(...args);
  }) as F;
}

const loadedNormalQuantile: (p: number, mu: number, sigma: number) => number = lazy(
  '@stdlib/stats-base-dists-normal-quantile',
);

/**
 * The standard normal quantile at the probabilities the checks ask for with the usual alarm rates α = 0.1,
 * 0.05, 0.01 and 0.001 (1 − α and 1 − α/2, computed as the callers compute them), as
 * `@stdlib/stats-base-dists-normal-quantile` returns them, to the bit (tests/unit/special.test.ts): an
 * execution with a calibrated baseline (completeness limits, the multivariate band) then loads none of
 * its ~100 files (~40 ms of CPU per process).
 */
const STANDARD_NORMAL_QUANTILES = new Map<number, number>([
  [1 - 0.1, 1.2815515655446006],
  [1 - 0.05, 1.6448536269514724],
  [1 - 0.05 / 2, 1.9599639845400538],
  [1 - 0.01, 2.3263478740408408],
  [1 - 0.01 / 2, 2.5758293035489004],
  [1 - 0.001, 3.090232306167813],
  [1 - 0.001 / 2, 3.2905267314919255],
]);

/** Quantile function of the normal distribution (`@stdlib/stats-base-dists-normal-quantile`). */
export function normalQuantile(p: number, mu: number, sigma: number): number {
  if (mu === 0 && sigma === 1) {
    const known = STANDARD_NORMAL_QUANTILES.get(p);
    if (known !== undefined) return known;
  }
  return loadedNormalQuantile(p, mu, sigma);
}

/** Cumulative distribution function of the normal distribution (`@stdlib/stats-base-dists-normal-cdf`). */
export const normalCdf: (x: number, mu: number, sigma: number) => number = lazy(
  '@stdlib/stats-base-dists-normal-cdf',
);

/** Incomplete gamma function (`@stdlib/math-base-special-gammainc`). */
export const gammainc: (x: number, s: number, regularized?: boolean, upper?: boolean) => number = lazy(
  '@stdlib/math-base-special-gammainc',
);

/** Natural logarithm of the gamma function (`@stdlib/math-base-special-gammaln`). */
export const gammaln: (x: number) => number = lazy('@stdlib/math-base-special-gammaln');
