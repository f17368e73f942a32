/**
 * `driftwatch alarms sync --config <file> [--dry-run] [--prune] [--json]`: provision the CloudWatch alarms
 * on-call needs for every monitor of the config, and delete the ones no longer wanted (only alarms
 * driftwatch manages are touched). Prints the plan: create / update (with the fields that differ) /
 * delete / unchanged, plus alarms ignored (named like ours, not ours) and conflicts (exit code 3), and
 * the managed alarms of prefixes no monitor uses any more (orphans; `--prune` deletes them).
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Command } from 'commander';
import { monitorAlarmInput } from '../../alerts/alarm-inputs.js';
import { findOrphanAlarms, type OrphanAlarms } from '../../alerts/alarm-orphans.js';
import type { AlarmPlan } from '../../alerts/alarm-plan.js';
import { desiredAlarms, type MonitorAlarmInput } from '../../alerts/alarm-specs.js';
import { listPrefixedAlarms, syncAlarms } from '../../alerts/alarms.js';
import { createCloudWatchClient } from '../../alerts/client.js';
import { type DashboardPlan, syncDashboards } from '../../alerts/dashboards.js';
import { loadMonitorsConfig } from '../../config/monitors.js';
import { createStorage, type Storage } from '../../io/storage.js';

export interface AlarmsSyncOptions {
  config: string;
  dryRun: boolean;
  /** Extra prefixes to sync even when no monitor uses them any more (removes their managed alarms). */
  prefixes?: string[];
  /** Also delete the managed alarms (and dashboards) of prefixes no monitor uses (found by their tags). */
  prune?: boolean;
  signal?: AbortSignal;
}

export interface AlarmsSyncResult {
  dryRun: boolean;
  plans: AlarmPlan[];
  /** One per alarm name prefix: the CloudWatch dashboards of monitors with `dashboards: true`. */
  dashboards: DashboardPlan[];
  /** Managed alarms of prefixes neither the config nor `prefixes` uses, left in place (without `prune`). */
  orphans: OrphanAlarms[];
  /** Prefixes synced only because `prune` found orphans under them (their plans delete them). */
  pruned: string[];
  /** 0 = in sync (or planned), 1 = conflicts left unresolved. */
  exitCode: number;
}

/** Loads the config, reads every monitor's constraints, and syncs each alarm name prefix in turn. */
export async function alarmsSync(
  options: AlarmsSyncOptions,
  deps: { client: CloudWatchClient; storage: Storage },
): Promise<AlarmsSyncResult> {
  const config = await loadMonitorsConfig(options.config);
  const inputs: MonitorAlarmInput[] = [];
  for (const monitor of config.monitors) inputs.push(await monitorAlarmInput(monitor, deps.storage));
  const byPrefix = new Map<string, MonitorAlarmInput[]>();
  for (const p of options.prefixes ?? []) byPrefix.set(p, []);
  for (const input of inputs) {
    const list = byPrefix.get(input.settings.namePrefix) ?? [];
    list.push(input);
    byPrefix.set(input.settings.namePrefix, list);
  }
  if (byPrefix.size === 0) byPrefix.set('driftwatch', []);
  const orphans = await findOrphanAlarms(deps.client, new Set(byPrefix.keys()), { signal: options.signal });
  if (options.prune) for (const o of orphans) byPrefix.set(o.namePrefix, []);
  const plans: AlarmPlan[] = [];
  const dashboards: DashboardPlan[] = [];
  for (const [namePrefix, monitors] of [...byPrefix].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    plans.push(
      await syncAlarms(deps.client, monitors, { dryRun: options.dryRun, namePrefix, signal: options.signal }),
    );
    dashboards.push(await syncMonitorDashboards(deps.client, monitors, namePrefix, options));
  }
  // 3, as an execution with violations under --fail-on-violations: a finding, not a failure (exit-codes.ts).
  const exitCode = plans.some((p) => p.conflicts.length > 0) ? 3 : 0;
  return {
    dryRun: options.dryRun,
    plans,
    dashboards,
    orphans: options.prune ? [] : orphans,
    pruned: options.prune ? orphans.map((o) => o.namePrefix) : [],
    exitCode,
  };
}

/** Dashboards of one prefix, their alarms widget listing the ARNs of the monitor's (just synced) alarms. */
async function syncMonitorDashboards(
  client: CloudWatchClient,
  monitors: MonitorAlarmInput[],
  namePrefix: string,
  options: AlarmsSyncOptions,
): Promise<DashboardPlan> {
  const alarmArns = new Map<string, string[]>();
  if (monitors.some((m) => m.settings.dashboards)) {
    const arns = new Map(
      (await listPrefixedAlarms(client, namePrefix, { signal: options.signal })).map((e) => [
        e.alarm.AlarmName,
        e.alarm.AlarmArn,
      ]),
    );
    for (const m of monitors)
      alarmArns.set(
        m.monitorName,
        desiredAlarms(m).flatMap((a) => arns.get(a.spec.AlarmName) ?? []),
      );
  }
  return await syncDashboards(client, monitors, {
    dryRun: options.dryRun,
    namePrefix,
    region: (await client.config.region()) ?? 'us-east-1',
    alarmArns,
    signal: options.signal,
  });
}

