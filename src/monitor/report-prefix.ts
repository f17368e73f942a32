/** Where an execution's reports go (spec §8.3): one prefix per (endpoint, schedule, scheduled hour). */
import { ConfigError } from '../core/errors.js';
import { hourPath } from '../core/hours.js';
import { joinUri } from '../io/storage.js';
import type { ExecutionJobBase } from './types.js';

/** `<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/` of the scheduled time. */
export function reportPrefix(
  job: Pick<ExecutionJobBase, 'outputUri' | 'endpoint' | 'scheduleName' | 'scheduledTime'>,
): string {
  const t = new Date(job.scheduledTime);
  if (Number.isNaN(t.getTime()))
    throw new ConfigError(`invalid scheduled time ${job.scheduledTime}`, { field: 'scheduledTime' });
  return `${joinUri(job.outputUri, job.endpoint, job.scheduleName, hourPath(t))}/`;
}
