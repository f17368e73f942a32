/**
 * Profiling a window's capture objects (the part of an execution that runs per object group, in-process or
 * in a worker thread). Kept apart from reporting and publishing so worker threads load only this.
 */
import { type Baseline, readBaseline } from '../baseline/read.js';
import {
  createCaptureRows,
  listCaptureObjects,
  loadPreprocessor,
  type PlainCsvPayloads,
  PlainCsvRow,
  readCaptureBatches,
  readCaptureEntries,
} from '../capture/index.js';
import { reconstructionCollector } from '../checks/multivariate.js';
import { ConfigError, DriftwatchError } from '../core/errors.js';
import { IssueLog } from '../core/issues.js';
import type { Window } from '../core/types.js';
import { checkWindow } from '../core/window.js';
import type { ObjectInfo } from '../io/storage.js';
import { DatasetProfile, type DelimitedRowOutput } from '../metrics/profile/dataset-profile.js';
import { protectPartialProfile } from '../security/pii.js';
import { DEFAULT_PII_MODE } from '../security/pii-modes.js';
import type { DataQualityJob, ExecutionDeps, PartialProfileJSON } from './types.js';

/** The job's data-quality baseline, with the monitor's drift mode applied (`withDriftMode`). */
export function readJobBaseline(
  storage: ExecutionDeps['storage'],
  job: Pick<DataQualityJob, 'baselineUri' | 'driftMode'>,
): Promise<Baseline> {
  return readBaseline(storage, job.baselineUri, job.driftMode ? { driftMode: job.driftMode } : {});
}

/** The job's window, checked (see core/window.ts). */
export function jobWindow(job: Pick<DataQualityJob, 'windowStart' | 'windowEnd'>): Window {
  return checkWindow(new Date(job.windowStart), new Date(job.windowEnd));
}

/** Until when late ground truth is read (model quality, bias): `groundTruthReadUntil`, else the scheduled time. */
export function groundTruthReadUntil(job: { groundTruthReadUntil?: string; scheduledTime: string }): Date {
  const readUntil = new Date(job.groundTruthReadUntil ?? job.scheduledTime);
  if (Number.isNaN(readUntil.getTime()))
    throw new ConfigError(`invalid time ${job.groundTruthReadUntil}`, { field: 'groundTruthReadUntil' });
  return readUntil;
}

/** The inputs as an execution.json lists them: URI, ETag and size of each object read. */
export function inputRefs(
  objects: readonly ObjectInfo[],
): Array<{ uri: string; etag: string; size: number }> {
  return objects.map((o) => ({ uri: o.uri, etag: o.etag, size: o.size }));
}

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DriftwatchError('E_ABORTED', 'execution aborted', { cause: signal.reason });
}

/** The capture objects of the window, in key order. */
export async function listExecutionInputs(job: DataQualityJob, deps: ExecutionDeps): Promise<ObjectInfo[]> {
  const objects: ObjectInfo[] = [];
  for await (const o of listCaptureObjects(deps.storage, job.captureUri, job.endpoint, jobWindow(job), {
    variant: job.variant,
  })) {
    objects.push(o);
  }
  return objects;
}

/** A window's objects profiled in this thread, before anything leaves it (see `protectPartialProfile`). */
export interface ProfiledInputs {
  objects: ObjectInfo[];
  recordsRead: number;
  profile: DatasetProfile;
  issues: IssueLog;
  /** Sum and count of the rows' PCA reconstruction errors (a calibrated baseline's multivariate model). */
  reconstruction: { sum: number; count: number } | undefined;
  baseline: Baseline;
}

