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
 * Validated once, at the edge, with zod: every error is a `ConfigError` naming the file and the field
 * (`monitors[2].schedule: ...`; a bad value that came from `defaults` is reported there).
 * A validated monitor is plain JSON (`MonitorConfig`): the scheduler stores it as its job template and
 * the worker validates it again with `parseMonitor` before running it.
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { pathSegmentProblem } from '../core/names.js';
import { parseUri } from '../core/uri.js';
import { configErrorOf, type FieldIssue, formatPath, zodConfigError, zodIssues } from '../core/zod-error.js';
import type { Storage } from '../io/storage.js';
import { DRIFT_MODES } from '../metrics/drift/types.js';
import { piiModes } from '../security/pii.js';
import { alarmSettingsSchema } from './alarms.js';
import { attributionSettingsSchema, biasSettingsSchema } from './clarify-monitor.js';
import { modelQualitySettingsSchema } from './model-quality.js';
import {
  parseSchedule,
  parseWindowBound,
  type Schedule,
  ScheduleSyntaxError,
  type WindowBound,
  windowAt,
} from './schedule.js';

export const monitorTypes = ['data-quality', 'model-quality', 'bias', 'attribution'] as const;
export type MonitorType = (typeof monitorTypes)[number];

/** SageMaker's default analysis window for a recurring schedule: the hour before the scheduled time. */
export const defaultWindow = { start: '-PT1H', end: '-PT0H' } as const;

const nameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._-]+$/, 'must match [A-Za-z0-9._-]+')
  .refine((s) => pathSegmentProblem(s) === undefined, 'must not be . or ..');

/** A folder name inside a capture or report path: no slashes, not `.` or `..`. */
const pathSegmentSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._-]+$/, 'must match [A-Za-z0-9._-]+')
  .refine((s) => s !== '.' && s !== '..', 'must not be . or ..');

