/**
 * The ground-truth side of the kinds that join a window's captured predictions with late labels (model
 * quality, bias; spec §2.3): the join itself, the hour folders that can hold the window's labels, every
 * label read into the join, and why a window that joined nothing failed.
 */
import {
  DEFAULT_GROUND_TRUTH_HORIZON,
  groundTruthFolders,
  listGroundTruthObjects,
  readGroundTruthRecords,
} from '../capture/ground-truth.js';
import { type JoinCounts, PartitionedJoin } from '../capture/ground-truth-join.js';
import { parseDuration } from '../config/schedule.js';
import type { IssueLog } from '../core/issues.js';
import type { Window } from '../core/types.js';
import { joinUri, type ObjectInfo } from '../io/storage.js';
import { NO_GROUND_TRUTH } from './failure-reasons.js';
import { checkAborted, groundTruthReadUntil, inputRefs } from './profile-window.js';
import type { ExecutionDeps } from './types.js';

/** What a labelled kind's job says about its window and where its labels are. */
export interface LabelledJob {
  windowStart: string;
  windowEnd: string;
  scheduledTime: string;
  captureUri: string;
  endpoint: string;
  groundTruthUri: string;
  groundTruthReadUntil?: string;
  groundTruthHorizonMs?: number;
  joinPartitions?: number;
  joinMemoryBytes?: number;
}

/** The join of the window's predictions with their labels, as the job sizes it. */
export function openLabelJoin(job: LabelledJob): PartitionedJoin {
  return new PartitionedJoin({ partitions: job.joinPartitions, joinMemoryBytes: job.joinMemoryBytes });
}

/** The ground-truth hour folders that can hold the labels of the window's predictions. */
export function groundTruthFoldersOf(job: LabelledJob, window: Window): Window {
  return groundTruthFolders(
    window,
    groundTruthReadUntil(job),
    job.groundTruthHorizonMs ?? parseDuration(DEFAULT_GROUND_TRUTH_HORIZON),
  );
}

/** Adds every label of the folders to the join, oldest folder first; the objects read. */
export async function addGroundTruthLabels(
  job: LabelledJob,
  folders: Window,
  join: PartitionedJoin,
  deps: Pick<ExecutionDeps, 'storage' | 'signal'>,
  issues: IssueLog,
): Promise<ObjectInfo[]> {
  const objects: ObjectInfo[] = [];
  for await (const object of listGroundTruthObjects(deps.storage, job.groundTruthUri, folders)) {
    checkAborted(deps.signal);
    objects.push(object);
    for await (const gt of readGroundTruthRecords(deps.storage, object.uri, { issues }))
      await join.addLabel(gt.eventId, gt.label);
  }
  return objects;
}

/** What a labelled window read: its capture objects and records, the join's counts, its label objects. */
export interface LabelledWindowRead {
  inputs: readonly unknown[];
  recordsRead: number;
  counts: JoinCounts;
  gtInputs: readonly ObjectInfo[];
  folders: Window;
}

/**
 * Why a window whose join matched nothing failed: no capture, no usable record (`usable` says what one
 * needs, e.g. "a usable output"), no ground-truth object, or labels that match none of the predictions.
 */
export function unjoinedWindowReason(
  job: LabelledJob,
  read: LabelledWindowRead,
  usable: { record: string; holding: string },
): string {
  const window = `[${job.windowStart}, ${job.windowEnd})`;
  if (read.inputs.length === 0)
    return `No captured data in the window ${window} under ${joinUri(job.captureUri, job.endpoint)}.`;
  if (read.counts.predictions === 0)
    return `No usable ${usable.record} in the window ${window}: ${read.recordsRead} records read, none with ${usable.holding} (see issues).`;
  const gtWhere = groundTruthWhere(job, read.folders);
  if (read.gtInputs.length === 0)
    return `${NO_GROUND_TRUTH}: no ground-truth objects in ${gtWhere}; ${read.counts.predictions} predictions wait for labels.`;
  return `${NO_GROUND_TRUTH}: none of ${read.counts.labels} labels in ${gtWhere} matches the ${read.counts.predictions} predictions of the window (join key: inferenceId, else eventId).`;
}

/** The ground truth's URI and the hour folders read, as failure reasons name them. */
export function groundTruthWhere(job: LabelledJob, folders: Window): string {
  return `${job.groundTruthUri} (hour folders ${folders.start.toISOString()} .. ${folders.end.toISOString()})`;
}

/** The ground-truth folders and objects as execution.json's details list them. */
export function groundTruthRefs(read: Pick<LabelledWindowRead, 'folders' | 'gtInputs'>): {
  groundTruthFolders: { start: string; end: string };
  groundTruthInputs: Array<{ uri: string; etag: string; size: number }>;
} {
  return {
    groundTruthFolders: { start: read.folders.start.toISOString(), end: read.folders.end.toISOString() },
    groundTruthInputs: inputRefs(read.gtInputs),
  };
}
