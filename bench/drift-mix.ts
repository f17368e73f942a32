/**
 * A mixed drift test set (issue 14): seven features that drift in different ways and seven that do not,
 * for the calibrated-drift test and bench. Deterministic for a seed. The first column is the model's
 * output (stable), as SageMaker's capture puts outputs first.
 *
 * Drifted (from `drifted: true` rows on): `d_shift` normal +0.3 sd, `d_scale` normal × 1.5,
 * `d_lognormal` lognormal with log-mean +0.3, `d_poisson` Poisson λ 4 → 4.6, `d_missing` missing 5% →
 * 25%, `d_rerank` categories a/b/c re-ranked, `d_unseen` a category never seen in training (15%).
 * Stable: `s_normal`, `s_scaled`, `s_lognormal`, `s_poisson`, `s_uniform_int`, `s_missing` (5% missing),
 * `s_category`.
 */
import { mulberry32, normalSampler, type Rng } from '../src/core/random.js';

export const MIX_COLUMNS = [
  'prediction',
  'd_shift',
  'd_scale',
  'd_lognormal',
  'd_poisson',
  'd_missing',
  'd_rerank',
  'd_unseen',
  's_normal',
  's_scaled',
  's_lognormal',
  's_poisson',
  's_uniform_int',
  's_missing',
  's_category',
] as const;

export const MIX_DRIFTED = MIX_COLUMNS.filter((c) => c.startsWith('d_'));
export const MIX_STABLE = MIX_COLUMNS.filter((c) => !c.startsWith('d_'));

function poisson(rand: Rng, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k++;
    p *= rand();
  }
  return k;
}

function pick(rand: Rng, values: readonly string[], weights: readonly number[]): string {
  let u = rand();
  for (let i = 0; i < values.length; i++) {
    u -= weights[i] as number;
    if (u < 0) return values[i] as string;
  }
  return values[values.length - 1] as string;
}

const f4 = (x: number) => x.toFixed(4);

/** A row generator: the CSV cells of one row, drifted or not. */
export function mixedDriftRows(seed: number): (drifted: boolean) => string[] {
  const rand = mulberry32(seed);
  const normal = normalSampler(rand);
  return (drifted) => [
    rand() < 0.3 ? '1' : '0',
    f4(normal() + (drifted ? 0.3 : 0)),
    f4(normal() * (drifted ? 1.5 : 1)),
    f4(Math.exp(normal() + (drifted ? 0.3 : 0))),
    String(poisson(rand, drifted ? 4.6 : 4)),
    rand() < (drifted ? 0.25 : 0.05) ? '' : f4(normal()),
    drifted ? pick(rand, ['a', 'b', 'c'], [0.2, 0.3, 0.5]) : pick(rand, ['a', 'b', 'c'], [0.5, 0.3, 0.2]),
    drifted ? pick(rand, ['x', 'y', 'z'], [0.5, 0.35, 0.15]) : pick(rand, ['x', 'y'], [0.6, 0.4]),
    f4(normal()),
    f4(5 + 2 * normal()),
    f4(Math.exp(normal())),
    String(poisson(rand, 4)),
    String(Math.floor(rand() * 100)),
    rand() < 0.05 ? '' : f4(normal()),
    pick(rand, ['red', 'green', 'blue', 'grey'], [0.4, 0.3, 0.2, 0.1]),
  ];
}
