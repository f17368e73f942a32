/**
 * CloudWatch dashboards for teams that live in the AWS console: with `dashboards: true` in a monitor's
 * alarm settings, `alarms sync` keeps one dashboard per monitor, named `<namePrefix>-<monitor>`: the
 * alarms' states, the drift metric of every feature, completeness, and the model-quality metrics (the
 * same metrics, dimensions and thresholds as the alarms, from `desiredAlarms`). Dashboards carry no
 * tags, so each body holds a marker text widget naming driftwatch and the prefix; only dashboards named
 * `<prefix>-…` whose body has the marker are ever updated or deleted (DeleteDashboards), like the alarms.
 */
import {
  type CloudWatchClient,
  DeleteDashboardsCommand,
  GetDashboardCommand,
  ListDashboardsCommand,
  PutDashboardCommand,
} from '@aws-sdk/client-cloudwatch';
import { type AlarmKind, type DesiredAlarm, desiredAlarms, type MonitorAlarmInput } from './alarm-specs.js';
import { allPagesWithRetry, callWithRetry, type RetryOptions } from './retry.js';

/** The marker line of every dashboard driftwatch manages (a text widget). */
export const DASHBOARD_MARKER = 'Managed by driftwatch';
/** Metrics per graph widget (CloudWatch allows up to 500; past ~30 lines a graph is unreadable). */
const METRICS_PER_WIDGET = 30;
const DELETE_BATCH = 100;

export interface DashboardPlan {
  namePrefix: string;
  create: string[];
  update: string[];
  unchanged: string[];
  delete: string[];
}

/** `<prefix>-<monitor>`: dashboard names allow `A-Za-z0-9-_` only (a `.` becomes `_`). */
export function dashboardName(namePrefix: string, monitorName: string): string {
  return `${namePrefix}-${monitorName}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 255);
}

function markerText(namePrefix: string, monitor: MonitorAlarmInput): string {
  return `## ${monitor.monitorName}\n${DASHBOARD_MARKER} (alarm prefix \`${namePrefix}\`): \`driftwatch alarms sync\` rewrites this dashboard; edits are lost. Reports: \`${monitor.reportUri}\`.`;
}

function hasMarker(body: string | undefined, namePrefix: string): boolean {
  return body?.includes(`${DASHBOARD_MARKER} (alarm prefix \`${namePrefix}\`)`) === true;
}

/** The metric specs a dashboard graphs: every alarm kind enabled, no feature left out. */
function graphedMetrics(monitor: MonitorAlarmInput): DesiredAlarm[] {
  return desiredAlarms({
    ...monitor,
    settings: {
      ...monitor.settings,
      enabled: true,
      drift: true,
      completeness: true,
      modelQuality: true,
      disabledFeatures: [],
    },
  });
}

function metricWidgets(
  title: string,
  alarms: DesiredAlarm[],
  region: string,
  period: number,
  y: number,
): Array<Record<string, unknown>> {
  const widgets: Array<Record<string, unknown>> = [];
  for (let i = 0; i < alarms.length; i += METRICS_PER_WIDGET) {
    const part = alarms.slice(i, i + METRICS_PER_WIDGET);
    const metrics = part.map((a) => [
      a.spec.Namespace,
      a.spec.MetricName,
      ...a.spec.Dimensions.flatMap((d) => [d.Name ?? '', d.Value ?? '']),
      { label: a.subject ?? a.spec.MetricName },
    ]);
    const thresholds = [...new Set(part.map((a) => a.spec.Threshold))];
    widgets.push({
      type: 'metric',
      x: (widgets.length % 2) * 12,
      y: y + Math.floor(widgets.length / 2) * 6,
      width: 12,
      height: 6,
      properties: {
        title: alarms.length > METRICS_PER_WIDGET ? `${title} (${i / METRICS_PER_WIDGET + 1})` : title,
        view: 'timeSeries',
        region,
        period,
        stat: 'Average',
        metrics,
        // One horizontal line when the features share a threshold (the usual case).
        ...(thresholds.length === 1
          ? { annotations: { horizontal: [{ label: 'threshold', value: thresholds[0] }] } }
          : {}),
      },
    });
  }
  return widgets;
}

