/**
 * CloudWatch alarms kept in sync with the config: list the prefix's alarms and their tags, plan
 * (alarm-plan.ts), then create, update and delete through `callWithRetry`. Idempotent: a second sync with
 * the same inputs changes nothing.
 */
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { ConfigError } from '../core/errors.js';
import { type AlarmPlan, type ExistingAlarm, planAlarms } from './alarm-plan.js';
import type { MonitorAlarmInput } from './alarm-specs.js';
import { allPagesWithRetry, callWithRetry, type RetryOptions } from './retry.js';

/** Alarms per DeleteAlarms call (CloudWatch's limit). */
const DELETE_BATCH = 100;

export interface SyncAlarmsOptions {
  /** Plan only: read CloudWatch, write nothing. */
  dryRun: boolean;
  /** The alarm name prefix to sync (every monitor's `alarms.namePrefix` must equal it). */
  namePrefix: string;
  signal?: AbortSignal;
  /** Attempts per CloudWatch call. @defaultValue 6 */
  maxAttempts?: number;
  retry?: Omit<RetryOptions, 'signal' | 'maxAttempts'>;
  /** Concurrent ListTagsForResource calls. @defaultValue 4 */
  concurrency?: number;
}

/** Every metric alarm named `<prefix>-…`, with its tags (DescribeAlarms paginated, then ListTagsForResource). */
export async function listPrefixedAlarms(
  client: CloudWatchClient,
  namePrefix: string,
  options: Omit<SyncAlarmsOptions, 'dryRun' | 'namePrefix'> = {},
): Promise<ExistingAlarm[]> {
  const retry = { ...options.retry, signal: options.signal, maxAttempts: options.maxAttempts };
  const alarms = await allPagesWithRetry(
    `DescribeAlarms ${namePrefix}-*`,
    (token) =>
      client.send(
        new DescribeAlarmsCommand({
          AlarmNamePrefix: `${namePrefix}-`,
          AlarmTypes: ['MetricAlarm'],
          MaxRecords: 100,
          NextToken: token,
        }),
        { abortSignal: options.signal },
      ),
    (page) => page.MetricAlarms,
    retry,
  );
  return await withAlarmTags(client, alarms, options);
}

/**
 * `alarms` with their tags (ListTagsForResource, `concurrency` at a time). `unreadable`: what to do when
 * CloudWatch refuses an alarm's tags (access denied): by default the refusal is thrown; `'untagged'`
 * returns the alarm with no tags (so it counts as not managed by driftwatch).
 */
export async function withAlarmTags(
  client: CloudWatchClient,
  alarms: readonly MetricAlarm[],
  options: Omit<SyncAlarmsOptions, 'dryRun' | 'namePrefix'> & { unreadable?: 'throw' | 'untagged' } = {},
): Promise<ExistingAlarm[]> {
  const retry = { ...options.retry, signal: options.signal, maxAttempts: options.maxAttempts };
  const out: ExistingAlarm[] = new Array(alarms.length);
  let next = 0;
  const worker = async () => {
    while (next < alarms.length) {
      const i = next++;
      const alarm = alarms[i] as MetricAlarm;
      const tags = new Map<string, string>();
      if (alarm.AlarmArn) {
        const arn = alarm.AlarmArn;
        const res = await callWithRetry(
          `ListTagsForResource ${alarm.AlarmName}`,
          () =>
            client.send(new ListTagsForResourceCommand({ ResourceARN: arn }), {
              abortSignal: options.signal,
            }),
          retry,
        ).catch((error: unknown) => {
          // callWithRetry turns an access denial into a ConfigError.
          if (options.unreadable === 'untagged' && error instanceof ConfigError) return { Tags: [] };
          throw error;
        });
        for (const t of res.Tags ?? []) if (t.Key !== undefined) tags.set(t.Key, t.Value ?? '');
      }
      out[i] = { alarm, tags };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return out;
}

/**
 * Makes CloudWatch hold exactly the desired alarms of `monitors` under `namePrefix`: reads what exists,
 * plans (`planAlarms`), then (unless `dryRun`) writes creates and updates with PutMetricAlarm (+ TagResource
 * on updates, since PutMetricAlarm ignores tags of an existing alarm) and deletes in batches of 100.
 * Every call is retried on throttling and 5xx; a call that still fails throws (TransientError), leaving
 * a partly applied plan that the next sync completes. Conflicts are returned in the plan, not written.
 */
export async function syncAlarms(
  client: CloudWatchClient,
  monitors: readonly MonitorAlarmInput[],
  options: SyncAlarmsOptions,
): Promise<AlarmPlan> {
  const existing = await listPrefixedAlarms(client, options.namePrefix, options);
  const plan = planAlarms(monitors, existing, { namePrefix: options.namePrefix });
  if (options.dryRun) return plan;
  const retry = { ...options.retry, signal: options.signal, maxAttempts: options.maxAttempts };
  const put = (alarm: (typeof plan.create)[number]) =>
    callWithRetry(
      `PutMetricAlarm ${alarm.spec.AlarmName}`,
      () =>
        client.send(new PutMetricAlarmCommand({ ...alarm.spec, Tags: alarm.tags }), {
          abortSignal: options.signal,
        }),
      retry,
    );
  for (const alarm of plan.create) await put(alarm);
  const arns = new Map(existing.map((e) => [e.alarm.AlarmName, e.alarm.AlarmArn]));
  for (const { alarm, changes } of plan.update) {
    await put(alarm);
    const arn = arns.get(alarm.spec.AlarmName);
    if (changes.includes('Tags') && arn) {
      await callWithRetry(
        `TagResource ${alarm.spec.AlarmName}`,
        () =>
          client.send(new TagResourceCommand({ ResourceARN: arn, Tags: alarm.tags }), {
            abortSignal: options.signal,
          }),
        retry,
      );
    }
  }
  for (let i = 0; i < plan.delete.length; i += DELETE_BATCH) {
    const names = plan.delete.slice(i, i + DELETE_BATCH);
    await callWithRetry(
      `DeleteAlarms (${names.length} alarms)`,
      () => client.send(new DeleteAlarmsCommand({ AlarmNames: names }), { abortSignal: options.signal }),
      retry,
    );
  }
  return plan;
}
