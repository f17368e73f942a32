/**
 * What an execution does when its window already has a stored result (`<report prefix>execution.json`),
 * decided once, at the execution's entry, before anything is read or written (issue 12, issue 16):
 *
 * - nothing stored: compute;
 * - the stored file does not validate (empty, truncated, `{}`, `[1]`...): an `InputError` naming it, unless
 *   the rerun is forced (`--force`), which recomputes and replaces it;
 * - stored for other inputs (another baseline, capture, ground truth, window, or a baseline file that
 *   changed or is gone since): with `onOtherInputs: 'error'` (the CLI) an `InputError` saying what
 *   differs, unless forced; the worker keeps the record of what ran;
 * - stored `Failed` ("No captured data", "No ground truth to merge"): not final when the policy says so (the
 *   CLI always recomputes it; the worker's later ticks re-enqueue a model-quality or bias window that failed
 *   for lack of labels with `recomputeFailed`, until the monitor's `retryMissingLabelsFor`: jobs/processor.ts);
 * - otherwise the stored summary is returned, marked with `storedResult` (when it was computed, by which
 *   driftwatch, from which baseline and capture), so the caller can say it is an earlier answer.
 *
 * Recomputing over a stored result first deletes the report set (execution.json first: it is the commit
 * point), including the metrics markers of once.ts: metrics are published again when the job publishes,
 * and a datum published twice counts twice in CloudWatch (SampleCount and Sum double; Average, Minimum and
 * Maximum are unchanged). `--no-publish` recomputes without publishing.
 */
import { relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { parseUri } from '../core/uri.js';
import { driftwatchVersion } from '../core/version.js';
import { joinUri, type Storage } from '../io/storage.js';
import type { ExecutionJobBase, ExecutionSummary } from './types.js';

/** How a rerun treats a stored result (the job's `rerun`; absent = the worker's defaults). */
export interface RerunPolicy {
  /** Recompute and replace whatever is stored, valid or not (`--force`). */
  force?: boolean;
  /** A stored result for other inputs: stop with an error (the CLI) or return it (default: the worker's record of what ran). */
  onOtherInputs?: 'error' | 'keep';
  /** A stored `Failed` result is recomputed (the CLI; a worker retry of a window waiting for labels). */
  recomputeFailed?: boolean;
}

/** The inputs an execution's result depends on, recorded in its summary as `request`. */
export interface ExecutionRequest {
  windowStart: string;
  windowEnd: string;
  captureUri: string;
  endpoint: string;
  variant?: string;
  baselineUri: string;
  groundTruthUri?: string;
  preprocessorUri?: string;
}

/** Set on a summary returned from storage instead of computed by this call. */
export interface StoredResultNote {
  uri: string;
  /** When it was computed (its `computedAt`, else the file's modification time). */
  computedAt?: string;
  driftwatchVersion?: string;
  baselineUri?: string;
  captureUri?: string;
  groundTruthUri?: string;
}

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a time');
// Loose: baseline and input entries carry more than uri and etag (sha256, size), and a stored summary
// is returned as it was written.
const fileRef = z.looseObject({ uri: z.string(), etag: z.string() });

/** What a stored execution.json must hold to be trusted; other fields pass through. */
export const storedSummarySchema = z.looseObject({
  monitorName: z.string(),
  status: z.enum(['Completed', 'CompletedWithViolations', 'Failed']),
  message: z.string(),
  failureReason: z.string().optional(),
  windowStart: iso,
  windowEnd: iso,
  scheduledTime: iso,
  reportUri: z.string(),
  recordsRead: z.number().int().nonnegative(),
  rowsProfiled: z.number().int().nonnegative(),
  violations: z.number().int().nonnegative(),
  driftedFeatures: z.array(z.string()),
  baseline: z.array(fileRef),
  inputs: z.array(fileRef.extend({ size: z.number() })),
  issues: z.looseObject({
    total: z.number(),
    counts: z.record(z.string(), z.number()),
    samples: z.array(z.unknown()),
  }),
  metricsPublished: z.number().int().nonnegative(),
  timings: z.record(z.string(), z.number()),
  driftwatchVersion: z.string().optional(),
  computedAt: iso.optional(),
  request: z
    .looseObject({
      windowStart: z.string(),
      windowEnd: z.string(),
      captureUri: z.string(),
      endpoint: z.string(),
      variant: z.string().optional(),
      baselineUri: z.string(),
      groundTruthUri: z.string().optional(),
      preprocessorUri: z.string().optional(),
    })
    .optional(),
});

export type StoredSummary =
  | { state: 'absent'; uri: string }
  | { state: 'corrupt'; uri: string; reason: string }
  | { state: 'valid'; uri: string; summary: ExecutionSummary; modified?: Date };

/** Reads and validates `<prefix>execution.json`. Never throws for its content; storage errors propagate. */
export async function readStored(storage: Storage, reportPrefix: string): Promise<StoredSummary> {
  const uri = joinUri(reportPrefix, 'execution.json');
  const info = await storage.head(uri);
  if (!info) return { state: 'absent', uri };
  const text = await storage.readText(uri);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      state: 'corrupt',
      uri,
      reason: text.trim() === '' ? 'empty file' : `not JSON (${(error as Error).message})`,
    };
  }
  const parsed = storedSummarySchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
    return {
      state: 'corrupt',
      uri,
      reason: `not an execution summary (${where}${first?.message ?? 'invalid'}${parsed.error.issues.length > 1 ? `, and ${parsed.error.issues.length - 1} more problems` : ''})`,
    };
  }
  return { state: 'valid', uri, summary: parsed.data as ExecutionSummary, modified: info.lastModified };
}

