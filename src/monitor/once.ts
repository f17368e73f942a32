/**
 * Exactly-once steps of an execution, keyed by its report prefix (deterministic per monitor and window).
 *
 * Metrics: a window's datums go out in PutMetricData calls ("batches", cut by CloudWatch's limits of
 * 1,000 datums and 1 MB per call), and every batch carries its own marker datum in the same call, so a
 * batch is in CloudWatch exactly when its marker is:
 * - when everything fits one call (the usual case: one call per window), the marker is the execution
 *   heartbeat (`driftwatch_execution_completed`) itself;
 * - otherwise batch i of n carries `driftwatch_publication_batch` with a `PublicationBatch` = `i/n`
 *   dimension, and the last batch the heartbeat.
 * Records in storage, under the report prefix: `.metrics-claim` (who publishes, the lock token of its job,
 * when, and how the datums were cut: later attempts cut the same way), `.metrics-batch-<i>` after each call
 * went out, `.metrics-published` once all did. Batches go one after another and each is recorded before
 * the next is sent, so after a crash only the first unrecorded batch can be in doubt. A later attempt:
 * - sees `.metrics-published`: sends nothing;
 * - skips recorded batches; for the first unrecorded one asks CloudWatch whether its marker is there: if
 *   so it records it and goes on, else, while the claim is younger than `settleMs` (CloudWatch can take
 *   minutes to make a datum readable), it does not wait in place: it throws `PublicationPendingError`
 *   (`defer`, the worker moves the job to BullMQ's delayed state and re-checks later) or sleeps (the CLI).
 *   Once the claim is old enough and the marker still absent, that batch was not sent: it takes the claim
 *   over and sends it and the rest.
 * So each datum of the window is in CloudWatch once, whatever step a worker died at.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Publication } from '../alerts/execution-publication.js';
import type { Datum, MetricPublisher } from '../alerts/metric-publisher.js';
import {
  batchMetricData,
  estimateDatumBytes,
  invalidDatumReason,
  type MetricBatchLimits,
  PUT_METRIC_DATA_LIMITS,
} from '../alerts/publish.js';
import {
  AlreadyExistsError,
  DriftwatchError,
  InputError,
  isPermanent,
  PublicationPendingError,
} from '../core/errors.js';
import type { IssueLog } from '../core/issues.js';
import { driftwatchVersion } from '../core/version.js';
import { joinUri, type Storage } from '../io/storage.js';
import { loadHourFiles, renderReport } from '../report/html/index.js';
import { crashPoint, testMaxDatumsPerCall } from './crash-points.js';
import { metricsNotPublished } from './metrics-age.js';
import { provenance, readStored } from './stored.js';
import type { ExecutionDeps, ExecutionJobBase, ExecutionSummary, ExecutionSummaryBase } from './types.js';

export type { Publication } from '../alerts/execution-publication.js';

export interface PublishOnceOptions {
  /** Who claims (job id and attempt), kept in the claim for operators. */
  claimant?: string;
  /** The BullMQ lock token of the job publishing, kept in the claim. */
  token?: string;
  /** Where skipped datums and taken-over publications are recorded. */
  issues?: IssueLog;
  /** How old an unfinished claim must be before a batch whose marker is absent is sent again. @defaultValue 180000 */
  settleMs?: number;
  /** How often to look again meanwhile. @defaultValue 15000 */
  pollMs?: number;
  /** Throw `PublicationPendingError` instead of waiting in place (a worker: the job is delayed). */
  defer?: boolean;
  signal?: AbortSignal;
  limits?: MetricBatchLimits;
  /** Attempts per PutMetricData call (see `putMetrics`). */
  maxAttempts?: number;
}

interface Claim {
  claimedAt?: string;
  by?: string;
  token?: string;
  /** Datums per batch (markers not counted), in order. */
  batches?: number[];
  /**
   * CloudWatch refused batch `refusedBatch` (0-based) for good (access denied, invalid): it and the later
   * ones were not sent, so a later attempt sends them without waiting for their markers.
   */
  refusedBatch?: number;
  refused?: string;
}

const MARKER_RESERVE_BYTES = 2_000;

/**
 * Cuts the valid datums into batches of at most `limits` minus room for each batch's marker, or by the
 * sizes an earlier attempt used (when they still add up).
 */
