/**
 * Property tests run from a fixed seed, so that a run of `npm test` (and CI) is repeatable: a failure
 * found once is found again. `FC_SEED=<n>` picks another seed; `FC_SEED=random` explores a new one each
 * run (fast-check prints the seed of a failure, to pass back as FC_SEED).
 */
import fc from 'fast-check';

const chosen = process.env.FC_SEED;
if (chosen !== 'random') {
  const seed = chosen === undefined ? 20_261_126 : Number(chosen);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer or 'random', got '${chosen}'`);
  fc.configureGlobal({ seed });
}
