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

/** Quantile function of the normal distribution (`@stdlib/stats-base-dists-normal-quantile`). */
export const normalQuantile: (p: number, mu: number, sigma: number) => number = lazy(
  '@stdlib/stats-base-dists-normal-quantile',
);

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
