/**
 * The captured records of an execution's window, read once in order: every capture object of the window
 * (listed by hour folder), every record in it, with the abort signal checked per object and every 16,384
 * records, and progress reported after each object. The model-quality, bias and attribution kinds read
 * their window through this; data quality profiles objects in parts (`profile-window.ts`).
 */
import { type CaptureRecord, listCaptureObjects, readCaptureRecords } from '../capture/index.js';
import type { IssueLog } from '../core/issues.js';
import type { Window } from '../core/types.js';
import type { ObjectInfo } from '../io/storage.js';
import { checkAborted } from './profile-window.js';
import type { ExecutionDeps } from './types.js';

/** Where a record came from, as issues name it. */
export interface RecordPlace {
  source: string;
  line: number;
}

/** What the scan read: the objects (for execution.json's inputs) and the records in the window. */
export interface CaptureScanCounts {
  objects: ObjectInfo[];
  recordsRead: number;
}

/**
 * Calls `onRecord` for each captured record of the window (awaited only when it returns a promise, so a
 * synchronous consumer costs no microtask per record).
 */
export async function scanCapturedRecords(
  job: { captureUri: string; endpoint: string; variant?: string | undefined },
  window: Window,
  deps: Pick<ExecutionDeps, 'storage' | 'signal' | 'onProgress'>,
  issues: IssueLog,
  onRecord: (record: CaptureRecord, where: RecordPlace) => void | Promise<void>,
): Promise<CaptureScanCounts> {
  const objects: ObjectInfo[] = [];
  let recordsRead = 0;
  for await (const object of listCaptureObjects(deps.storage, job.captureUri, job.endpoint, window, {
    variant: job.variant,
  })) {
    checkAborted(deps.signal);
    objects.push(object);
    for await (const record of readCaptureRecords(deps.storage, object.uri, { window, issues })) {
      recordsRead++;
      if ((recordsRead & 0x3fff) === 0) checkAborted(deps.signal);
      const pending = onRecord(record, { source: object.uri, line: record.lineNumber });
      if (pending !== undefined) await pending;
    }
    deps.onProgress?.({ objectsDone: objects.length, objectsTotal: objects.length, recordsRead });
  }
  return { objects, recordsRead };
}

/** The key a captured record joins its label by (inferenceId, else eventId); counted when it has none. */
export function joinKeyOf(record: CaptureRecord, issues: IssueLog, where: RecordPlace): string | undefined {
  const key = record.inferenceId ?? record.eventId;
  if (key !== undefined && key !== '') return key;
  issues.add({
    kind: 'missing_event_id',
    ...where,
    message: 'no eventMetadata.inferenceId or eventId: cannot join a label',
  });
  return undefined;
}
