/**
 * Profiling a window on several cores, when asked for (`--threads N`): the window's objects are split into
 * groups of similar size, each group is profiled in a worker thread, and the partial profiles are merged
 * (profiles are mergeable, so the result is the same as one pass, up to the KLL sketch's rank error).
 *
 * The default is one thread (issue 15): per CPU-second a thread does less (its own heap and GC, start-up,
 * the merge), on a busy machine two threads were slower than one, and a merged KLL sketch differs from a
 * single pass's, so a default that followed the core count would make the reports depend on the machine.
 * Worker processes and split windows are the way to use more cores (README, "Scale-out").
 */
import { Worker } from 'node:worker_threads';
import { ConfigError, DriftwatchError, InputError } from '../core/errors.js';
import type { ObjectInfo } from '../io/storage.js';
import type { DataQualityJob, ExecutionDeps, ExecutionProgress, PartialProfileJSON } from './types.js';

/** Young-generation size of a profiling thread (MB). */
const YOUNG_GENERATION_MB = 12;

const workerUrl = new URL('./profile-worker.js', import.meta.url);
/** Threads need the compiled worker (not available when running the TypeScript sources, e.g. under vitest). */
export const threadsAvailable = !import.meta.url.endsWith('.ts');

/** How many threads to use for these objects: `requested` (never more than objects), else 1. */
export function threadCount(objects: ObjectInfo[], requested?: number): number {
  if (!threadsAvailable || requested === undefined) return 1;
  return Math.max(1, Math.min(Math.floor(requested), objects.length));
}

function rebuildError(e: { name: string; message: string; code?: string }): Error {
  if (e.name === 'ConfigError') return new ConfigError(e.message);
  if (e.name === 'InputError') return new InputError(e.message);
  return new DriftwatchError(e.code ?? 'E_PROFILE', e.message);
}

/** Profiles the groups in worker threads; resolves with one partial profile per group. */
export async function profileInThreads(
  job: DataQualityJob,
  groups: ObjectInfo[][],
  deps: Pick<ExecutionDeps, 'signal' | 'onProgress'>,
): Promise<PartialProfileJSON[]> {
  const progress: ExecutionProgress[] = groups.map((g) => ({
    objectsDone: 0,
    objectsTotal: g.length,
    recordsRead: 0,
  }));
  const report = () => {
    const total = { objectsDone: 0, objectsTotal: 0, recordsRead: 0 };
    for (const p of progress) {
      total.objectsDone += p.objectsDone;
      total.objectsTotal += p.objectsTotal;
      total.recordsRead += p.recordsRead;
    }
    deps.onProgress?.(total);
  };
  const workers: Worker[] = [];
  const onAbort = () => {
    for (const w of workers) void w.terminate();
  };
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.all(
      groups.map(
        (objects, i) =>
          new Promise<PartialProfileJSON>((resolve, reject) => {
            // A small young generation: profiling allocates short-lived strings only, and each thread's
            // heap adds to the process's peak RSS.
            const worker = new Worker(workerUrl, {
              workerData: { job, objects },
              resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
            });
            workers.push(worker);
            let settled = false;
            worker.on(
              'message',
              (message: {
                type: string;
                progress?: ExecutionProgress;
                partial?: PartialProfileJSON;
                error?: { name: string; message: string; code?: string };
              }) => {
                if (message.type === 'progress' && message.progress) {
                  progress[i] = message.progress;
                  report();
                } else if (message.type === 'done' && message.partial) {
                  settled = true;
                  resolve(message.partial);
                } else if (message.type === 'error' && message.error) {
                  settled = true;
                  reject(rebuildError(message.error));
                }
              },
            );
            worker.on('error', (error) => {
              settled = true;
              reject(error);
            });
            worker.on('exit', (code) => {
              if (!settled) {
                reject(
                  deps.signal?.aborted
                    ? new DriftwatchError('E_ABORTED', 'execution aborted')
                    : new DriftwatchError('E_PROFILE', `profiling thread exited with code ${code}`),
                );
              }
            });
          }),
      ),
    );
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