/** Profiles some of the window's objects in this thread. */
export async function profileInputs(
  job: DataQualityJob,
  objects: ObjectInfo[],
  deps: ExecutionDeps,
  baseline?: Baseline,
): Promise<ProfiledInputs> {
  const base = baseline ?? (await readJobBaseline(deps.storage, job));
  const window = jobWindow(job);
  const issues = new IssueLog();
  const profile = new DatasetProfile(base.statistics.features.map((f) => f.name));
  const preprocessor = job.preprocessorUri
    ? await loadPreprocessor(job.preprocessorUri, {
        storage: deps.storage,
        sha256: job.preprocessorSha256,
        // Writable by the endpoint and by driftwatch: code is never taken from there.
        forbiddenPrefixes: [job.captureUri, job.outputUri],
      })
    : undefined;
  const reconstruction = reconstructionCollector(base.calibration?.multivariate, profile);
  // With a multivariate model, the numbers (and the encoded features' cells) of each row the collector
  // samples go to it as the profile parsed them: each cell is parsed once, plain CSV rows still read in place.
  let numbers = new Float64Array(profile.columns.length);
  const width = profile.columns.length;
  const delimited: DelimitedRowOutput = {
    numbers,
    texts: new Array<string | undefined>(width).fill(undefined),
    textColumns: new Uint8Array(width),
  };
  for (const c of reconstruction?.textColumns ?? []) delimited.textColumns[c] = 1;
  const { build, plainCsv } = createCaptureRows(profile, {
    baselineColumns: base.statistics.features.map((f) => f.name),
    outputColumnsPosition: job.outputColumnsPosition,
    preprocessor,
    issues,
    // Plain CSV rows straight into the profile, their numbers read in place.
    delimitedRows: reconstruction
      ? {
          countDelimitedCells: (bytes, start, end, secondStart, secondEnd) =>
            profile.countDelimitedCells(bytes, start, end, secondStart, secondEnd),
          addDelimitedRow() {
            if (!reconstruction.sample()) return profile.addDelimitedRow();
            profile.addDelimitedRow(delimited);
            reconstruction.add(delimited.numbers, delimited.texts);
          },
        }
      : profile,
  });
  const emit = reconstruction
    ? (cells: unknown[]) => {
        if (!reconstruction.sample()) return profile.addRow(cells);
        if (numbers.length < profile.columns.length) numbers = new Float64Array(profile.columns.length);
        profile.addRow(cells, numbers);
        reconstruction.add(numbers, cells);
      }
    : (cells: unknown[]) => profile.addRow(cells);
  let recordsRead = 0;
  let done = 0;
  // Plain CSV records the reader hands over as it reads them (counted here: they are not yielded).
  const take =
    plainCsv &&
    ((row: PlainCsvPayloads): boolean => {
      if (!plainCsv(row)) return false;
      recordsRead++;
      return true;
    });
  // The collector's sampling rate from the rows expected in these objects, estimated from the bytes read.
  const totalBytes = objects.reduce((s, o) => s + o.size, 0);
  let bytesDone = 0;
  for (const object of objects) {
    checkAborted(deps.signal);
    const batches =
      take === undefined
        ? readCaptureBatches(deps.storage, object.uri, { window, issues })
        : readCaptureEntries(deps.storage, object.uri, { window, issues }, take);
    for await (const batch of batches) {
      for (let entry of batch) {
        // Plain CSV rows the reader yielded (not taken as read) go to the profile from their bytes, unless
        // it declines them.
        if (entry instanceof PlainCsvRow) {
          if (plainCsv?.(entry)) continue;
          entry = entry.record();
        }
        const pending = build(entry, emit);
        if (pending) await pending;
      }
      recordsRead += batch.length;
      checkAborted(deps.signal);
    }
    done++;
    bytesDone += object.size;
    if (reconstruction && bytesDone > 0 && profile.itemCount > 0)
      reconstruction.expectRows((profile.itemCount * totalBytes) / bytesDone);
    deps.onProgress?.({ objectsDone: done, objectsTotal: objects.length, recordsRead });
  }
  return {
    objects,
    recordsRead,
    profile,
    issues,
    reconstruction: reconstruction?.toJSON(),
    baseline: base,
  };
}

/** Profiles some of the window's objects (a child job's or a thread's work) into a partial profile. */
export async function profileExecutionInputs(
  job: DataQualityJob,
  objects: ObjectInfo[],
  deps: ExecutionDeps,
  baseline?: Baseline,
): Promise<PartialProfileJSON> {
  const done = await profileInputs(job, objects, deps, baseline);
  // A partial leaves this process (Redis, a thread message): no raw sensitive value in it (security/pii.ts).
  return protectPartialProfile(
    {
      objects: inputRefs(objects),
      recordsRead: done.recordsRead,
      profile: done.profile.toJSON(),
      issues: done.issues.toJSON(),
      ...(done.reconstruction ? { reconstruction: done.reconstruction } : {}),
    },
    job.pii ?? DEFAULT_PII_MODE,
    done.baseline.sensitive,
  );
}
