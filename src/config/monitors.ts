/**
 * The monitors config file (YAML or JSON): which monitors exist, where their data is, when they run.
 *
 * ```yaml
 * queue: { name: driftwatch, prefix: bull }     # optional: the BullMQ queue the worker uses
 * defaults:                                     # optional: merged into every monitor (a monitor wins)
 *   capture: s3://bucket/data-capture
 *   cloudwatch: true
 * x-common: &common { output: s3://bucket/m/ }  # optional: top-level x-... keys are ignored: anchors
 *                                               #   for YAML merge keys (`- <<: *common`), which work
 * monitors:
 *   - name: churn-hourly                        # [A-Za-z0-9._-]+, unique
 *     endpoint: churn-endpoint
 *     baseline: s3://bucket/baselines/churn/
 *     output: s3://bucket/monitoring/churn/
 *     schedule: cron(0 * ? * * *)               # or 'cron(0 H ? * * *)', 'cron(0 S/N ? * * *)', NOW, '15 * * * *'
 *     window: { start: -PT1H, end: -PT0H }      # ISO-8601 offsets from the scheduled time (the default)
 * ```
 *
 * One monitor's schema (its fields, their descriptions, the checks across fields): `monitor-schema.ts`.
 * Validated once, at the edge, with zod: every error is a `ConfigError` naming the file and the field
 * (`monitors[2].schedule: ...`; a bad value that came from `defaults` is reported there).
 * A validated monitor is plain JSON (`MonitorConfig`): the scheduler stores it as its job template and
 * the worker validates it again with `parseMonitor` before running it.
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { configErrorOf, type FieldIssue, formatPath, zodConfigError, zodIssues } from '../core/zod-error.js';
import type { Storage } from '../io/storage.js';
import {
  defaultQueueSettings,
  defaultWindow,
  type MonitorConfig,
  monitorSchema,
  type QueueSettings,
  queueSchema,
} from './monitor-schema.js';
import { parseSchedule, parseWindowBound, type Schedule, windowAt } from './schedule.js';

// The schema of one monitor is in monitor-schema.ts; importers of the config take it from here.
export {
  defaultQueueSettings,
  defaultWindow,
  type MonitorConfig,
  type MonitorType,
  monitorSchema,
  monitorTypes,
  type QueueSettings,
  queueSchema,
} from './monitor-schema.js';

const fileSchema = z
  .object({
    queue: queueSchema.optional(),
    defaults: z.record(z.string(), z.unknown()).optional(),
    monitors: z.array(z.unknown()),
  })
  .strict();

export interface MonitorsConfig {
  /** Where the config came from (for messages). */
  source: string;
  queue: QueueSettings;
  monitors: MonitorConfig[];
}