const uriSchema = z
  .string()
  .min(1)
  .superRefine((s, ctx) => {
    try {
      parseUri(s);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

const retrySchema = z
  .object({
    attempts: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe('Attempts in all (1 = no retry) for transient errors. Permanent errors never retry.'),
    backoffMs: z
      .number()
      .int()
      .min(0)
      .max(86_400_000)
      .default(30_000)
      .describe('First retry delay in milliseconds; doubles on each attempt.'),
  })
  .strict();

const windowSchema = z
  .object({
    start: z
      .string()
      .min(1)
      .describe('Window start: an offset such as -PT1H (NOW schedules: or a date-time).'),
    end: z.string().min(1).describe('Window end (exclusive): an offset such as -PT0H (or a date-time).'),
  })
  .strict();

export const monitorSchema = z
  .object({
    // Each field's description is in the schema (`describe`): `driftwatch config schema` and the generated
    // docs/config.md show it (scripts/config-docs.sh).
    name: nameSchema.describe("The monitor's name: [A-Za-z0-9._-]+, unique in the file (job ids, logs)."),
    type: z
      .enum(monitorTypes)
      .default('data-quality')
      .describe('What the monitor checks: data-quality, model-quality, bias or attribution.'),
    endpoint: pathSegmentSchema.describe('The SageMaker endpoint whose captured traffic is read.'),
    variant: pathSegmentSchema
      .optional()
      .describe('Capture variant folder (e.g. AllTraffic); omitted: every variant of the endpoint.'),
    capture: uriSchema.describe(
      'Capture root: <capture>/<endpoint>/<variant>/yyyy/mm/dd/hh/*.jsonl (s3:// URI or local path).',
    ),
    baseline: uriSchema.describe(
      'Prefix holding the baseline files (statistics.json and constraints.json; per kind more).',
    ),
    output: uriSchema.describe('Report root: <output>/<endpoint>/<scheduleName>/yyyy/mm/dd/hh/.'),
    scheduleName: pathSegmentSchema
      .optional()
      .describe(
        'The SageMaker monitoring schedule name: a folder of the report path and the MonitoringSchedule metric dimension. Default: the monitor name.',
      ),
    schedule: z
      .string()
      .min(1)
      .describe(
        "When it runs: SageMaker's cron(0 * ? * * *), cron(0 H ? * * *), cron(0 S/N ? * * *), NOW (once), or a plain 5-field cron in `timezone`.",
      ),
    timezone: z.string().min(1).default('UTC').describe('IANA time zone of a plain cron schedule.'),
    window: windowSchema
      .optional()
      .describe(
        'Analysis window as ISO-8601 offsets from the scheduled time (SageMaker StartTimeOffset/EndTimeOffset); default { start: -PT1H, end: -PT0H }; a NOW schedule needs one (date-times allowed).',
      ),
    cloudwatch: z
      .boolean()
      .default(false)
      .describe("Publish SageMaker's CloudWatch metrics (and the driftwatch heartbeat)."),
    preprocessor: uriSchema
      .optional()
      .describe(
        'A JavaScript (ESM) record preprocessor module (local path or s3://): export function preprocess(record) returns one row (an object of feature values), an array of rows, or null/[] to drop the record. It runs in the worker with its permissions; see "The record preprocessor" below.',
      ),
    preprocessorSha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be a SHA-256 in hex (64 characters)')
      .optional()
      .describe(
        'SHA-256 (hex) of the preprocessor module: required for an s3:// module, checked for any (loading is refused on a mismatch).',
      ),
    pii: z
      .enum(piiModes)
      .optional()
      .describe(
        'Sensitive values in reports: redact (hash or leave out, the default), warn (report only) or fail.',
      ),
    sseKmsKeyId: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe(
        'SSE-KMS key (id, ARN or alias) for every object written for this monitor; default: the bucket default encryption.',
      ),
    driftMode: z
      .enum(DRIFT_MODES)
      .optional()
      .describe(
        "Data quality: how baseline_drift_check decides, in place of the baseline constraints.json's distribution_constraints.drift_mode: sagemaker (SageMaker's L-infinity rule for every feature) or calibrated (the thresholds and multivariate model of a baseline built with `driftwatch baseline --drift-mode calibrated`; any other baseline fails the execution with one error naming its constraints.json). Default: as the baseline says.",
      ),
    outputColumnsPosition: z
      .enum(['START', 'END'])
      .optional()
      .describe('Where the CSV output columns go in a profiled row: START (default, as SageMaker) or END.'),
    splitThreshold: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(16)
      .describe('Windows with more capture objects than this run as a flow of parallel part jobs.'),
    maxParts: z
      .number()
      .int()
      .min(2)
      .max(10_000)
      .default(8)
      .describe(
        "Most parts a split window becomes (consecutive objects of about equal bytes); every part's profile is merged by the parent.",
      ),
    catchUp: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(24)
      .describe('Missed scheduled times (worker or Redis down) enqueued when the schedule fires again.'),
    retry: retrySchema
      .default({ attempts: 5, backoffMs: 30_000 })
      .describe('Retries of transient errors (throttling, network); permanent errors fail at once.'),
    alarms: alarmSettingsSchema
      .optional()
      .describe('CloudWatch alarms kept by `driftwatch alarms sync` (README: "Alerts and on-call runbook").'),
    modelQuality: modelQualitySettingsSchema
      .optional()
      .describe('Model-quality settings (required for type: model-quality).'),
    bias: biasSettingsSchema.optional().describe('Bias-drift settings (required for type: bias).'),
    attribution: attributionSettingsSchema
      .optional()
      .describe('Feature-attribution drift settings (type: attribution).'),
  })
  .strict()
  .superRefine((monitor, ctx) => {
    let schedule: Schedule | undefined;
    try {
      schedule = parseSchedule(monitor.schedule, monitor.timezone);
    } catch (error) {
      if (!(error instanceof ScheduleSyntaxError)) throw error;
      const field =
        /time zone/.test(error.message) && !error.message.includes('cron(') ? 'timezone' : 'schedule';
      ctx.addIssue({ code: 'custom', path: [field], message: error.message });
      return;
    }
    if (schedule.kind === 'now' && !monitor.window) {
      ctx.addIssue({
        code: 'custom',
        path: ['window'],
        message: 'a NOW (one-off) schedule needs an explicit window { start, end }',
      });
      return;
    }
    const window = monitor.window ?? defaultWindow;
    const bounds: Partial<Record<'start' | 'end', WindowBound>> = {};
    for (const key of ['start', 'end'] as const) {
      try {
        const bound = parseWindowBound(window[key]);
        if (bound.kind === 'instant' && schedule.kind !== 'now') {
          ctx.addIssue({
            code: 'custom',
            path: ['window', key],
            message: 'a recurring schedule needs offsets such as -PT1H (date-times are for NOW schedules)',
          });
          continue;
        }
        bounds[key] = bound;
      } catch (error) {
        if (!(error instanceof ScheduleSyntaxError)) throw error;
        ctx.addIssue({ code: 'custom', path: ['window', key], message: error.message });
      }
    }
    if (bounds.start && bounds.end) {
      const probe = windowAt({ start: bounds.start, end: bounds.end }, new Date());
      if (!(probe.start < probe.end)) {
        ctx.addIssue({ code: 'custom', path: ['window'], message: 'window start must be before window end' });
      }
    }
    if (monitor.preprocessor !== undefined) {
      const pre = monitor.preprocessor;
      if (/^s3:/i.test(pre) && monitor.preprocessorSha256 === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['preprocessorSha256'],
          message: 'an s3:// preprocessor must be pinned by its SHA-256 (sha256sum of the module)',
        });
      }
      for (const [field, prefix] of [
        ['capture', monitor.capture],
        ['output', monitor.output],
      ] as const) {
        const folder = prefix.endsWith('/') ? prefix : `${prefix}/`;
        if (pre.startsWith(folder)) {
          ctx.addIssue({
            code: 'custom',
            path: ['preprocessor'],
            message: `a preprocessor is never loaded from the ${field} prefix (${prefix}): others write there`,
          });
        }
      }
    }
    // Each kind's settings block belongs to that kind only; model quality and bias need theirs.
    for (const [key, type, required] of [
      ['modelQuality', 'model-quality', true],
      ['bias', 'bias', true],
      ['attribution', 'attribution', false],
    ] as const) {
      if (monitor.type !== type && monitor[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `only a monitor of type '${type}' takes ${type} settings`,
        });
      }
      if (required && monitor.type === type && monitor[key] === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `a ${type} monitor needs ${key} settings` });
      }
    }
    if (monitor.type !== 'data-quality' && monitor.driftMode !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['driftMode'],
        message: `only a data-quality monitor takes driftMode (a ${monitor.type} monitor has no baseline drift check)`,
      });
    }
    if ((monitor.type === 'bias' || monitor.type === 'attribution') && monitor.preprocessor !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['preprocessor'],
        message: `a ${monitor.type} monitor reads captured requests as Clarify does: no record preprocessor`,
      });
    }
  });

/** A validated monitor: plain JSON, defaults applied. */
export type MonitorConfig = z.output<typeof monitorSchema>;

export const queueSchema = z
  .object({
    name: nameSchema.default('driftwatch').describe('BullMQ queue name.'),
    prefix: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9._-]+$/, 'must match [A-Za-z0-9._-]+')
      .default('bull')
      .describe('Redis key prefix of the queue.'),
  })
  .strict();

export type QueueSettings = z.output<typeof queueSchema>;

export const defaultQueueSettings: QueueSettings = { name: 'driftwatch', prefix: 'bull' };

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
