/** Parsers of numeric command-line flags, shared by the commands. */
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/schedule.js';
import { ConfigError } from '../core/errors.js';
import { checkWorkerId } from '../jobs/worker-identity.js';

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer ≥ 0');
  return n;
}

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** `--worker-id`: a stable worker name (`checkWorkerId`; commander reports a bad one as a usage error). */
export function workerId(value: string): string {
  try {
    return checkWorkerId(value, '--worker-id');
  } catch (error) {
    if (error instanceof ConfigError)
      throw new InvalidArgumentError('expected 1-128 characters of [A-Za-z0-9._@-]');
    throw error;
  }
}

export function parseThreshold(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw new ConfigError(`not a number: ${JSON.stringify(text)}`, { field: flag });
  return n;
}

/** `--ground-truth-horizon`: a duration of zero or more. */
export function parseHorizon(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new ConfigError((error as Error).message, { field: '--ground-truth-horizon' });
  }
  if (ms < 0)
    throw new ConfigError('expected a duration of zero or more, such as P3D', {
      field: '--ground-truth-horizon',
    });
  return ms;
}
