/** Parsers of numeric command-line flags, shared by the commands. */
import { InvalidArgumentError } from 'commander';
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