/** The dashboard body of one monitor (JSON text; deterministic for the same input). */
export function dashboardBody(
  monitor: MonitorAlarmInput,
  options: { namePrefix: string; region: string; alarmArns: string[] },
): string {
  const graphed = graphedMetrics(monitor);
  const period = graphed[0]?.spec.Period ?? 3600;
  const of = (kind: AlarmKind) => graphed.filter((a) => a.kind === kind);
  const widgets: Array<Record<string, unknown>> = [
    {
      type: 'text',
      x: 0,
      y: 0,
      width: 24,
      height: 2,
      properties: { markdown: markerText(options.namePrefix, monitor) },
    },
  ];
  let y = 2;
  if (options.alarmArns.length > 0) {
    widgets.push({
      type: 'alarm',
      x: 0,
      y,
      width: 24,
      height: 4,
      properties: { title: 'Alarms', alarms: [...options.alarmArns].sort().slice(0, 100) },
    });
    y += 4;
  }
  for (const [kind, title] of [
    ['drift', 'Drift per feature'],
    ['completeness', 'Completeness per feature'],
    ['multivariate', 'Multivariate drift'],
    ['model', 'Model metrics'],
    ['bias', 'Bias drift per facet metric (1 = violated)'],
    ['attribution', 'Attribution NDCG per label'],
    ['stopped-reporting', 'Executions'],
  ] as const) {
    const part = metricWidgets(title, of(kind), options.region, period, y);
    widgets.push(...part);
    y += Math.ceil(part.length / 2) * 6;
  }
  return JSON.stringify({ widgets });
}

export interface SyncDashboardsOptions {
  dryRun: boolean;
  namePrefix: string;
  region: string;
  /** Alarm ARNs by monitor name (the alarms widget); read after the alarms are synced. */
  alarmArns?: ReadonlyMap<string, string[]>;
  signal?: AbortSignal;
  maxAttempts?: number;
  retry?: Omit<RetryOptions, 'signal' | 'maxAttempts'>;
}

/** Dashboards named `<prefix>-…` that carry driftwatch's marker for that prefix, with their bodies. */
async function managedDashboards(
  client: CloudWatchClient,
  namePrefix: string,
  options: SyncDashboardsOptions,
): Promise<Map<string, string>> {
  const retry = { ...options.retry, signal: options.signal, maxAttempts: options.maxAttempts };
  const names = (
    await allPagesWithRetry(
      `ListDashboards ${namePrefix}-*`,
      (token) =>
        client.send(new ListDashboardsCommand({ DashboardNamePrefix: `${namePrefix}-`, NextToken: token }), {
          abortSignal: options.signal,
        }),
      (page) => page.DashboardEntries,
      retry,
    )
  ).flatMap((d) => (d.DashboardName ? [d.DashboardName] : []));
  const out = new Map<string, string>();
  for (const name of names) {
    const got = await callWithRetry(
      `GetDashboard ${name}`,
      () => client.send(new GetDashboardCommand({ DashboardName: name }), { abortSignal: options.signal }),
      retry,
    );
    if (hasMarker(got.DashboardBody, namePrefix)) out.set(name, got.DashboardBody as string);
  }
  return out;
}

/** Makes CloudWatch hold exactly one dashboard per monitor with `dashboards: true` under `namePrefix`. */
export async function syncDashboards(
  client: CloudWatchClient,
  monitors: readonly MonitorAlarmInput[],
  options: SyncDashboardsOptions,
): Promise<DashboardPlan> {
  const existing = await managedDashboards(client, options.namePrefix, options);
  const desired = new Map<string, string>();
  for (const m of monitors)
    if (m.settings.dashboards)
      desired.set(
        dashboardName(options.namePrefix, m.monitorName),
        dashboardBody(m, {
          namePrefix: options.namePrefix,
          region: options.region,
          alarmArns: options.alarmArns?.get(m.monitorName) ?? [],
        }),
      );
  const plan: DashboardPlan = {
    namePrefix: options.namePrefix,
    create: [],
    update: [],
    unchanged: [],
    delete: [],
  };
  for (const [name, body] of desired) {
    const old = existing.get(name);
    if (old === undefined) plan.create.push(name);
    else if (JSON.stringify(JSON.parse(old)) !== body) plan.update.push(name);
    else plan.unchanged.push(name);
  }
  for (const name of existing.keys()) if (!desired.has(name)) plan.delete.push(name);
  for (const list of [plan.create, plan.update, plan.unchanged, plan.delete]) list.sort();
  if (options.dryRun) return plan;
  const retry = { ...options.retry, signal: options.signal, maxAttempts: options.maxAttempts };
  for (const name of [...plan.create, ...plan.update]) {
    await callWithRetry(
      `PutDashboard ${name}`,
      () =>
        client.send(new PutDashboardCommand({ DashboardName: name, DashboardBody: desired.get(name) }), {
          abortSignal: options.signal,
        }),
      retry,
    );
  }
  for (let i = 0; i < plan.delete.length; i += DELETE_BATCH) {
    const names = plan.delete.slice(i, i + DELETE_BATCH);
    await callWithRetry(
      `DeleteDashboards (${names.length})`,
      () =>
        client.send(new DeleteDashboardsCommand({ DashboardNames: names }), { abortSignal: options.signal }),
      retry,
    );
  }
  return plan;
}
