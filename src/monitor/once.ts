/**
 * Exactly-once steps of an execution, keyed by its report prefix (deterministic per monitor and window).
 *
 * Metrics: an attempt first claims the publication with a create-only `.metrics-claim`, then sends, then
 * records `.metrics-published`. Another attempt of the same window:
 * - sees `.metrics-published`: sends nothing;
 * - finds the claim taken but no `.metrics-published` (the claimer died while sending, or between sending
 *   and recording, or is still sending): asks `landed` whether the claimer's last datum (the execution
 *   heartbeat, sent after every other datum) is in CloudWatch, again every `pollMs` until the claim is
 *   `settleMs` old (CloudWatch can take minutes to make a datum readable). If it is, everything went out:
 *   it records that and sends nothing. If not, it sends again; datums of batches the dead claimer did send
 *   are then counted twice (their Average, Minimum and Maximum are unchanged; SampleCount and Sum double).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AlreadyExistsError } from '../core/errors.js';
import type { IssueLog } from '../core/issues.js';
import { joinUri, type Storage } from '../io/storage.js';
import { loadHourFiles, renderReport } from '../report/html/index.js';
import type { ExecutionSummary } from './types.js';

export interface PublishOnceOptions {
  /** True when the metrics an earlier, unfinished attempt sent reached CloudWatch (its last datum is visible). */
  landed?: () => Promise<boolean>;
  /** Who claims (job id and attempt), kept in the claim for operators. */
  claimant?: string;
  /** Where a re-publication after an unfinished attempt is recorded. */
  issues?: IssueLog;
  /** How old an unfinished claim must be before its metrics are sent again. @defaultValue 180000 */
  settleMs?: number;
  /** How often to look again meanwhile. @defaultValue 15000 */
  pollMs?: number;
  /** Stops the wait (a worker handing its job back). */
  signal?: AbortSignal;
}

/** Publishes at most once per report prefix (see above); returns the number of datums this call sent. */
export async function publishOnce(
  storage: Storage,
  reportPrefix: string,
  publish: () => Promise<number>,
  options: PublishOnceOptions = {},
): Promise<number> {
  const done = joinUri(reportPrefix, '.metrics-published');
  if (await storage.head(done)) return 0;
  const claim = joinUri(reportPrefix, '.metrics-claim');
  const record = (metrics: number, note?: string) =>
    storage.write(
      done,
      JSON.stringify({ publishedAt: new Date().toISOString(), metrics, ...(note ? { note } : {}) }),
    );
  try {
    await storage.write(
      claim,
      JSON.stringify({ claimedAt: new Date().toISOString(), by: options.claimant ?? 'unknown' }),
      { ifNoneMatch: true, contentType: 'application/json' },
    );
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    // Another attempt claimed and has not recorded the publication: wait for its record or its heartbeat.
    const claimedAt = await claimTime(storage, claim);
    const settleMs = options.settleMs ?? 180_000;
    for (;;) {
      if (await storage.head(done)) return 0;
      if (options.landed && (await options.landed())) {
        await record(0, 'sent by an earlier attempt that stopped before recording it');
        return 0;
      }
      const left = claimedAt + settleMs - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(left, options.pollMs ?? 15_000), undefined, { signal: options.signal });
    }
    options.issues?.add({
      kind: 'metrics-republished',
      source: claim,
      message:
        'an earlier attempt of this execution stopped while publishing its metrics, and its last datum is not in CloudWatch: the metrics were sent again (datums it did send are counted twice)',
    });
  }
  let sent: number;
  try {
    sent = await publish();
  } catch (error) {
    // This attempt knows it did not finish: the next one need not wait for it (batches already sent
    // are sent again then, as after a crash).
    await storage.delete(claim).catch(() => {});
    throw error;
  }
  await record(sent);
  return sent;
}

/** When the claim was made (its `claimedAt`), or long ago when it cannot be read. */
async function claimTime(storage: Storage, claim: string): Promise<number> {
  try {
    const at = Date.parse(
      (JSON.parse(await storage.readText(claim)) as { claimedAt?: string }).claimedAt ?? '',
    );
    return Number.isFinite(at) ? at : 0;
  } catch {
    return 0;
  }
}

/** The summary of a finished execution (`<prefix>execution.json`), or undefined. */
export async function readStoredSummary(
  storage: Storage,
  reportPrefix: string,
): Promise<ExecutionSummary | undefined> {
  const uri = joinUri(reportPrefix, 'execution.json');
  if (!(await storage.head(uri))) return undefined;
  return JSON.parse(await storage.readText(uri)) as ExecutionSummary;
}

/**
 * Writes the summary last, with a create-only write: the execution's commit point. When another run of the
 * same window got there first, its summary is the one returned.
 */
export async function storeSummaryOnce(
  storage: Storage,
  reportPrefix: string,
  summary: ExecutionSummary,
): Promise<ExecutionSummary> {
  // The person-readable report.html is part of the report set: written before the commit point.
  let html: string | undefined;
  try {
    html = renderReport(await loadHourFiles(storage, reportPrefix, summary));
  } catch (error) {
    summary.reportHtmlError = (error as Error).message;
  }
  if (html !== undefined)
    await storage.write(joinUri(reportPrefix, 'report.html'), html, {
      contentType: 'text/html; charset=utf-8',
    });
  try {
    await storage.write(joinUri(reportPrefix, 'execution.json'), `${JSON.stringify(summary, null, 2)}\n`, {
      ifNoneMatch: true,
      contentType: 'application/json',
    });
  } catch (error) {
    if (error instanceof AlreadyExistsError)
      return (await readStoredSummary(storage, reportPrefix)) ?? summary;
    throw error;
  }
  return summary;
}
