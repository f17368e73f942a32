/** Drift tests (pure). See README "Drift tests" for conventions. */
export * from './linf.js';
export * from './sample.js';