function cutBatches(
  publication: Publication,
  limits: MetricBatchLimits,
  issues: IssueLog | undefined,
  sizes: number[] | undefined,
): Datum[][] {
  const room: MetricBatchLimits = {
    ...limits,
    maxDatums: Math.max(1, limits.maxDatums - 1),
    maxPayloadBytes:
      limits.maxPayloadBytes - Math.max(MARKER_RESERVE_BYTES, estimateDatumBytes(publication.heartbeat) * 2),
  };
  const { batches, skipped } = batchMetricData(publication.namespace, publication.datums, { limits: room });
  for (const s of skipped) {
    issues?.add({
      kind: 'metric-datum-invalid',
      source: `cloudwatch:${publication.namespace}`,
      column: s.metricName,
      message: `metric datum not published: ${s.reason}`,
    });
  }
  const valid = batches.flat();
  if (
    sizes?.every((n) => Number.isInteger(n) && n >= 0) &&
    sizes.reduce((a, b) => a + b, 0) === valid.length
  ) {
    const out: Datum[][] = [];
    let at = 0;
    for (const n of sizes) {
      out.push(valid.slice(at, at + n));
      at += n;
    }
    return out;
  }
  return batches.length > 0 ? batches : [[]];
}

/**
 * Publishes the execution's datums at most once per report prefix (see above); returns how many datums
 * of the window are in CloudWatch by any attempt (markers included), 0 when nothing was published.
 */
export async function publishOnce(
  storage: Storage,
  reportPrefix: string,
  publisher: MetricPublisher,
  publication: Publication,
  options: PublishOnceOptions = {},
): Promise<number> {
  const done = joinUri(reportPrefix, '.metrics-published');
  const recorded = await readJson<{ metrics?: number }>(storage, done);
  if (recorded) return recorded.metrics ?? 0;
  const claimUri = joinUri(reportPrefix, '.metrics-claim');
  const unsendable = invalidDatumReason(publication.heartbeat);
  if (unsendable) {
    // Every datum of the window has the heartbeat's timestamp: none of them can go out either.
    options.issues?.add({
      kind: 'metric-datum-invalid',
      source: `cloudwatch:${publication.namespace}`,
      message: `the execution's ${publication.datums.length + 1} metric datums were not published: ${unsendable}`,
    });
    return 0;
  }
  const envLimit = testMaxDatumsPerCall();
  const limits =
    options.limits ??
    (envLimit ? { ...PUT_METRIC_DATA_LIMITS, maxDatums: envLimit } : PUT_METRIC_DATA_LIMITS);
  const settleMs = options.settleMs ?? 180_000;
  const pollMs = options.pollMs ?? 15_000;
  const claimFor = (batches: number[]): string =>
    JSON.stringify({
      claimedAt: new Date().toISOString(),
      by: options.claimant ?? 'unknown',
      ...(options.token ? { token: options.token } : {}),
      batches,
    } satisfies Claim);

  let earlier = await readJson<Claim>(storage, claimUri);
  let batches = cutBatches(publication, limits, options.issues, earlier?.batches);
  const sizes = batches.map((b) => b.length);
  if (!earlier) {
    try {
      await storage.write(claimUri, claimFor(sizes), { ifNoneMatch: true, contentType: 'application/json' });
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
      // Another attempt claimed in between: follow its cut.
      earlier = await readJson<Claim>(storage, claimUri);
      batches = cutBatches(publication, limits, undefined, earlier?.batches);
    }
  }
  const n = batches.length;
  const markerOf = (i: number) => (i === n - 1 ? publication.heartbeat : publication.batchMarker(i, n));
  const batchUri = (i: number) => joinUri(reportPrefix, `.metrics-batch-${i + 1}`);
  const total = batches.reduce((sum, b) => sum + b.length + 1, 0);
  let first = 0;
  while (first < n && (await storage.head(batchUri(first)))) first++;
  if (earlier && first < n && earlier.refusedBatch !== first) {
    // The first unrecorded batch may have gone out just before the earlier attempt stopped.
    for (;;) {
      if (await publisher.landed(publication.namespace, markerOf(first), { signal: options.signal })) {
        await recordBatch(
          storage,
          batchUri(first),
          batches[first]?.length ?? 0,
          'sent by an earlier attempt',
        );
        // The earlier attempt stopped before recording this batch, so it never sent the next one.
        first++;
        break;
      }
      const claimedAt = Date.parse(earlier?.claimedAt ?? '') || 0;
      const left = claimedAt + settleMs - Date.now();
      if (left <= 0) break;
      const wait = Math.min(left, pollMs);
      if (options.defer)
        throw new PublicationPendingError(
          `an earlier attempt (${earlier?.by ?? 'unknown'}) may have sent batch ${first + 1}/${n} of the metrics; looking again in ${Math.ceil(wait / 1000)} s`,
          Date.now() + wait,
        );
      await sleep(wait, undefined, { signal: options.signal });
      if (await storage.head(done))
        return (await readJson<{ metrics?: number }>(storage, done))?.metrics ?? total;
    }
    if (first < n) {
      options.issues?.add({
        kind: 'metrics-publication-resumed',
        source: claimUri,
        message: `an earlier attempt stopped while publishing the metrics; batches ${first + 1}–${n} of ${n} were not in CloudWatch and were sent by this attempt`,
      });
      // This attempt now publishes: a later one waits for it, not for the earlier one.
      await storage.write(claimUri, claimFor(batches.map((b) => b.length)), {
        contentType: 'application/json',
      });
    }
  }
  if (first === 0) crashPoint('publish:before-first-call');
  for (let i = first; i < n; i++) {
    const batch = [...(batches[i] ?? []), markerOf(i)];
    let sent: number;
    try {
      sent = await publisher.put(publication.namespace, batch, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
        ...(options.issues ? { issues: options.issues } : {}),
        limits: PUT_METRIC_DATA_LIMITS,
      });
    } catch (error) {
      if (isPermanent(error)) {
        // Refused for good (e.g. access denied): nothing of this batch went out. Said in the claim, so that
        // the attempt after the fix sends it at once instead of waiting for a marker that cannot exist.
        const claim: Claim = {
          ...(JSON.parse(claimFor(batches.map((b) => b.length))) as Claim),
          refusedBatch: i,
          refused: (error as Error).message,
        };
        await storage.write(claimUri, JSON.stringify(claim), { contentType: 'application/json' });
      }
      throw error;
    }
    if (sent !== batch.length)
      throw new DriftwatchError(
        'E_CLOUDWATCH',
        `batch ${i + 1}/${n}: ${batch.length - sent} datums were not sent`,
      );
    if (i < n - 1) crashPoint('publish:between-batches');
    else crashPoint('publish:before-record');
    await recordBatch(storage, batchUri(i), batch.length - 1);
  }
  await storage.write(
    done,
    JSON.stringify({ publishedAt: new Date().toISOString(), metrics: total, batches: n }),
    { contentType: 'application/json' },
  );
  return total;
}

