/**
 * Optional bootstrap standard errors for the bias drift check (spec §9.6 item 5; parameters
 * unconfirmed, nothing public states them). A replicate resamples the window's N rows with
 * replacement; because every counts-based metric is a function of the (d, y, ŷ[, group]) cells,
 * a replicate is one multinomial draw of N over those cells (no rows are copied).
 *
 * Multinomial draws are sequential conditional binomials. A binomial(n, p) is drawn exactly by
 * inversion when n·min(p, 1−p) < 30, else from the normal approximation rounded and clamped to
 * [0, n] (its error on a standard error over ≥ 30 expected counts is far below the resampling
 * noise of B = 1000 replicates). Seeded: the same counts and seed give the same errors.
 */
import { mulberry32, normalSampler, type Rng } from '../../core/random.js';
import { type BiasCounts, emptyBiasCounts } from './counts.js';
import { type BiasMetricName, biasMetrics, computeBiasMetrics } from './metrics.js';

export interface BootstrapOptions {
  /** Replicates B. @defaultValue 1000 */
  replicates?: number;
  /** Seed of the resampling. @defaultValue 13 */
  seed?: number;
}

export const DEFAULT_BOOTSTRAP_REPLICATES = 1000;
/** z of the two-sided 95 % normal interval. */
export const BOOTSTRAP_Z = 1.96;

function binomial(n: number, p: number, rand: Rng, normal: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const flip = p > 0.5;
  const q = flip ? 1 - p : p;
  let k: number;
  if (n * q < 30) {
    // Inversion: walk the cumulative probabilities from 0.
    const u = rand();
    let prob = (1 - q) ** n;
    let cum = prob;
    k = 0;
    const r = q / (1 - q);
    while (u > cum && k < n) {
      prob *= (r * (n - k)) / (k + 1);
      k++;
      cum += prob;
    }
  } else {
    k = Math.round(n * q + Math.sqrt(n * q * (1 - q)) * normal());
    k = Math.min(n, Math.max(0, k));
  }
  return flip ? n - k : k;
}

/** The cells as one flat list (8 per group value, or the 8 window cells without groups). */
function flatten(counts: BiasCounts): { cells: Float64Array; groups: string[] } {
  if (!counts.hasGroup) return { cells: Float64Array.from(counts.cells), groups: [] };
  const groups = [...counts.groups.keys()];
  const cells = new Float64Array(groups.length * 8);
  groups.forEach((g, gi) => {
    const src = counts.groups.get(g);
    for (let i = 0; i < 8; i++) cells[gi * 8 + i] = src?.[i] ?? 0;
  });
  return { cells, groups };
}

function resample(
  flat: { cells: Float64Array; groups: string[] },
  rand: Rng,
  normal: () => number,
): BiasCounts {
  let remaining = 0;
  for (const c of flat.cells) remaining += c;
  let mass = remaining;
  const out = emptyBiasCounts();
  const draw = new Float64Array(flat.cells.length);
  for (let k = 0; k < flat.cells.length && remaining > 0; k++) {
    const c = flat.cells[k] ?? 0;
    const x =
      k === flat.cells.length - 1 ? remaining : binomial(remaining, mass > 0 ? c / mass : 0, rand, normal);
    draw[k] = x;
    remaining -= x;
    mass -= c;
  }
  if (flat.groups.length === 0) {
    out.cells.set(draw);
    return out;
  }
  out.hasGroup = true;
  flat.groups.forEach((g, gi) => {
    const cells = draw.slice(gi * 8, gi * 8 + 8);
    out.groups.set(g, cells);
    for (let i = 0; i < 8; i++) out.cells[i] = (out.cells[i] ?? 0) + (cells[i] ?? 0);
  });
  return out;
}

/**
 * Bootstrap standard error of each named counts-based metric: the sample standard deviation of
 * its finite replicates, `undefined` when fewer than 2 replicates are finite.
 */
export function bootstrapStandardErrors(
  counts: BiasCounts,
  names: readonly Exclude<BiasMetricName, 'FT'>[],
  options: BootstrapOptions = {},
): Map<string, number | undefined> {
  const b = options.replicates ?? DEFAULT_BOOTSTRAP_REPLICATES;
  const rand = mulberry32(options.seed ?? 13);
  const normal = normalSampler(rand);
  const flat = flatten(counts);
  const sums = new Map<string, { n: number; mean: number; m2: number }>(
    names.map((n) => [n, { n: 0, mean: 0, m2: 0 }]),
  );
  for (let r = 0; r < b; r++) {
    const replicate = resample(flat, rand, normal);
    for (const m of computeBiasMetrics(replicate, names)) {
      if (m.value === null || !Number.isFinite(m.value)) continue;
      const s = sums.get(m.name);
      if (s === undefined) continue;
      // Welford.
      s.n++;
      const delta = m.value - s.mean;
      s.mean += delta / s.n;
      s.m2 += delta * (m.value - s.mean);
    }
  }
  return new Map(
    names.map((n) => {
      const s = sums.get(n);
      return [n, s !== undefined && s.n >= 2 ? Math.sqrt(s.m2 / (s.n - 1)) : undefined];
    }),
  );
}

/** Counts-based metric names (everything but FT). */
export const COUNTS_METRIC_NAMES = Object.keys(biasMetrics) as Exclude<BiasMetricName, 'FT'>[];
