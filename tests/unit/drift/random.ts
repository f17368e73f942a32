/** Seeded draws for the drift tests, on the project's one generator (src/core/random.ts). */
import { mulberry32, normalSampler, type Rng } from '../../../src/core/random.js';

export class TestRandom {
  readonly next: Rng;
  readonly normal: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
    this.normal = normalSampler(this.next);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
