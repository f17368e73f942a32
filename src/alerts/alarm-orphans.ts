/**
 * Alarms driftwatch manages under a name prefix no monitor of the config uses any more ("orphans"):
 * found by their tags across every prefix, so that removing the last monitor of a custom
 * `alarms.namePrefix` does not leave its alarms behind (its stopped-reporting alarm treats missing data as
 * breaching and would page on-call once executions stop).
 *
 * A managed alarm (see alarms.ts) carries `managed-by=driftwatch` and `driftwatch-prefix=<p>` and is named
 * `<p>-<monitor>-<kind>[-<subject>]`. Tags cannot be filtered on by DescribeAlarms, so every metric alarm
 * of the account and region is listed, and only those whose name has a driftwatch kind in it
 * (`-drift-`, `-completeness-`, `-model-`, `-stopped-reporting`) have their tags read. An alarm whose tags
 * CloudWatch refuses to show (a policy limited to driftwatch's tags) counts as not managed.
 */
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { isManagedAlarm } from './alarm-plan.js';
import { PREFIX_TAG_KEY } from './alarm-specs.js';
import { type SyncAlarmsOptions, withAlarmTags } from './alarms.js';
import { allPagesWithRetry } from './retry.js';

export interface OrphanAlarms {
  /** The prefix the alarms were synced under (their `driftwatch-prefix` tag). */
  namePrefix: string;
  /** Alarm names, sorted. */
  alarms: string[];
}

/** Could the alarm be one of ours, by its name alone (`alarmName` of alarms.ts puts the kind in it)? */
const KIND_IN_NAME = /-(?:drift|completeness|model)-|-stopped-reporting$/;

/**
 * Managed alarms whose prefix is not in `prefixes`, grouped by prefix (sorted). Read-only.
 */
export async function findOrphanAlarms(
  client: CloudWatchClient,
  prefixes: ReadonlySet<string>,
  options: Omit<SyncAlarmsOptions, 'dryRun' | 'namePrefix'> = {},
): Promise<OrphanAlarms[]> {
  const retry = { ...options.retry, signal: options.signal, maxAttempts: options.maxAttempts };
  const every = await allPagesWithRetry(
    'DescribeAlarms (every prefix)',
    (token) =>
      client.send(
        new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm'], MaxRecords: 100, NextToken: token }),
        { abortSignal: options.signal },
      ),
    (page) => page.MetricAlarms,
    retry,
  );
  const candidates = every.filter((alarm) => KIND_IN_NAME.test(alarm.AlarmName ?? ''));
  const byPrefix = new Map<string, string[]>();
  for (const found of await withAlarmTags(client, candidates, { ...options, unreadable: 'untagged' })) {
    const prefix = found.tags.get(PREFIX_TAG_KEY);
    if (prefix === undefined || prefixes.has(prefix) || !isManagedAlarm(found, prefix)) continue;
    const list = byPrefix.get(prefix) ?? [];
    list.push(found.alarm.AlarmName as string);
    byPrefix.set(prefix, list);
  }
  return [...byPrefix]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([namePrefix, alarms]) => ({ namePrefix, alarms: alarms.sort() }));
}