/** Keys of a monitor whose object values merge with the defaults' one level deep. */
const mergedObjectKeys = new Set(['window', 'retry', 'alarms']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeDefaults(
  defaults: Record<string, unknown>,
  monitor: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(monitor)) {
    const base = Object.hasOwn(merged, key) ? merged[key] : undefined;
    // defineProperty, not assignment: a `__proto__` key from the file must stay a plain (rejected) field.
    Object.defineProperty(merged, key, {
      value:
        mergedObjectKeys.has(key) && isPlainObject(base) && isPlainObject(value)
          ? { ...base, ...value }
          : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return merged;
}

/** Validates one monitor (from a config file or a scheduler's stored template). */
export function parseMonitor(value: unknown, where: { file?: string; field?: string } = {}): MonitorConfig {
  const result = monitorSchema.safeParse(value);
  if (result.success) return result.data;
  throw zodConfigError(
    result.error,
    {
      file: where.file ?? 'monitor',
      ...(where.field ? { field: where.field } : {}),
    },
    monitorSchema,
  );
}

function throwConfig(source: string, issues: FieldIssue[]): never {
  throw configErrorOf(issues, source);
}

/** Validates a parsed config document (the object form of the file). */
export function parseMonitorsConfig(document: unknown, source = 'monitors config'): MonitorsConfig {
  if (document === null || document === undefined) {
    throw new ConfigError('the file is empty; expected { monitors: [...] }', {
      file: source,
      field: 'monitors',
    });
  }
  // Top-level `x-...` keys are ignored: a place for YAML anchors that monitors merge in (`<<: *common`).
  const top = fileSchema.safeParse(
    isPlainObject(document)
      ? Object.fromEntries(Object.entries(document).filter(([key]) => !key.startsWith('x-')))
      : document,
  );
  if (!top.success) {
    throwConfig(
      source,
      zodIssues(top.error, fileSchema).map((i) => ({
        field: formatPath(i.path) || '(top level)',
        message: i.message,
      })),
    );
  }
  const defaults = top.data.defaults ?? {};
  if ('name' in defaults) {
    throwConfig(source, [{ field: 'defaults.name', message: 'a default cannot name a monitor' }]);
  }
  const issues: FieldIssue[] = [];
  const monitors: MonitorConfig[] = [];
  const seen = new Map<string, number>();
  top.data.monitors.forEach((raw, index) => {
    if (!isPlainObject(raw)) {
      issues.push({ field: `monitors[${index}]`, message: 'expected an object' });
      return;
    }
    const merged = mergeDefaults(defaults, raw);
    const result = monitorSchema.safeParse(merged);
    if (!result.success) {
      for (const issue of zodIssues(result.error, monitorSchema)) {
        const [key] = issue.path;
        const fromDefaults = typeof key === 'string' && !(key in raw) && key in defaults;
        issues.push(
          fromDefaults
            ? {
                field: `defaults.${formatPath(issue.path)}`,
                message: `${issue.message} (used by monitors[${index}])`,
              }
            : { field: `monitors[${index}].${formatPath(issue.path)}`, message: issue.message },
        );
      }
      return;
    }
    const previous = seen.get(result.data.name);
    if (previous !== undefined) {
      issues.push({
        field: `monitors[${index}].name`,
        message: `'${result.data.name}' is already the name of monitors[${previous}]`,
      });
      return;
    }
    seen.set(result.data.name, index);
    monitors.push(result.data);
  });
  if (issues.length) throwConfig(source, issues);
  return { source, queue: top.data.queue ?? { ...defaultQueueSettings }, monitors };
}

/** Parses YAML or JSON text (JSON is valid YAML; `.json` files get JSON's stricter parser). */
export function parseMonitorsConfigText(text: string, source = 'monitors config'): MonitorsConfig {
  let document: unknown;
  if (source.toLowerCase().endsWith('.json')) {
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(
        `not valid JSON: ${(error as Error).message}`,
        { file: source },
        { cause: error },
      );
    }
  } else {
    // `merge: true`: `<<: *defaults` merge keys (YAML 1.1), which config files use to share settings.
    const parsed = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
    const [first] = parsed.errors;
    if (first) {
      const at = first.linePos?.[0];
      const where = at ? ` (line ${at.line}, column ${at.col})` : '';
      throw new ConfigError(
        `not valid YAML${where}: ${first.message.split('\n')[0]}`,
        { file: source },
        { cause: first },
      );
    }
    try {
      // maxAliasCount stops alias bombs (billion laughs) before they expand.
      document = parsed.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw new ConfigError(
        `not a usable YAML document: ${(error as Error).message.split('\n')[0]}`,
        { file: source },
        { cause: error },
      );
    }
  }
  return parseMonitorsConfig(document, source);
}

/** Reads and validates a monitors config from a local path, or any URI through `storage`. */
export async function loadMonitorsConfig(
  source: string | { storage: Storage; uri: string },
): Promise<MonitorsConfig> {
  const name = typeof source === 'string' ? source : source.uri;
  let text: string;
  try {
    text =
      typeof source === 'string' ? await readFile(source, 'utf8') : await source.storage.readText(source.uri);
  } catch (error) {
    throw new ConfigError(
      `cannot read the monitors config: ${(error as Error).message}`,
      { file: name },
      { cause: error },
    );
  }
  return parseMonitorsConfigText(text, name);
}

/** The monitor's parsed schedule. */
export function scheduleOf(monitor: MonitorConfig): Schedule {
  return parseSchedule(monitor.schedule, monitor.timezone);
}

/** The monitor's analysis window for one scheduled time. */
export function windowOf(monitor: MonitorConfig, scheduledTime: Date): { start: Date; end: Date } {
  const window = monitor.window ?? defaultWindow;
  return windowAt(
    { start: parseWindowBound(window.start), end: parseWindowBound(window.end) },
    scheduledTime,
  );
}

/**
 * How long a window that failed for lack of labels is retried at later ticks, for the kinds that join
 * ground truth (model quality, bias; jobs/processor.ts); undefined for the others.
 */
export function missingLabelsRetryOf(monitor: MonitorConfig): string | undefined {
  switch (monitor.type) {
    case 'model-quality':
      return monitor.modelQuality?.retryMissingLabelsFor;
    case 'bias':
      return monitor.bias?.retryMissingLabelsFor;
    default:
      return undefined;
  }
}

/** Finds a monitor by name, or a `ConfigError` listing the names that exist. */
export function findMonitor(config: MonitorsConfig, name: string): MonitorConfig {
  const monitor = config.monitors.find((m) => m.name === name);
  if (monitor) return monitor;
  const names = config.monitors.map((m) => m.name).join(', ') || '(none)';
  throw new ConfigError(`no monitor named '${name}'; the config has: ${names}`, {
    file: config.source,
    field: 'monitors',
  });
}
