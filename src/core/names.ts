/**
 * The one check for a name that becomes a path segment (schedule, monitor, endpoint, variant): used by the
 * CLI, the config and the storage layer, so `..`, `/abs`, `a/b`, empty and control-character names never
 * reach a path or an S3 key.
 */
import { ConfigError } from './errors.js';

/** Why `name` cannot be one path segment, or undefined when it can. */
export function pathSegmentProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 200) return 'must be at most 200 characters';
  if (name === '.' || name === '..') return 'must not be . or ..';
  if (name.includes('/') || name.includes('\\')) return 'must not contain / or \\';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must not contain control characters';
  return undefined;
}

/** Returns `name` when it is a safe path segment; throws a ConfigError naming `field` otherwise. */
export function checkPathSegment(name: string, field: string): string {
  const problem = pathSegmentProblem(name);
  if (problem) throw new ConfigError(`${JSON.stringify(name)} ${problem}`, { field });
  return name;
}

/** Why a relative key (`a/b/c.json`) would leave its prefix, or undefined when it stays below it. */
export function relativeKeyProblem(key: string): string | undefined {
  for (const segment of key.split('/')) {
    if (segment === '.' || segment === '..') return 'must not contain . or .. segments';
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
    if (/[\u0000-\u001f\u007f]/.test(segment)) return 'must not contain control characters';
  }
  return undefined;
}
