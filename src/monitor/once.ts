/**
 * Exactly-once steps of an execution, keyed by its report prefix (deterministic per monitor and window):
 * metrics are published only when the `.metrics-published` marker is absent, and the marker is written
 * right after they were sent. A crash between the two (milliseconds) would publish once more.
 */
import { AlreadyExistsError } from '../core/errors.js';
import { joinUri, type Storage } from '../io/storage.js';
import type { ExecutionSummary } from './types.js';

export async function publishOnce(
  storage: Storage,
  reportPrefix: string,
  publish: () => Promise<number>,
): Promise<number> {
  const marker = joinUri(reportPrefix, '.metrics-published');
  if (await storage.head(marker)) return 0;
  const sent = await publish();
  await storage.write(marker, JSON.stringify({ publishedAt: new Date().toISOString(), metrics: sent }));
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
