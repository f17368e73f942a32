/**
 * The one zod → `ConfigError` adapter: every issue of a failed parse is reported at once, each with the
 * field it is about (`monitors[2].window.start`), in one error naming the file. The first issue's field is
 * the error's `field`; the others follow on their own lines (the CLI's error boundary folds them into one
 * line, `; ` between fields).
 */
import type { z } from 'zod';
import { ConfigError } from './errors.js';

/** One problem of a config or baseline file: where (`field`) and what. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Formats a zod path as `monitors[2].window.start` (numbers as indexes). */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'is required';
  return issue.message;
}

/** Every issue of a zod error with its path (an unknown key is one issue per key, "unknown field"). */
export function zodIssues(error: z.ZodError): Array<{ path: PropertyKey[]; message: string }> {
  const out: Array<{ path: PropertyKey[]; message: string }> = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...issue.path, key], message: 'unknown field' });
      continue;
    }
    out.push({ path: [...issue.path], message: describeIssue(issue) });
  }
  return out;
}

/** One `ConfigError` for all `issues` of `file` (the first issue's field is the error's field). */
export function configErrorOf(issues: readonly FieldIssue[], file?: string): ConfigError {
  const [first, ...rest] = issues;
  if (!first) return new ConfigError('invalid', file !== undefined ? { file } : {});
  const more = rest.map((i) => `\n  ${i.field}: ${i.message}`).join('');
  return new ConfigError(`${first.message}${more}`, {
    ...(file !== undefined ? { file } : {}),
    field: first.field,
  });
}

/**
 * The `ConfigError` of a failed zod parse: every issue, each field prefixed with `where.field` (e.g. the
 * section of the file the parsed value came from); `(root)` for an issue about the value itself.
 */
export function zodConfigError(
  error: z.ZodError,
  where: { file?: string; field?: string } = {},
): ConfigError {
  const issues = zodIssues(error).map((i) => ({
    field: joinField(where.field, formatPath(i.path)) || '(root)',
    message: i.message,
  }));
  return configErrorOf(issues, where.file);
}

function joinField(prefix: string | undefined, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}
