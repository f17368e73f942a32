/** Label retry: the windows of late-label kinds that failed for lack of labels, enqueued again by later ticks. */
import { type MonitorConfig, missingLabelsRetryOf } from '../config/monitors.js';
import { type CronSchedule, parseDuration, runsBetween } from '../config/schedule.js';
import { NO_GROUND_TRUTH } from '../monitor/failure-reasons.js';
import {
  type ExecutionJobData,
  type ExecutionResult,
  executionFor,
  executionJobOptions,
  jobNames,
} from './payloads.js';
import type { TickContext } from './ticks.js';

/**
 * Model quality and bias: labels arrive late, and a window that failed for lack of them ("No ground truth to
 * merge") is computed again at each later tick, until `retryMissingLabelsFor` after its scheduled time
 * (SageMaker runs each window once: its offsets, e.g. `-P1DT1H..-P1D`, give labels a day, and a window
 * whose labels come later stays failed). The retry reads label folders up to this tick (within the
 * monitor's `groundTruthHorizon`) and replaces the stored `Failed` result (`rerun.recomputeFailed`). The
 * deadline is decided here, against the tick's scheduled time, so a late or catch-up tick decides as the
 * tick on time would have.
 * Returns the ids of the windows enqueued again.
 */
export async function retryMissingLabels(
  ctx: TickContext,
  monitor: MonitorConfig,
  schedule: CronSchedule,
  scheduled: Date,
): Promise<string[]> {
  const retryFor = missingLabelsRetryOf(monitor);
  if (retryFor === undefined) return [];
  const retryMs = parseDuration(retryFor);
  if (!(retryMs > 0)) return [];
  const retried: string[] = [];
  for (const at of runsBetween(schedule, new Date(scheduled.getTime() - retryMs), scheduled, 1_000)) {
    const { id, data } = executionFor(monitor, at, 'label-retry');
    const job = await ctx.queue.getJob(id);
    if (!job || (await job.getState()) !== 'completed') continue;
    const result = job.returnvalue as Partial<ExecutionResult> | null | undefined;
    if (result?.status !== 'Failed' || !result.failureReason?.startsWith(NO_GROUND_TRUTH)) continue;
    await job.remove();
    const retryData = {
      ...data,
      execution: {
        ...data.execution,
        groundTruthReadUntil: scheduled.toISOString(),
        rerun: { recomputeFailed: true },
      },
    } as ExecutionJobData;
    await ctx.queue.add(jobNames.execution, retryData, executionJobOptions(id, retryData));
    retried.push(id);
  }
  if (retried.length > 0)
    ctx.logger.info({ monitor: monitor.name, executions: retried }, 'windows waiting for labels retried');
  return retried;
}
