/** The ConfigError that `fn` throws (a test fails on any other error, or on none). */
import { ConfigError } from '../../src/core/errors.js';

export function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