/** The inputs of `job` its summary records (`request`). */
export function executionRequest(job: ExecutionJobBase): ExecutionRequest {
  const j = job as ExecutionJobBase & { groundTruthUri?: string; preprocessorUri?: string };
  return {
    windowStart: new Date(job.windowStart).toISOString(),
    windowEnd: new Date(job.windowEnd).toISOString(),
    captureUri: job.captureUri,
    endpoint: job.endpoint,
    ...(job.variant !== undefined ? { variant: job.variant } : {}),
    baselineUri: job.baselineUri,
    ...(j.groundTruthUri !== undefined ? { groundTruthUri: j.groundTruthUri } : {}),
    ...(j.preprocessorUri !== undefined ? { preprocessorUri: j.preprocessorUri } : {}),
  };
}

/** The fields every new summary carries (added where the summary is stored, once.ts). */
export function provenance(job: ExecutionJobBase): {
  driftwatchVersion: string;
  computedAt: string;
  request: ExecutionRequest;
} {
  return {
    driftwatchVersion: driftwatchVersion(),
    computedAt: new Date().toISOString(),
    request: executionRequest(job),
  };
}

const FLAGS: Record<keyof ExecutionRequest, string> = {
  windowStart: '--start',
  windowEnd: '--end',
  captureUri: '--capture',
  endpoint: '--endpoint',
  variant: '--variant',
  baselineUri: '--baseline',
  groundTruthUri: '--ground-truth',
  preprocessorUri: '--preprocessor',
};

const sameUri = (a: string | undefined, b: string | undefined) =>
  (a ?? '').replace(/\/+$/, '') === (b ?? '').replace(/\/+$/, '');

/** What differs between the stored result's inputs and the job's (empty: the same), baseline files included. */
async function differences(
  storage: Storage,
  summary: ExecutionSummary,
  job: ExecutionJobBase,
): Promise<string[]> {
  const now = executionRequest(job);
  const out: string[] = [];
  const stored = summary.request as Partial<ExecutionRequest> | undefined;
  if (stored) {
    for (const key of Object.keys(FLAGS) as Array<keyof ExecutionRequest>) {
      const a = stored[key];
      const b = now[key];
      const same = key === 'windowStart' || key === 'windowEnd' ? a === b : sameUri(a, b);
      if (!same) out.push(`${FLAGS[key]} was ${a ?? '(none)'}, now ${b ?? '(none)'}`);
    }
  } else {
    // Written before summaries recorded their request: the window and the baseline files tell.
    if (new Date(summary.windowStart).toISOString() !== now.windowStart)
      out.push(`--start was ${summary.windowStart}, now ${now.windowStart}`);
    if (new Date(summary.windowEnd).toISOString() !== now.windowEnd)
      out.push(`--end was ${summary.windowEnd}, now ${now.windowEnd}`);
    const prefix = `${now.baselineUri.replace(/\/+$/, '')}/`;
    const other = summary.baseline.find((f) => !f.uri.startsWith(prefix) && f.uri !== now.baselineUri);
    if (other) out.push(`--baseline: the stored result used ${other.uri}, not under ${now.baselineUri}`);
  }
  if (out.length > 0) return out;
  for (const file of summary.baseline) {
    const info = await storage.head(file.uri);
    if (!info) out.push(`baseline file ${file.uri} no longer exists`);
    else if (info.etag !== file.etag)
      out.push(`baseline file ${file.uri} changed since (etag ${file.etag} → ${info.etag})`);
  }
  return out;
}

