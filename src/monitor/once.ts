/**
 * Exactly-once steps of an execution, keyed by its report prefix (deterministic per monitor and window).
 *
 * Metrics: an attempt first claims the publication with a create-only `.metrics-claim`, then sends, then
 * records `.metrics-published`. Another attempt of the same window:
 * - sees `.metrics-published`: sends nothing;
 * - finds the claim taken but no `.metrics-published` (the claimer died while sending, or between sending
 *   and recording): asks `landed` whether the claimer's last datum (the execution heartbeat, sent after
 *   every other datum) is in CloudWatch. If it is, everything went out: it records that and sends nothing.
 *   If not, it sends again; datums of batches the dead claimer did send are then counted twice (their
 *   Average, Minimum and Maximum are unchanged; SampleCount and Sum double).
 */
import { AlreadyExistsError } from '../core/errors.js';
import type { IssueLog } from '../core/issues.js';
import { joinUri, type Storage } from '../io/storage.js';
import type { ExecutionSummary } from './types.js';

export interface PublishOnceOptions {
  /** True when the metrics an earlier, unfinished attempt sent reached CloudWatch (its last datum is visible). */
  landed?: () => Promise<boolean>;
  /** Who claims (job id and attempt), kept in the claim for operators. */
  claimant?: string;
  /** Where a re-publication after an unfinished attempt is recorded. */
  issues?: IssueLog;
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
    // An earlier attempt claimed and did not finish. Recorded in between? Then nothing is left to do.
    if (await storage.head(done)) return 0;
    if (options.landed && (await options.landed())) {
      await record(0, 'sent by an earlier attempt that stopped before recording it');
      return 0;
    }
    options.issues?.add({
      kind: 'metrics-republished',
      source: claim,
      message:
        'an earlier attempt of this execution stopped while publishing its metrics, and its last datum is not in CloudWatch: the metrics were sent again (datums it did send are counted twice)',
    });
  }
  const sent = await publish();
  await record(sent);
  return sent;
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
