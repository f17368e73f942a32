/**
 * Tick jobs: each monitor's BullMQ job scheduler adds one per scheduled time, and a tick enqueues the
 * executions due: its own window, with `catchUp` the scheduled times missed before it (worker or Redis
 * down) or skipped after it (a late tick), and the recent windows still waiting for labels
 * (`label-retry.ts`). Execution ids are deterministic, so a tick processed twice enqueues nothing new.
 */
import type { Job, Queue } from 'bullmq';
import { type MonitorConfig, parseMonitor, scheduleOf } from '../config/monitors.js';
import { nextRuns, previousRuns } from '../config/schedule.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { lastTickKey, monitorOfSchedulerId } from './ids.js';
import { retryMissingLabels } from './label-retry.js';
import {
  type ExecutionJobData,
  executionFor,
  executionJobOptions,
  jobNames,
  type TickJobData,
} from './payloads.js';

/** What ticks need: the queue executions are added to, and where to log. */
export interface TickContext {
  queue: Queue;
  logger: Logger;
}

export interface TickResult {
  monitor: string;
  scheduledTime: string;
  /** Execution ids enqueued (or already there) by this tick, oldest first. */
  executions: string[];
}

export async function processTick(ctx: TickContext, job: Job<TickJobData>): Promise<TickResult> {
  const scheduledMillis = job.opts.prevMillis ?? Number(job.id?.split(':').at(-1));
  if (!Number.isFinite(scheduledMillis)) {
    throw new ConfigError(`tick ${job.id} has no scheduled time`, { field: 'prevMillis' });
  }
  const scheduled = new Date(scheduledMillis);
  const source = `job scheduler ${job.repeatJobKey ?? job.id}`;
  const monitor: MonitorConfig = parseMonitor(job.data.monitor, { file: source, field: 'monitor' });
  const expected = job.repeatJobKey ? monitorOfSchedulerId(job.repeatJobKey) : monitor.name;
  if (expected !== undefined && expected !== monitor.name) {
    throw new ConfigError(`the scheduler belongs to '${expected}' but carries monitor '${monitor.name}'`, {
      file: source,
      field: 'monitor.name',
    });
  }
  const schedule = scheduleOf(monitor);
  const times: Array<{ at: Date; trigger: ExecutionJobData['trigger'] }> = [];
  const client = await ctx.queue.client;
  const key = lastTickKey(ctx.queue);
  const previous = await client.hget(key, monitor.name);
  if (schedule.kind === 'cron' && monitor.catchUp > 0) {
    const [expression, millis] = previous?.split('|') ?? [];
    // Missed before this tick (worker or Redis down): after the last tick seen, on the same schedule
    // (a new expression starts afresh), the latest `catchUp` of them.
    if (expression === schedule.expression && millis && Number.isFinite(Number(millis))) {
      const missed = previousRuns(schedule, new Date(scheduled.getTime() - 1), monitor.catchUp)
        .filter((at) => at.getTime() > Number(millis))
        .reverse();
      for (const at of missed) times.push({ at, trigger: 'catch-up' });
    }
  }
  times.push({ at: scheduled, trigger: 'schedule' });
  if (schedule.kind === 'cron' && monitor.catchUp > 0) {
    // Skipped after this tick: a late tick makes BullMQ plan the next one from "now", so the scheduled
    // times between this one and now would never fire.
    const now = Date.now();
    for (const at of nextRuns(schedule, scheduled, monitor.catchUp)) {
      if (at.getTime() <= now) times.push({ at, trigger: 'catch-up' });
    }
  }
  const executions: string[] = [];
  for (const { at, trigger } of times) {
    const { id, data } = executionFor(monitor, at, trigger);
    await ctx.queue.add(jobNames.execution, data, executionJobOptions(id, data));
    executions.push(id);
  }
  if (schedule.kind === 'cron')
    executions.push(...(await retryMissingLabels(ctx, monitor, schedule, scheduled)));
  const latest = times[times.length - 1]?.at ?? scheduled;
  const scheduleText = schedule.kind === 'cron' ? schedule.expression : 'NOW';
  // Not atomic with other ticks of this monitor: an older value written late only makes a later tick
  // re-enqueue executions that exist already, which their deterministic ids turn into no-ops.
  const [previousExpression, previousMillis] = previous?.split('|') ?? [];
  if (previousExpression !== scheduleText || !(Number(previousMillis) >= latest.getTime())) {
    await client.hset(key, { [monitor.name]: `${scheduleText}|${latest.getTime()}` });
  }
  if (times.length > 1) {
    ctx.logger.info({ monitor: monitor.name, executions }, 'enqueued missed scheduled executions');
  }
  return { monitor: monitor.name, scheduledTime: scheduled.toISOString(), executions };
}