/** The `publishOnce` options of an execution run with `deps`. */
export function publishOptions(deps: ExecutionDeps, issues: IssueLog): PublishOnceOptions {
  return {
    issues,
    ...(deps.attempt ? { claimant: deps.attempt } : {}),
    ...(deps.lockToken ? { token: deps.lockToken } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...deps.publication,
  };
}

async function recordBatch(storage: Storage, uri: string, datums: number, note?: string): Promise<void> {
  await storage.write(
    uri,
    JSON.stringify({ sentAt: new Date().toISOString(), datums, ...(note ? { note } : {}) }),
    { contentType: 'application/json' },
  );
}

/** A small JSON record, or undefined when it is absent or unreadable. */
async function readJson<T>(storage: Storage, uri: string): Promise<T | undefined> {
  if (!(await storage.head(uri))) return undefined;
  try {
    return JSON.parse(await storage.readText(uri)) as T;
  } catch {
    return undefined;
  }
}

/**
 * The summary of a finished execution (`<prefix>execution.json`, validated), or undefined. A pure read
 * (status); executions decide what to do with a stored result in stored.ts.
 * @throws InputError when the stored file is not a valid summary (empty, truncated, `{}`...).
 */
export async function readStoredSummary(
  storage: Storage,
  reportPrefix: string,
): Promise<ExecutionSummary | undefined> {
  const stored = await readStored(storage, reportPrefix);
  if (stored.state === 'corrupt')
    throw new InputError(`stored execution summary ${stored.uri} is unusable (${stored.reason})`);
  return stored.state === 'valid' ? stored.summary : undefined;
}

/**
 * Writes the summary last, with a create-only write: the execution's commit point. When another run of the
 * same window got there first, its summary is the one returned.
 */
export async function storeSummaryOnce<S extends ExecutionSummaryBase>(
  storage: Storage,
  reportPrefix: string,
  summary: S,
  job?: ExecutionJobBase,
): Promise<S> {
  // Which driftwatch computed it, when, from which inputs (a rerun compares them, stored.ts).
  if (job) {
    Object.assign(summary, provenance(job));
    // CloudWatch's 14-day limit: its own field, not an input problem (metrics-age.ts).
    const notPublished = metricsNotPublished(job);
    if (notPublished) summary.metricsNotPublished = notPublished;
  } else summary.driftwatchVersion = driftwatchVersion();
  // The person-readable report.html is part of the report set: written before the commit point.
  let html: string | undefined;
  try {
    html = renderReport(
      await loadHourFiles(storage, reportPrefix, { ...summary } as Record<string, unknown>),
    );
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
      return ((await readStoredSummary(storage, reportPrefix)) as S | undefined) ?? summary;
    throw error;
  }
  return summary;
}