/** The plan as text, one alarm per line. */
export function formatAlarmPlans(result: AlarmsSyncResult): string {
  const lines: string[] = [];
  const verb = result.dryRun ? 'would ' : '';
  for (const plan of result.plans) {
    lines.push(
      `alarms ${plan.namePrefix}-*: ${verb}create ${plan.create.length}, ${verb}update ${plan.update.length}, ${verb}delete ${plan.delete.length}, unchanged ${plan.unchanged.length}` +
        (plan.ignored.length ? `, ignored ${plan.ignored.length}` : '') +
        (plan.conflicts.length ? `, CONFLICTS ${plan.conflicts.length}` : ''),
    );
    for (const a of plan.create) lines.push(`  + ${a.spec.AlarmName}`);
    for (const u of plan.update) lines.push(`  ~ ${u.alarm.spec.AlarmName} (${u.changes.join(', ')})`);
    for (const name of plan.delete) lines.push(`  - ${name}`);
    for (const name of plan.unchanged) lines.push(`  = ${name}`);
    for (const name of plan.ignored) lines.push(`  ? ${name} (not managed by driftwatch: left alone)`);
    for (const name of plan.conflicts) {
      lines.push(
        `  ! ${name} (exists but is not managed by driftwatch: not written; rename or delete it, or change alarms.namePrefix)`,
      );
    }
  }
  for (const o of result.orphans) {
    lines.push(
      `alarms ${o.namePrefix}-*: ${o.alarms.length} ORPHANED (no monitor of the config uses this prefix; kept: --prune deletes them)`,
    );
    for (const name of o.alarms) lines.push(`  ? ${name}`);
  }
  for (const d of result.dashboards) {
    if (d.create.length + d.update.length + d.delete.length + d.unchanged.length === 0) continue;
    lines.push(
      `dashboards ${d.namePrefix}-*: ${verb}create ${d.create.length}, ${verb}update ${d.update.length}, ${verb}delete ${d.delete.length}, unchanged ${d.unchanged.length}`,
    );
    for (const name of d.create) lines.push(`  + ${name}`);
    for (const name of d.update) lines.push(`  ~ ${name}`);
    for (const name of d.delete) lines.push(`  - ${name}`);
    for (const name of d.unchanged) lines.push(`  = ${name}`);
  }
  if (result.dryRun) lines.push('dry run: nothing was changed');
  return `${lines.join('\n')}\n`;
}

/** The plan as JSON (alarm specs included for creates and updates). */
export function alarmPlansJson(result: AlarmsSyncResult): unknown {
  return {
    dryRun: result.dryRun,
    plans: result.plans.map((p) => ({
      namePrefix: p.namePrefix,
      create: p.create.map((a) => ({
        monitor: a.monitorName,
        kind: a.kind,
        subject: a.subject,
        alarm: a.spec,
      })),
      update: p.update.map((u) => ({
        monitor: u.alarm.monitorName,
        kind: u.alarm.kind,
        subject: u.alarm.subject,
        changes: u.changes,
        alarm: u.alarm.spec,
      })),
      delete: p.delete,
      unchanged: p.unchanged,
      ignored: p.ignored,
      conflicts: p.conflicts,
    })),
    dashboards: result.dashboards,
    orphans: result.orphans,
    pruned: result.pruned,
  };
}

export function register(program: Command): void {
  const alarms = program
    .command('alarms')
    .description('CloudWatch alarms for on-call, provisioned from the monitors config');
  alarms
    .command('sync')
    .description(
      'Create, update and delete the alarms driftwatch manages so that they match the config and baselines',
    )
    .requiredOption('--config <file>', 'monitors config (YAML or JSON)')
    .option('--dry-run', 'show the plan without changing anything')
    .option('--json', 'print the plan as JSON')
    .option(
      '--prefix <name...>',
      'also sync these alarm name prefixes (to remove alarms of a prefix no monitor uses)',
    )
    .option(
      '--prune',
      'also delete the alarms driftwatch manages under prefixes no monitor uses (found by their tags)',
    )
    .action(
      async (options: {
        config: string;
        dryRun?: boolean;
        json?: boolean;
        prefix?: string[];
        prune?: boolean;
      }) => {
        const storage = createStorage();
        const client = createCloudWatchClient();
        try {
          const result = await alarmsSync(
            {
              config: options.config,
              dryRun: Boolean(options.dryRun),
              prefixes: options.prefix,
              prune: Boolean(options.prune),
            },
            { client, storage },
          );
          process.stdout.write(
            options.json ? `${JSON.stringify(alarmPlansJson(result))}\n` : formatAlarmPlans(result),
          );
          if (result.exitCode !== 0) process.exitCode = result.exitCode;
        } finally {
          client.destroy();
          storage.destroy();
        }
      },
    );
}
