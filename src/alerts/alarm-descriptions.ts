/**
 * The text on-call reads when an alarm fires: each alarm's `AlarmDescription` (see alarm-specs.ts for the
 * alarms and what fires them).
 */
import type { AlarmKind, MonitorAlarmInput } from './alarm-specs.js';

/** Where the runbook is when the settings do not say. */
export const DEFAULT_RUNBOOK = 'README.md#alerts-and-on-call-runbook';

const MAX_DESCRIPTION_LENGTH = 1024;

/** A name for descriptions: quoted, escaped, shortened. */
export function quoted(text: string, max = 120): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(short);
}

function s3ConsoleUrl(uri: string): string | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m?.[1]) return undefined;
  return `https://s3.console.aws.amazon.com/s3/buckets/${m[1]}?prefix=${encodeURIComponent(m[2] ?? '')}`;
}

/**
 * An alarm's `AlarmDescription`, at most 1024 characters: which monitor, what fired and what to do (from
 * `desiredAlarms`), where the reports of the hour are (and their S3 console link), the runbook section.
 */
export function describeAlarm(
  monitor: MonitorAlarmInput,
  kind: AlarmKind,
  what: string,
  todo: string,
): string {
  const where = monitor.endpoint
    ? `endpoint ${monitor.endpoint}, schedule ${monitor.scheduleName}`
    : `schedule ${monitor.scheduleName}`;
  const reports = `${monitor.reportUri.replace(/\/*$/, '/')}yyyy/mm/dd/hh/`;
  const consoleUrl = s3ConsoleUrl(monitor.reportUri);
  const runbook = monitor.settings.runbookUrl ?? DEFAULT_RUNBOOK;
  const parts = [
    `driftwatch ${kind} alarm of monitor ${monitor.monitorName} (${where}).`,
    `What fired: ${what}`,
    `What to do: ${todo}`,
    `Reports: ${reports} (hh = the alarm's datapoint hour; constraint_violations.json and the execution summary list baseline vs current values).`,
    consoleUrl ? `Console: ${consoleUrl}` : '',
    `Runbook: ${runbook} (section "${kind}").`,
    'Managed by driftwatch alarms sync: manual edits are overwritten.',
  ].filter(Boolean);
  let text = parts.join(' ');
  if (text.length > MAX_DESCRIPTION_LENGTH) text = `${text.slice(0, MAX_DESCRIPTION_LENGTH - 1)}…`;
  return text;
}
