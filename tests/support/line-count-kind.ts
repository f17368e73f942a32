/**
 * A small, real monitor kind for testing the queue machinery without the data-quality pipeline:
 * "profiles" local text files by counting their lines (in parts when the worker splits the window), and
 * records every call so tests can count side effects (`published`: the executions it checked).
 */
import { ConfigError, TransientError } from '../../src/core/errors.js';
import { IssueLog } from '../../src/core/issues.js';
import { joinUri, type ObjectInfo } from '../../src/io/storage.js';
import type { CollectedInputs, MonitorKind } from '../../src/monitor/execution.js';
import type { ExecutionDeps, ExecutionJobBase, PartialProfileJSON } from '../../src/monitor/types.js';

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
  /** A window without lines is recorded as `Failed` ("No captured data"), as the real kinds do. */
  emptyIsFailed?: boolean;
}

/** The line-count kind's baseline: it only has to exist. */
export interface LineCountBaseline {
  files: Array<{ uri: string; etag: string }>;
}

export interface LineCountCollected extends CollectedInputs {
  partials: number;
}

export function lineCountKind(options: LineCountOptions = {}): {
  kind: MonitorKind<ExecutionJobBase, LineCountBaseline, LineCountCollected, { partials: number }>;
  calls: LineCountCalls;
} {
  const calls: LineCountCalls = { list: [], profile: [], published: [] };
  let failuresLeft = options.transientFailures ?? 0;
  async function profile(
    job: ExecutionJobBase,
    objects: ObjectInfo[],
    deps: ExecutionDeps,
  ): Promise<PartialProfileJSON> {
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
  }
  async function listInputs(job: ExecutionJobBase, deps: ExecutionDeps): Promise<ObjectInfo[]> {
    calls.list.push(job.scheduledTime);
    const objects: ObjectInfo[] = [];
    for await (const o of deps.storage.list(job.captureUri)) objects.push(o);
    return objects;
  }
  const merge = (_job: ExecutionJobBase, _baseline: LineCountBaseline, partials: PartialProfileJSON[]) => ({
    recordsRead: partials.reduce((n, p) => n + p.recordsRead, 0),
    partials: partials.length,
    inputs: partials.flatMap((p) => p.objects),
    issues: new IssueLog(),
  });
  const kind: MonitorKind<ExecutionJobBase, LineCountBaseline, LineCountCollected, { partials: number }> = {
    type: 'data-quality',
    async readBaseline(storage, job) {
      const uri = joinUri(job.baselineUri, 'statistics.json');
      const head = await storage.head(uri);
      if (!head) {
        throw new ConfigError('baseline statistics.json is missing', {
          file: job.baselineUri,
          field: 'baseline',
        });
      }
      return { files: [{ uri, etag: head.etag }] };
    },
    async collect(job, baseline, deps) {
      return merge(job, baseline, [await profile(job, await listInputs(job, deps), deps)]);
    },
    parts: { listInputs, profile, merge },
    check(job, _baseline, collected) {
      // The stand-in for "metrics published": the skeleton checks once per execution it runs.
      calls.published.push(`${job.monitorName}@${job.scheduledTime}`);
      return {
        ...(options.emptyIsFailed && collected.recordsRead === 0
          ? { failureReason: 'No captured data in the window.' }
          : {}),
        violations: 0,
        reports: [],
        rowsProfiled: collected.recordsRead,
        details: { partials: collected.partials },
      };
    },
  };
  return { kind, calls };
}
