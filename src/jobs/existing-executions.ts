/**
 * The executions of a monitor that exist, newest first, for `driftwatch status`: the scheduled times of
 * its execution jobs still in the queue (any state) and of the summaries in its report folders. After a
 * backfill of older windows these are not the latest scheduled times, which may never have run.
 */
import type { Queue } from 'bullmq';
import type { MonitorConfig } from '../config/monitors.js';
import { joinUri, type Storage } from '../io/storage.js';
import { readStored } from '../monitor/stored.js';
import { executionIdPrefixes } from './ids.js';

/** The job states whose ids are read (every state an execution job can be in). */
const STATES = [
  'active',
  'waiting',
  'waiting-children',
  'prioritized',
  'delayed',
  'paused',
  'completed',
  'failed',
] as const;

/** `20240502T080000Z` → the time, or undefined for anything else. */
function parseCompactTime(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** Scheduled times of `monitor`'s execution jobs in the queue (ids only: no job is loaded). */
export async function queuedExecutionTimes(queue: Queue, monitor: MonitorConfig): Promise<Date[]> {
  const prefix = `${executionIdPrefixes[monitor.type]}__${monitor.name}__`;
  const out: Date[] = [];
  for (const id of await queue.getRanges([...STATES], 0, -1)) {
    if (!id.startsWith(prefix)) continue;
    const at = parseCompactTime(id.slice(prefix.length)); // a part id (`...__part0001`) does not parse
    if (at) out.push(at);
  }
  return out;
}

/** The sub-folders of `prefix` that are `digits` digits long, newest (largest) first. */
async function foldersDescending(storage: Storage, prefix: string, digits: number): Promise<string[]> {
  const names: string[] = [];
  if (!storage.listFolders) return names;
  const pattern = new RegExp(`^\\d{${digits}}$`);
  for await (const name of storage.listFolders(prefix)) if (pattern.test(name)) names.push(name);
  return names.sort().reverse();
}

/**
 * Scheduled times of the newest `last` execution summaries under the monitor's report folders
 * (`<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/execution.json`), walking the folders newest first: a
 * few listings per found execution, never the whole prefix.
 */
export async function storedExecutionTimes(
  storage: Storage,
  monitor: MonitorConfig,
  last: number,
): Promise<Date[]> {
  const root = joinUri(monitor.output, monitor.endpoint, monitor.scheduleName ?? monitor.name);
  const out: Date[] = [];
  for (const year of await foldersDescending(storage, `${root}/`, 4)) {
    for (const month of await foldersDescending(storage, `${root}/${year}/`, 2)) {
      for (const day of await foldersDescending(storage, `${root}/${year}/${month}/`, 2)) {
        for (const hour of await foldersDescending(storage, `${root}/${year}/${month}/${day}/`, 2)) {
          const stored = await readStored(storage, `${root}/${year}/${month}/${day}/${hour}/`);
          if (stored.state === 'valid') {
            const at = new Date(stored.summary.scheduledTime);
            if (!Number.isNaN(at.getTime())) out.push(at);
          } else if (stored.state === 'corrupt') {
            // Shown as a row (its error names the file): the hour's scheduled time, as the layout says.
            out.push(new Date(Date.UTC(+year, +month - 1, +day, +hour)));
          }
          if (out.length >= last) return out;
        }
      }
    }
  }
  return out;
}

/** The newest `last` scheduled times that have an execution (queued or stored), newest first. */
export async function existingExecutionTimes(
  queue: Queue,
  monitor: MonitorConfig,
  last: number,
  storage?: Storage,
): Promise<Date[]> {
  const times = new Map<number, Date>();
  for (const at of await queuedExecutionTimes(queue, monitor)) times.set(at.getTime(), at);
  if (storage)
    for (const at of await storedExecutionTimes(storage, monitor, last)) times.set(at.getTime(), at);
  return [...times.values()].sort((a, b) => b.getTime() - a.getTime()).slice(0, last);
}
