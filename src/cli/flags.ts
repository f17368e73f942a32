/** Parsers of numeric command-line flags, shared by the commands. */
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/schedule.js';
import { ConfigError } from '../core/errors.js';

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
