/**
 * The audit record of an execution (`execution.json` → `audit`): which settings and which job produced it.
 * The driftwatch version is `driftwatchVersion` beside it (once.ts); the baseline files carry their ETag and
 * SHA-256 (baseline/read.ts); the inputs their ETags (`inputs`).
 */
import { createHash } from 'node:crypto';
import type { CallerIdentity } from './caller-identity.js';

export interface ExecutionAudit {
  /** SHA-256 of the execution's effective settings (the job minus its window and scheduled time). */
  settingsSha256: string;
  /** The BullMQ job id when a worker ran it. */
  jobId?: string;
  /** Who ran it: job, attempt, host and pid (or the CLI command). */
  runBy?: string;
  /** The AWS principal it ran as (STS GetCallerIdentity), when the execution touches AWS. */
  caller?: CallerIdentity;
}

const PER_WINDOW = new Set(['windowStart', 'windowEnd', 'scheduledTime']);

/** JSON with object keys sorted at every level (a stable text to hash). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function settingsSha256(job: object): string {
  const settings = Object.fromEntries(Object.entries(job).filter(([k]) => !PER_WINDOW.has(k)));
  return createHash('sha256').update(canonicalJson(settings)).digest('hex');
}

export function executionAudit(
  job: object,
  attempt: string | undefined,
  caller?: CallerIdentity,
): ExecutionAudit {
  const jobId = attempt?.match(/^job (\S+) attempt /)?.[1];
  return {
    settingsSha256: settingsSha256(job),
    ...(jobId ? { jobId } : {}),
    ...(attempt ? { runBy: attempt } : {}),
    ...(caller ? { caller } : {}),
  };
}

/** True when a job reads or writes S3 or publishes to CloudWatch (then its caller identity is recorded). */
export function touchesAws(job: object): boolean {
  const j = job as { cloudwatch?: unknown };
  if (j.cloudwatch === true) return true;
  return /"s3:\/\//i.test(JSON.stringify(job));
}
