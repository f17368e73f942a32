/**
 * A small, real execution kind for testing the queue machinery without the data-quality pipeline:
 * "profiles" local text files by counting their lines, writes `execution.json` create-only under
 * `<output>/<monitor>/<scheduled time>/`, and records every call so tests can count side effects
 * (a stand-in for "metrics published").
 */
import { AlreadyExistsError, ConfigError, TransientError } from '../../src/core/errors.js';
import { IssueLog } from '../../src/core/issues.js';
import { joinUri, type ObjectInfo, type Storage } from '../../src/io/storage.js';
import { compactTime } from '../../src/jobs/ids.js';
import type { ExecutionKind } from '../../src/jobs/kinds.js';
import type { ExecutionPayload } from '../../src/jobs/payloads.js';
import type { ExecutionSummary, PartialProfileJSON } from '../../src/monitor/types.js';

export interface LineCountCalls {
  list: string[];
  profile: Array<{ execution: string; objects: string[] }>;
  /** Executions whose summary this kind wrote (its "publish" side effect): must hold each id once. */
  published: string[];
}

export interface LineCountOptions {
  /** Profile calls that fail with a TransientError before one succeeds. */
  transientFailures?: number;
  /** Block in profileInputs until the job's signal aborts (to test shutdown). */
  blockUntilAborted?: boolean;
  /** Called when a profile starts (e.g. to learn that a job is active). */
  onProfileStart?: () => void;
}

export function summaryUri(job: ExecutionPayload): string {
  return joinUri(job.outputUri, job.monitorName, compactTime(new Date(job.scheduledTime)), 'execution.json');
}

export function lineCountKind(options: LineCountOptions = {}): {
  kind: ExecutionKind;
  calls: LineCountCalls;
} {
  const calls: LineCountCalls = { list: [], profile: [], published: [] };
  let failuresLeft = options.transientFailures ?? 0;
  const readSummary = async (storage: Storage, job: ExecutionPayload) => {
    const uri = summaryUri(job);
    if (!(await storage.head(uri))) return undefined;
    return JSON.parse(await storage.readText(uri)) as ExecutionSummary;
  };
  const kind: ExecutionKind = {
    readSummary,
    split: {
      async listInputs(job, deps) {
        calls.list.push(job.scheduledTime);
        if (!(await deps.storage.head(joinUri(job.baselineUri, 'statistics.json')))) {
          throw new ConfigError('baseline statistics.json is missing', {
            file: job.baselineUri,
            field: 'baseline',
          });
        }
        const objects: ObjectInfo[] = [];
        for await (const o of deps.storage.list(job.captureUri)) objects.push(o);
        return objects;
      },
      async profileInputs(job, objects, deps): Promise<PartialProfileJSON> {
        calls.profile.push({ execution: job.scheduledTime, objects: objects.map((o) => o.uri) });
        options.onProfileStart?.();
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new TransientError('simulated throttling');
        }
        if (options.blockUntilAborted) {
          await new Promise<void>((resolve) => {
            if (deps.signal?.aborted) resolve();
            deps.signal?.addEventListener('abort', () => resolve(), { once: true });
          });
          throw new Error('aborted');
        }
        let records = 0;
        let done = 0;
        for (const o of objects) {
          const text = await deps.storage.readText(o.uri);
          records += text.split('\n').filter(Boolean).length;
          done++;
          deps.onProgress?.({ objectsDone: done, objectsTotal: objects.length, recordsRead: records });
        }
        return {
          objects: objects.map((o) => ({ uri: o.uri, etag: o.etag, size: o.size })),
          recordsRead: records,
          profile: { lines: records },
          issues: new IssueLog().toJSON(),
        };
      },
      async complete(job, partials, deps): Promise<ExecutionSummary> {
        const existing = await readSummary(deps.storage, job);
        if (existing) return existing;
        const recordsRead = partials.reduce((n, p) => n + p.recordsRead, 0);
        const summary: ExecutionSummary = {
          monitorName: job.monitorName,
          status: 'Completed',
          message: 'Completed: Job completed successfully with no violations.',
          windowStart: job.windowStart,
          windowEnd: job.windowEnd,
          scheduledTime: job.scheduledTime,
          reportUri: summaryUri(job),
          recordsRead,
          rowsProfiled: recordsRead,
          violations: 0,
          driftedFeatures: [],
          baseline: [],
          inputs: partials.flatMap((p) => p.objects),
          issues: new IssueLog().toJSON(),
          metricsPublished: 1,
          timings: {},
          partials: partials.length,
        };
        try {
          await deps.storage.write(summaryUri(job), JSON.stringify(summary), { ifNoneMatch: true });
        } catch (error) {
          if (error instanceof AlreadyExistsError) return (await readSummary(deps.storage, job)) ?? summary;
          throw error;
        }
        calls.published.push(`${job.monitorName}@${job.scheduledTime}`);
        return summary;
      },
    },
  };
  return { kind, calls };
}
