/**
 * Alarm settings of one monitor in the monitors config file (owned by the alerts area; the monitors
 * schema in `monitors.ts` embeds it). Every field is optional; defaults follow spec §7.5.
 *
 * ```yaml
 * alarms:
 *   alarmActions: [arn:aws:sns:eu-west-1:123456789012:oncall]
 *   okActions: [arn:aws:sns:eu-west-1:123456789012:oncall]
 *   disabledFeatures: [free_text_comment]
 *   completenessTolerance: 0.01
 *   stoppedReporting: { missedExecutions: 3 }
 * ```
 */
import { z } from 'zod';

/** An SNS topic (or other CloudWatch alarm action) ARN. */
const actionArn = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^arn:[A-Za-z0-9-]+:[A-Za-z0-9-]+:/, 'must be an ARN (arn:aws:sns:<region>:<account>:<topic>)');

export const alarmSettingsSchema = z
  .object({
    /** False: the monitor has no alarms (existing ones are deleted by the next sync). @defaultValue true */
    enabled: z.boolean().default(true),
    /** SNS topic ARNs notified when an alarm fires. */
    alarmActions: z.array(actionArn).max(5).default([]),
    /** SNS topic ARNs notified when an alarm returns to OK. */
    okActions: z.array(actionArn).max(5).default([]),
    /** Alarm name prefix; only alarms with this prefix (and the managed-by tag) are ever touched. */
    namePrefix: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.-]+$/, 'must match [A-Za-z0-9_.-]+')
      .default('driftwatch'),
    /** One alarm per feature on `feature_baseline_drift_<f>` (when the baseline enables comparison). @defaultValue true */
    drift: z.boolean().default(true),
    /** One alarm per feature with a `completeness` constraint, on `feature_completeness_<f>`. @defaultValue true */
    completeness: z.boolean().default(true),
    /**
     * Completeness alarms fire below `completeness − completenessTolerance` (0 = exactly the
     * completeness_check rule). @defaultValue 0
     */
    completenessTolerance: z.number().min(0).max(1).default(0),
    /**
     * One alarm per monitor on `multivariate_drift_ratio` (≥ 1) when its baseline is calibrated with a
     * multivariate model. @defaultValue true
     */
    multivariate: z.boolean().default(true),
    /** One alarm per model-quality constraint. @defaultValue true */
    modelQuality: z.boolean().default(true),
    /** Limit model-quality alarms to these metrics (e.g. `[f1, auc]`); absent = every constrained metric. */
    modelQualityMetrics: z.array(z.string().min(1)).optional(),
    /** Features (exact names) that get no drift or completeness alarm. */
    disabledFeatures: z.array(z.string()).default([]),
    /** Consecutive breaching executions before a drift, completeness or model-quality alarm fires. @defaultValue 1 */
    evaluationPeriods: z.number().int().min(1).max(24).default(1),
    /** The "monitor stopped reporting" alarm (missing or failed executions). */
    stoppedReporting: z
      .object({
        enabled: z.boolean().default(true),
        /** Executions in a row that are missing or failed before it fires. @defaultValue 2 */
        missedExecutions: z.number().int().min(1).max(24).default(2),
      })
      .strict()
      .default({ enabled: true, missedExecutions: 2 }),
    /** Also keep one CloudWatch dashboard per monitor (`<namePrefix>-<monitor>`; see src/alerts/dashboards.ts). @defaultValue false */
    dashboards: z.boolean().default(false),
    /** Where the runbook lives (linked from every alarm description). @defaultValue the README section */
    runbookUrl: z.string().min(1).max(300).optional(),
  })
  .strict();

export type AlarmSettings = z.output<typeof alarmSettingsSchema>;

/** The settings of a monitor whose config has no `alarms` block. */
export function defaultAlarmSettings(): AlarmSettings {
  return alarmSettingsSchema.parse({});
}
