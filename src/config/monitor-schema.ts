/**
 * The schema of one monitor of the monitors config (zod): each field with its description (shown by
 * `driftwatch config schema` and docs/config.md), the checks across fields, and the queue settings.
 * Reading, merging defaults and validating a whole file: `monitors.ts`.
 */
import { z } from 'zod';
import { pathSegmentProblem } from '../core/names.js';
import { parseUri } from '../core/uri.js';
import { DRIFT_MODES } from '../metrics/drift/types.js';
import { piiModes } from '../security/pii-modes.js';
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

const monitorFieldsSchema = z
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
  .strict();

export const monitorSchema = monitorFieldsSchema.superRefine(checkMonitor);

/** A monitor whose every field is valid on its own. */
type MonitorFields = z.output<typeof monitorFieldsSchema>;

/** What the fields of a monitor must satisfy together (after the schedule and window: nothing else). */
function checkMonitor(monitor: MonitorFields, ctx: z.RefinementCtx): void {
  if (!checkScheduleAndWindow(monitor, ctx)) return;
  checkPreprocessor(monitor, ctx);
  checkKindSettings(monitor, ctx);
}

/**
 * The schedule parses, a NOW schedule has a window, and the window's bounds fit the schedule; false when
 * the schedule or the window is missing or unreadable (the other checks then say nothing).
 */
function checkScheduleAndWindow(monitor: MonitorFields, ctx: z.RefinementCtx): boolean {
  let schedule: Schedule | undefined;
  try {
    schedule = parseSchedule(monitor.schedule, monitor.timezone);
  } catch (error) {
    if (!(error instanceof ScheduleSyntaxError)) throw error;
    const field =
      /time zone/.test(error.message) && !error.message.includes('cron(') ? 'timezone' : 'schedule';
    ctx.addIssue({ code: 'custom', path: [field], message: error.message });
    return false;
  }
  if (schedule.kind === 'now' && !monitor.window) {
    ctx.addIssue({
      code: 'custom',
      path: ['window'],
      message: 'a NOW (one-off) schedule needs an explicit window { start, end }',
    });
    return false;
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
  return true;
}

/** An s3:// preprocessor is pinned, and none is loaded from where others write. */
function checkPreprocessor(monitor: MonitorFields, ctx: z.RefinementCtx): void {
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
}

/** Each kind's settings block belongs to that kind only; model quality and bias need theirs. */
function checkKindSettings(monitor: MonitorFields, ctx: z.RefinementCtx): void {
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
}

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
