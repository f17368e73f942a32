import { it } from 'vitest';
import {
  calibrateNumericThreshold,
  DRIFT_TESTS,
  SeededRandom,
  weightedSampleFromValues,
} from '../../../src/metrics/drift/index.js';

it('t', () => {
  const rng = new SeededRandom(1);
  const base = new Float64Array(200000).map(() => rng.normal());
  let t0 = performance.now();
  const b = weightedSampleFromValues(base);
  console.log('sort 200k', performance.now() - t0);
  const w = weightedSampleFromValues(new Float64Array(10000).map(() => rng.normal()));
  for (const id of ['ks', 'psi'] as const) {
    t0 = performance.now();
    for (let i = 0; i < 20; i++) DRIFT_TESTS[id].numeric(b, w);
    console.log(id, (performance.now() - t0) / 20);
  }
  t0 = performance.now();
  calibrateNumericThreshold(base, 10000, 'psi', { replicates: 50 });
  console.log('calib psi 50', performance.now() - t0);
  t0 = performance.now();
  calibrateNumericThreshold(base, 10000, 'ks', { replicates: 50 });
  console.log('calib ks 50', performance.now() - t0);
});
