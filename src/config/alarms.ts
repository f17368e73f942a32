/**
 * Alarm settings of one monitor in the monitors config file (owned by the alerts area; the monitors
 * schema in `monitors.ts` embeds it). Every field is optional; defaults follow spec §7.5.
 */
import { z } from 'zod';

export const alarmSettingsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** SNS topic ARNs notified when an alarm fires. */
    alarmActions: z.array(z.string().min(1)).default([]),
    /** SNS topic ARNs notified when an alarm returns to OK. */
    okActions: z.array(z.string().min(1)).default([]),
    /** Alarm name prefix; only alarms with this prefix (and the managed-by tag) are ever touched. */
    namePrefix: z.string().min(1).default('driftwatch'),
  })
  .strict();

export type AlarmSettings = z.infer<typeof alarmSettingsSchema>;
