/**
 * Deterministic job and scheduler ids. BullMQ ignores adding a job whose id exists, so one id per
 * (monitor, scheduled time) makes a duplicate trigger, a backfill over an existing window or a retry
 * land on the same job: one execution per window. Ids contain no `:` and are never integers.
 *
 * - execution: `dq__<monitor>__20240502T080000Z` (`mq__` model quality, `mb__` bias, `me__` attribution)
 * - part (child of a split execution): `<execution id>__part0003`
 * - job scheduler: `monitor__<monitor>`
 */
import type { Queue } from 'bullmq';
import type { MonitorType } from '../config/monitors.js';

export const executionIdPrefixes = {
  'data-quality': 'dq',
  'model-quality': 'mq',
  bias: 'mb',
  attribution: 'me',
} as const satisfies Record<MonitorType, string>;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2024-05-02T08:00:00Z` → `20240502T080000Z` (UTC, second resolution). */
export function compactTime(date: Date): string {
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`
  );
}

export function executionJobId(type: MonitorType, monitorName: string, scheduledTime: Date): string {
  return `${executionIdPrefixes[type]}__${monitorName}__${compactTime(scheduledTime)}`;
}

export function partJobId(executionId: string, index: number): string {
  return `${executionId}__part${pad(index, 4)}`;
}

export const schedulerIdPrefix = 'monitor__';

export function schedulerId(monitorName: string): string {
  return `${schedulerIdPrefix}${monitorName}`;
}

/** The monitor name of a driftwatch scheduler id, or undefined for a scheduler that is not ours. */
export function monitorOfSchedulerId(id: string): string | undefined {
  return id.startsWith(schedulerIdPrefix) ? id.slice(schedulerIdPrefix.length) : undefined;
}

/** The Redis hash (in the queue's key space) remembering each monitor's latest ticked scheduled time. */
export function lastTickKey(queue: Queue): string {
  return `${queue.qualifiedName}:driftwatch:last-tick`;
}
