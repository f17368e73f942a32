/**
 * Worker-thread entry: profiles a group of capture objects (`profileExecutionInputs`) and posts back the
 * partial profile. Started by `profileInThreads` (parallel.ts); progress is posted as it goes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { silentLogger } from '../core/log.js';
import type { ObjectInfo } from '../io/storage.js';
import { createStorage } from '../io/storage.js';
import { profileExecutionInputs } from './profile-window.js';
import type { DataQualityJob } from './types.js';

const { job, objects } = workerData as { job: DataQualityJob; objects: ObjectInfo[] };
const storage = createStorage();
try {
  const partial = await profileExecutionInputs(job, objects, {
    storage,
    logger: silentLogger,
    onProgress: (progress) => parentPort?.postMessage({ type: 'progress', progress }),
  });
  parentPort?.postMessage({ type: 'done', partial });
} catch (error) {
  const e = error as Error & { code?: string };
  parentPort?.postMessage({ type: 'error', error: { name: e.name, message: e.message, code: e.code } });
} finally {
  storage.destroy();
}
