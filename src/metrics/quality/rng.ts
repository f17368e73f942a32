/**
 * A small seeded pseudo-random generator (mulberry32: 32-bit state, period 2^32), used wherever a
 * model-quality result depends on random draws (the 5×80% subsamples), so that results are
 * reproducible and the Python reference script (`tests/fixtures/quality/generate.py`) can replay the
 * exact same draws. Not for cryptography.
 */
export type Rng = () => number;

/** Returns a generator of uniform numbers in [0, 1), each a multiple of 2^-32. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
