/**
 * `driftwatch lineage` (issue 17, audit trail): the chain behind an alarm, read from what driftwatch stored.
 *
 * From an execution (its report prefix): training dataset (recorded by the baseline in `sensitive.json`)
 * → baseline files (URI, ETag, SHA-256, from `execution.json`) → the execution (status, window, inputs,
 * version, settings hash, job, caller) → its metrics (CloudWatch, dimensions `Endpoint` and
 * `MonitoringSchedule`) → the alarms watching them (DescribeAlarms, optional).
 * From a baseline: every execution under a report root whose `execution.json` names that baseline.
 */
import { InputError } from '../core/errors.js';
import { joinUri, type Storage } from '../io/storage.js';
import { parseSensitiveBaseline, SENSITIVE_FILE } from '../security/pii.js';
import { readStoredSummary } from './once.js';

export interface ExecutionLineage {
  training?: { dataset: string; rows: number };
  baseline: { prefix: string; files: Array<{ uri: string; etag?: string; sha256?: string }> };
  execution: {
    reportUri: string;
    monitorName: string;
    endpoint: string;
    schedule: string;
    status: string;
    window: [string, string];
    inputs: number;
    driftwatchVersion?: string;
    audit?: unknown;
  };
  metrics: { published: number; dimensions: Record<string, string> };
  /** Alarms on metrics with those dimensions; undefined when CloudWatch was not asked. */
  alarms?: Array<{ name: string; metric: string; namespace: string; state: string }>;
}

/** `<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/` → endpoint and schedule. */
function endpointAndSchedule(reportUri: string): { endpoint: string; schedule: string } {
  const parts = reportUri.replace(/\/+$/, '').split('/');
  const schedule = parts.at(-5);
  const endpoint = parts.at(-6);
  if (!endpoint || !schedule)
    throw new InputError(`${reportUri}: not a report prefix <output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/`);
  return { endpoint, schedule };
}

export async function executionLineage(
  storage: Storage,
  reportPrefix: string,
  /** The alarms watching a schedule's metrics (`alerts/schedule-alarms.ts` `alarmsOfSchedule`). */
  alarmsOf?: (endpoint: string, schedule: string) => Promise<NonNullable<ExecutionLineage['alarms']>>,
): Promise<ExecutionLineage> {
  const prefix = reportPrefix.endsWith('/') ? reportPrefix : `${reportPrefix}/`;
  const summary = await readStoredSummary(storage, prefix);
  if (!summary) throw new InputError(`${joinUri(prefix, 'execution.json')}: no execution stored there`);
  const s = summary as typeof summary & {
    baseline?: Array<{ uri: string; etag?: string; sha256?: string }>;
    driftwatchVersion?: string;
    audit?: unknown;
  };
  const files = s.baseline ?? [];
  const first = files[0]?.uri ?? '';
  const baselinePrefix = first.slice(0, first.lastIndexOf('/') + 1);
  let training: ExecutionLineage['training'];
  const sensitiveUri = joinUri(baselinePrefix, SENSITIVE_FILE);
  if (baselinePrefix && (await storage.head(sensitiveUri)))
    training = parseSensitiveBaseline(await storage.readText(sensitiveUri), sensitiveUri).training;
  const { endpoint, schedule } = endpointAndSchedule(summary.reportUri || prefix);
  const dimensions = { Endpoint: endpoint, MonitoringSchedule: schedule };
  let alarms: ExecutionLineage['alarms'];
  if (alarmsOf) alarms = await alarmsOf(endpoint, schedule);

  return {
    ...(training ? { training } : {}),
    baseline: { prefix: baselinePrefix, files },
    execution: {
      reportUri: summary.reportUri || prefix,
      monitorName: summary.monitorName,
      endpoint,
      schedule,
      status: summary.status,
      window: [summary.windowStart, summary.windowEnd],
      inputs: summary.inputs.length,
      ...(s.driftwatchVersion ? { driftwatchVersion: s.driftwatchVersion } : {}),
      ...(s.audit ? { audit: s.audit } : {}),
    },
    metrics: { published: summary.metricsPublished, dimensions },
    ...(alarms ? { alarms } : {}),
  };
}

/** Every execution under `reportsRoot` whose execution.json names a file of `baselinePrefix`. */
export async function executionsOfBaseline(
  storage: Storage,
  baselinePrefix: string,
  reportsRoot: string,
): Promise<Array<{ reportUri: string; status: string; scheduledTime: string }>> {
  const base = baselinePrefix.endsWith('/') ? baselinePrefix : `${baselinePrefix}/`;
  const out: Array<{ reportUri: string; status: string; scheduledTime: string }> = [];
  for await (const object of storage.list(reportsRoot)) {
    if (!object.uri.endsWith('/execution.json')) continue;
    const prefix = object.uri.slice(0, -'execution.json'.length);
    const summary = (await readStoredSummary(storage, prefix).catch(() => undefined)) as
      | (Awaited<ReturnType<typeof readStoredSummary>> & { baseline?: Array<{ uri: string }> })
      | undefined;
    if (!summary?.baseline?.some((f) => f.uri.startsWith(base))) continue;
    out.push({ reportUri: prefix, status: summary.status, scheduledTime: summary.scheduledTime });
  }
  return out.sort((a, b) => (a.scheduledTime < b.scheduledTime ? -1 : 1));
}

/** The chain as text, one step per block. */
export function formatLineage(l: ExecutionLineage): string {
  const lines: string[] = [];
  lines.push(
    `training data  ${l.training ? `${l.training.dataset} (${l.training.rows} rows)` : '(not recorded by this baseline)'}`,
  );
  lines.push(`baseline       ${l.baseline.prefix}`);
  for (const f of l.baseline.files)
    lines.push(
      `                 ${f.uri.slice(l.baseline.prefix.length)}  etag ${f.etag ?? '-'}  sha256 ${f.sha256 ?? '-'}`,
    );
  const e = l.execution;
  lines.push(`execution      ${e.reportUri}`);
  lines.push(
    `                 ${e.monitorName}: ${e.status}, window ${e.window[0]} .. ${e.window[1]}, ${e.inputs} input objects`,
  );
  if (e.driftwatchVersion) lines.push(`                 driftwatch ${e.driftwatchVersion}`);
  const audit = e.audit as
    | { settingsSha256?: string; jobId?: string; runBy?: string; caller?: { arn?: string } }
    | undefined;
  if (audit?.settingsSha256) lines.push(`                 settings sha256 ${audit.settingsSha256}`);
  if (audit?.runBy) lines.push(`                 run by ${audit.runBy}`);
  if (audit?.caller?.arn) lines.push(`                 as ${audit.caller.arn}`);
  lines.push(
    `metrics        ${l.metrics.published} published, dimensions Endpoint=${l.metrics.dimensions.Endpoint} MonitoringSchedule=${l.metrics.dimensions.MonitoringSchedule}`,
  );
  if (l.alarms === undefined) lines.push('alarms         (not looked up: --no-alarms)');
  else if (l.alarms.length === 0) lines.push('alarms         none watch these metrics');
  else
    for (const a of l.alarms) lines.push(`alarms         ${a.name}  ${a.namespace} ${a.metric}  ${a.state}`);
  return `${lines.join('\n')}\n`;
}
