/**
 * Alarm sync's plan (pure): which desired alarms to create or update (with the fields that differ), which
 * managed alarms to delete, which to leave alone.
 *
 * Terminology (desired alarms: alarm-specs.ts):
 * - managed alarm: an alarm whose name starts with `<prefix>-` AND that carries the tags
 *   `managed-by=driftwatch` and `driftwatch-prefix=<prefix>`. Only managed alarms are ever updated or
 *   deleted; an alarm with a matching name but without those tags is reported as `ignored` (or as a
 *   `conflict` when driftwatch would need its name) and never touched.
 * - plan: what a sync does (`create`, `update` with the fields that differ, `delete`, `unchanged`).
 */
import type { Dimension, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { ConfigError } from '../core/errors.js';
import {
  type AlarmSpec,
  type DesiredAlarm,
  desiredAlarms,
  MANAGED_BY_TAG_KEY,
  MANAGED_BY_TAG_VALUE,
  type MonitorAlarmInput,
  PREFIX_TAG_KEY,
} from './alarm-specs.js';

/** An alarm found in CloudWatch, with its tags. */
export interface ExistingAlarm {
  alarm: MetricAlarm;
  tags: ReadonlyMap<string, string>;
}

/** What one sync does under one name prefix (alarm names). */
export interface AlarmPlan {
  namePrefix: string;
  create: DesiredAlarm[];
  update: Array<{ alarm: DesiredAlarm; changes: string[] }>;
  unchanged: string[];
  delete: string[];
  /** Alarms named like ours but not managed by driftwatch (never touched). */
  ignored: string[];
  /** Desired alarm names taken by an alarm driftwatch does not manage (not written: rename or retag it). */
  conflicts: string[];
}

function sortedDimensions(dims: readonly Dimension[] | undefined): string {
  return JSON.stringify([...(dims ?? [])].map((d) => `${d.Name ?? ''}\u0000${d.Value ?? ''}`).sort());
}

function sortedList(list: readonly string[] | undefined): string {
  return JSON.stringify([...(list ?? [])].sort());
}

/** Names of the fields where `existing` differs from `desired` (empty = nothing to write). */
export function alarmDifferences(desired: AlarmSpec, existing: MetricAlarm): string[] {
  const changes: string[] = [];
  const diff = (field: string, a: unknown, b: unknown) => {
    if (a !== b) changes.push(field);
  };
  diff('AlarmDescription', desired.AlarmDescription, existing.AlarmDescription ?? '');
  diff('ActionsEnabled', desired.ActionsEnabled, existing.ActionsEnabled ?? true);
  diff('AlarmActions', sortedList(desired.AlarmActions), sortedList(existing.AlarmActions));
  diff('OKActions', sortedList(desired.OKActions), sortedList(existing.OKActions));
  diff(
    'InsufficientDataActions',
    sortedList(desired.InsufficientDataActions),
    sortedList(existing.InsufficientDataActions),
  );
  diff('Namespace', desired.Namespace, existing.Namespace);
  diff('MetricName', desired.MetricName, existing.MetricName);
  diff('Dimensions', sortedDimensions(desired.Dimensions), sortedDimensions(existing.Dimensions));
  diff('Statistic', desired.Statistic, existing.Statistic);
  if (existing.ExtendedStatistic) changes.push('ExtendedStatistic');
  if (existing.Unit) changes.push('Unit');
  if (existing.Metrics && existing.Metrics.length > 0) changes.push('Metrics');
  diff('Period', desired.Period, existing.Period);
  diff('EvaluationPeriods', desired.EvaluationPeriods, existing.EvaluationPeriods);
  diff(
    'DatapointsToAlarm',
    desired.DatapointsToAlarm,
    existing.DatapointsToAlarm ?? existing.EvaluationPeriods,
  );
  diff('Threshold', desired.Threshold, existing.Threshold);
  diff('ComparisonOperator', desired.ComparisonOperator, existing.ComparisonOperator);
  diff('TreatMissingData', desired.TreatMissingData, existing.TreatMissingData ?? 'missing');
  return changes;
}

/** True when driftwatch manages `existing` under `namePrefix` (name prefix and both tags). */
export function isManagedAlarm(existing: ExistingAlarm, namePrefix: string): boolean {
  return (
    (existing.alarm.AlarmName ?? '').startsWith(`${namePrefix}-`) &&
    existing.tags.get(MANAGED_BY_TAG_KEY) === MANAGED_BY_TAG_VALUE &&
    existing.tags.get(PREFIX_TAG_KEY) === namePrefix
  );
}

function prefixOf(monitors: readonly MonitorAlarmInput[], explicit: string | undefined): string {
  const prefixes = new Set(monitors.map((m) => m.settings.namePrefix));
  if (explicit !== undefined) {
    for (const m of monitors) {
      if (m.settings.namePrefix !== explicit) {
        throw new ConfigError(
          `alarm name prefix '${m.settings.namePrefix}' differs from the one synced ('${explicit}')`,
          {
            field: `monitors.${m.monitorName}.alarms.namePrefix`,
          },
        );
      }
    }
    return explicit;
  }
  if (prefixes.size > 1) {
    throw new ConfigError(
      `monitors use several alarm name prefixes (${[...prefixes].join(', ')}); plan them one prefix at a time`,
      {
        field: 'alarms.namePrefix',
      },
    );
  }
  return [...prefixes][0] ?? 'driftwatch';
}

/**
 * What a sync must do so that CloudWatch holds exactly the desired alarms of `monitors` under the prefix
 * (pure). `existing` is what DescribeAlarms found under `<prefix>-`, with tags; unmanaged alarms in it are
 * listed as `ignored` or `conflicts`, never updated or deleted. Throws `ConfigError` when two desired
 * alarms would get the same name.
 */
export function planAlarms(
  monitors: readonly MonitorAlarmInput[],
  existing: readonly ExistingAlarm[],
  options: { namePrefix?: string } = {},
): AlarmPlan {
  const namePrefix = prefixOf(monitors, options.namePrefix);
  const desired = new Map<string, DesiredAlarm>();
  for (const monitor of monitors) {
    for (const alarm of desiredAlarms(monitor)) {
      const other = desired.get(alarm.spec.AlarmName);
      if (other) {
        throw new ConfigError(
          `two alarms would be named ${alarm.spec.AlarmName}: ${other.monitorName}/${other.kind}/${other.subject ?? ''} and ${alarm.monitorName}/${alarm.kind}/${alarm.subject ?? ''}; rename a monitor or disable one feature`,
          { field: `monitors.${alarm.monitorName}.alarms` },
        );
      }
      desired.set(alarm.spec.AlarmName, alarm);
    }
  }
  const plan: AlarmPlan = {
    namePrefix,
    create: [],
    update: [],
    unchanged: [],
    delete: [],
    ignored: [],
    conflicts: [],
  };
  const found = new Map<string, ExistingAlarm>();
  for (const e of existing) {
    const name = e.alarm.AlarmName;
    if (!name?.startsWith(`${namePrefix}-`)) continue;
    found.set(name, e);
  }
  for (const [name, alarm] of desired) {
    const e = found.get(name);
    if (!e) {
      plan.create.push(alarm);
      continue;
    }
    if (!isManagedAlarm(e, namePrefix)) {
      plan.conflicts.push(name);
      continue;
    }
    const changes = alarmDifferences(alarm.spec, e.alarm);
    for (const tag of alarm.tags) {
      if (e.tags.get(tag.Key as string) !== tag.Value) {
        changes.push('Tags');
        break;
      }
    }
    if (changes.length > 0) plan.update.push({ alarm, changes });
    else plan.unchanged.push(name);
  }
  for (const [name, e] of found) {
    if (desired.has(name)) continue;
    if (isManagedAlarm(e, namePrefix)) plan.delete.push(name);
    else plan.ignored.push(name);
  }
  plan.delete.sort();
  plan.ignored.sort();
  plan.unchanged.sort();
  return plan;
}