/**
 * The entry of every execution: the stored summary to return (marked with `storedResult`), or undefined
 * when the execution must be computed (any stored report set then already deleted). See the top of this file.
 */
export async function storedResult(
  storage: Storage,
  reportPrefix: string,
  job: ExecutionJobBase & { rerun?: RerunPolicy },
): Promise<ExecutionSummary | undefined> {
  const policy = job.rerun ?? {};
  const stored = await readStored(storage, reportPrefix);
  if (stored.state === 'absent') return undefined;
  const replace = async () => {
    await clearReportSet(storage, reportPrefix);
    return undefined;
  };
  if (policy.force) return await replace();
  if (stored.state === 'corrupt')
    throw new InputError(
      `stored execution summary ${stored.uri} is unusable (${stored.reason}); rerun with --force to recompute the window and replace its reports`,
    );
  const { summary } = stored;
  const differs = policy.onOtherInputs === 'error' ? await differences(storage, summary, job) : [];
  if (differs.length > 0)
    throw new InputError(
      `the stored result ${stored.uri} was computed for other inputs (${differs.join('; ')}); rerun with --force to recompute the window and replace its reports, or give another --out or --schedule`,
    );
  if (summary.status === 'Failed' && policy.recomputeFailed) return await replace();
  const note: StoredResultNote = {
    uri: stored.uri,
    ...(typeof summary.computedAt === 'string'
      ? { computedAt: summary.computedAt }
      : stored.modified
        ? { computedAt: stored.modified.toISOString() }
        : {}),
    ...(typeof summary.driftwatchVersion === 'string'
      ? { driftwatchVersion: summary.driftwatchVersion }
      : {}),
    ...(summary.request
      ? {
          baselineUri: (summary.request as ExecutionRequest).baselineUri,
          captureUri: (summary.request as ExecutionRequest).captureUri,
          ...((summary.request as ExecutionRequest).groundTruthUri
            ? { groundTruthUri: (summary.request as ExecutionRequest).groundTruthUri }
            : {}),
        }
      : {}),
  };
  return { ...summary, storedResult: note };
}

/**
 * Deletes the report set directly under `reportPrefix`: `execution.json` first (the commit point: a crash
 * midway leaves a window to recompute, never a summary without its reports), then the other files and
 * the metrics markers.
 */
export async function clearReportSet(storage: Storage, reportPrefix: string): Promise<void> {
  const prefix = reportPrefix.endsWith('/') ? reportPrefix : `${reportPrefix}/`;
  await storage.delete(joinUri(prefix, 'execution.json'));
  const parsed = parseUri(prefix);
  const files: string[] = [];
  for await (const object of storage.list(prefix)) {
    const rest =
      parsed.kind === 's3'
        ? object.uri.startsWith(parsed.uri)
          ? object.uri.slice(parsed.uri.length)
          : undefined
        : relative(resolve(parsed.path), object.uri);
    if (rest !== undefined && rest !== '' && !rest.includes('/') && !rest.includes(sep))
      files.push(object.uri);
  }
  for (const uri of files) await storage.delete(uri);
}

/** One line for people: the stored result returned, from when, by which version, with which inputs. */
export function describeStored(note: StoredResultNote): string {
  const parts = [`stored result from ${note.computedAt ?? 'an earlier run'}`];
  if (note.driftwatchVersion) parts.push(`driftwatch ${note.driftwatchVersion}`);
  if (note.baselineUri) parts.push(`baseline ${note.baselineUri}`);
  if (note.captureUri) parts.push(`capture ${note.captureUri}`);
  if (note.groundTruthUri) parts.push(`ground truth ${note.groundTruthUri}`);
  return `${parts.join(', ')} (not recomputed; --force recomputes it)`;
}
