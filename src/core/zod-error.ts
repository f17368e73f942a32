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

/** The keys an object schema at `path` inside `schema` accepts (through optional, default, arrays). */
function knownKeys(schema: z.ZodType | undefined, path: readonly PropertyKey[]): string[] {
  let current = schema as { _zod?: { def?: Record<string, unknown> } } | undefined;
  const unwrap = () => {
    for (let i = 0; i < 20 && current?._zod?.def; i++) {
      const def = current._zod.def as { type?: string; innerType?: unknown; in?: unknown };
      if (
        def.innerType &&
        ['optional', 'default', 'nullable', 'prefault', 'readonly'].includes(def.type ?? '')
      )
        current = def.innerType as typeof current;
      else if (def.type === 'pipe' && def.in) current = def.in as typeof current;
      else break;
    }
  };
  for (const part of path) {
    unwrap();
    const def = current?._zod?.def as { type?: string; shape?: Record<string, unknown>; element?: unknown };
    if (def?.type === 'array' && typeof part === 'number') current = def.element as typeof current;
    else if (def?.type === 'object' && typeof part === 'string')
      current = def.shape?.[part] as typeof current;
    else return [];
  }
  unwrap();
  const def = current?._zod?.def as { type?: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++)
      next[j] = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[y.length] as number;
}

/** `unknown field`, with `; did you mean 'scheduleName'?` when a known key is close (typo, case, `_`/`-`). */
export function unknownFieldMessage(key: string, known: readonly string[]): string {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of known) {
    const score = norm(candidate) === norm(key) ? 0 : distance(key, candidate);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(key.length / 3)));
  return best !== undefined && bestScore <= limit
    ? `unknown field; did you mean '${best}'?`
    : 'unknown field';
}

/**
 * Every issue of a zod error with its path (an unknown key is one issue per key, "unknown field", with a
 * "did you mean" when `schema`, the schema that was parsed, has a close key there).
 */
export function zodIssues(
  error: z.ZodError,
  schema?: z.ZodType,
): Array<{ path: PropertyKey[]; message: string }> {
  const out: Array<{ path: PropertyKey[]; message: string }> = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path);
      for (const key of issue.keys)
        out.push({ path: [...issue.path, key], message: unknownFieldMessage(key, known) });
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
  const error = new ConfigError(`${first.message}${more}`, {
    ...(file !== undefined ? { file } : {}),
    field: first.field,
  });
  // Every issue, for callers that list them (driftwatch config validate).
  return Object.assign(error, { issues: [...issues] });
}

/**
 * The `ConfigError` of a failed zod parse: every issue, each field prefixed with `where.field` (e.g. the
 * section of the file the parsed value came from); `(root)` for an issue about the value itself.
 */
export function zodConfigError(
  error: z.ZodError,
  where: { file?: string; field?: string } = {},
  schema?: z.ZodType,
): ConfigError {
  const issues = zodIssues(error, schema).map((i) => ({
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
