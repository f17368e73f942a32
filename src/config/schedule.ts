/**
 * Monitoring schedules and analysis-window offsets.
 *
 * Accepted schedule forms (spec §8.1):
 * - SageMaker's, exactly these patterns and nothing else, always in UTC:
 *   `cron(0 * ? * * *)` (hourly), `cron(0 H ? * * *)` (daily at hour H, 0–23),
 *   `cron(0 S/N ? * * *)` (every N hours starting at hour S; S 0–23, N 1–24);
 * - a plain 5-field cron (`minute hour day-of-month month day-of-week`) evaluated in a time zone
 *   (IANA name, default UTC); a 6-field cron with a leading seconds field is also accepted, for short
 *   test and demo schedules;
 * - `NOW`: a one-off execution (its window must be given explicitly).
 *
 * Window offsets are ISO-8601 durations relative to the scheduled time, zero or negative (`-PT1H`,
 * `-P1D`, `-PT0H`, `-PT90M`, `-P1DT6H`). Years and months are rejected: their length is not fixed.
 * One-off windows may also be absolute ISO-8601 date-times.
 *
 * Times are `Date`s; a scheduled time is an exact instant (cron-parser evaluates the zone, including
 * daylight-saving changes).
 */
import cronParser from 'cron-parser';

const { parseExpression } = cronParser;

export type Schedule =
  | {
      kind: 'cron';
      /** The expression as written in the config. */
      expression: string;
      /** The cron pattern BullMQ and cron-parser evaluate (5 fields, or 6 with leading seconds). */
      pattern: string;
      /** IANA time zone the pattern is evaluated in. */
      timezone: string;
      /** True for SageMaker's `cron(...)` forms. */
      sagemaker: boolean;
    }
  | { kind: 'now'; expression: 'NOW' };

/** Thrown by the parsers in this file; the monitors config turns it into a `ConfigError` naming the field. */
export class ScheduleSyntaxError extends Error {}

const sagemakerHourly = /^cron\(\s*0\s+\*\s+\?\s+\*\s+\*\s+\*\s*\)$/;
const sagemakerDaily = /^cron\(\s*0\s+(\d{1,2})\s+\?\s+\*\s+\*\s+\*\s*\)$/;
const sagemakerEvery = /^cron\(\s*0\s+(\d{1,2})\/(\d{1,2})\s+\?\s+\*\s+\*\s+\*\s*\)$/;

/** True when `timezone` is an IANA zone name this runtime knows. */
export function isValidTimezone(timezone: string): boolean {
  if (!timezone) return false;
  // The default zone, known to every runtime: no need to load the ICU zone data (~20 ms of CPU) to ask.
  if (timezone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a schedule expression. `timezone` applies to plain cron only; SageMaker's forms are UTC and a
 * different zone is rejected rather than silently ignored.
 */
export function parseSchedule(expression: string, timezone = 'UTC'): Schedule {
  const text = expression.trim();
  if (!isValidTimezone(timezone)) throw new ScheduleSyntaxError(`unknown time zone '${timezone}'`);
  if (text === 'NOW') return { kind: 'now', expression: 'NOW' };
  if (text.startsWith('cron(')) {
    if (!isUtc(timezone)) {
      throw new ScheduleSyntaxError(
        `SageMaker cron(...) schedules run in UTC; remove timezone '${timezone}' or use a plain 5-field cron`,
      );
    }
    return {
      kind: 'cron',
      expression: text,
      pattern: sagemakerToCron(text),
      timezone: 'UTC',
      sagemaker: true,
    };
  }
  if (text.toLowerCase().startsWith('rate(')) {
    throw new ScheduleSyntaxError(
      `rate(...) expressions are not SageMaker monitoring schedules; use cron(...)`,
    );
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new ScheduleSyntaxError(
      `'${text}' is not a valid schedule: expected cron(0 * ? * * *), cron(0 H ? * * *), cron(0 S/N ? * * *), NOW, or a 5-field cron`,
    );
  }
  try {
    const interval = parseExpression(text, { tz: timezone, currentDate: new Date(0) });
    interval.next();
  } catch (error) {
    throw new ScheduleSyntaxError(`'${text}' is not a valid cron expression (${(error as Error).message})`);
  }
  return { kind: 'cron', expression: text, pattern: fields.join(' '), timezone, sagemaker: false };
}

function isUtc(timezone: string): boolean {
  return ['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Z'].includes(timezone);
}

function sagemakerToCron(text: string): string {
  if (sagemakerHourly.test(text)) return '0 * * * *';
  const daily = sagemakerDaily.exec(text);
  if (daily) {
    const hour = Number(daily[1]);
    if (hour > 23) throw new ScheduleSyntaxError(`${text}: hour ${hour} is out of range 0–23`);
    return `0 ${hour} * * *`;
  }
  const every = sagemakerEvery.exec(text);
  if (every) {
    const start = Number(every[1]);
    const step = Number(every[2]);
    if (start > 23) throw new ScheduleSyntaxError(`${text}: start hour ${start} is out of range 0–23`);
    if (step < 1 || step > 24)
      throw new ScheduleSyntaxError(`${text}: interval ${step} is out of range 1–24`);
    return `0 ${start}/${step} * * *`;
  }
  throw new ScheduleSyntaxError(
    `'${text}' is not a SageMaker schedule: only cron(0 * ? * * *), cron(0 H ? * * *) and cron(0 S/N ? * * *) are accepted`,
  );
}

export type CronSchedule = Extract<Schedule, { kind: 'cron' }>;

function iterate(schedule: CronSchedule, after: Date, endDate?: Date) {
  return parseExpression(schedule.pattern, {
    tz: schedule.timezone,
    currentDate: after,
    ...(endDate ? { endDate } : {}),
  });
}

/** Up to `count` times from `step`, until it throws (cron-parser's end of the schedule). */
function take(count: number, step: () => { toDate(): Date }): Date[] {
  const out: Date[] = [];
  while (out.length < count) {
    try {
      out.push(step().toDate());
    } catch {
      break;
    }
  }
  return out;
}

/** The next `count` scheduled times strictly after `after`. */
export function nextRuns(schedule: CronSchedule, after: Date, count: number): Date[] {
  if (count <= 0) return [];
  const interval = iterate(schedule, after);
  return take(count, () => interval.next());
}

/** The last `count` scheduled times at or before `atOrBefore`, newest first. */
export function previousRuns(schedule: CronSchedule, atOrBefore: Date, count: number): Date[] {
  if (count <= 0) return [];
  // `prev()` is strictly before its current date: step 1 ms past so that `atOrBefore` itself counts.
  const interval = iterate(schedule, new Date(atOrBefore.getTime() + 1));
  return take(count, () => interval.prev());
}

/**
 * Every scheduled time in `[from, to)`, oldest first. Throws `ScheduleSyntaxError` when there are more
 * than `limit` (a guard against enqueuing years of minutes by mistake).
 */
export function runsBetween(schedule: CronSchedule, from: Date, to: Date, limit = 10_000): Date[] {
  const out: Date[] = [];
  if (!(from < to)) return out;
  const interval = iterate(schedule, new Date(from.getTime() - 1));
  for (;;) {
    let next: Date;
    try {
      next = interval.next().toDate();
    } catch {
      break;
    }
    if (next >= to) break;
    if (out.length >= limit) {
      throw new ScheduleSyntaxError(
        `more than ${limit} scheduled times between ${from.toISOString()} and ${to.toISOString()}`,
      );
    }
    out.push(next);
  }
  return out;
}

const durationPattern =
  /^([+-])?P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/**
 * Parses a signed ISO-8601 duration of weeks, days, hours, minutes and seconds into milliseconds
 * (`-PT1H` → -3600000, `-P1DT6H` → -108000000, `-PT0H` → 0). Years and months are rejected.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const match = durationPattern.exec(trimmed);
  if (!match || !/\d/.test(trimmed) || trimmed.endsWith('T')) {
    if (/^[+-]?P(\d+Y|[^T]*\d+M)/.test(trimmed)) {
      throw new ScheduleSyntaxError(
        `'${text}': years and months have no fixed length; use days (P30D) or hours`,
      );
    }
    throw new ScheduleSyntaxError(`'${text}' is not an ISO-8601 duration such as -PT1H, -P1D or -PT0H`);
  }
  const unit = [604_800_000, 86_400_000, 3_600_000, 60_000, 1_000];
  let ms = 0;
  for (let i = 0; i < unit.length; i++) {
    const part = match[i + 2];
    if (part !== undefined) ms += Number(part.replace(',', '.')) * (unit[i] as number);
  }
  ms = Math.round(ms);
  return match[1] === '-' && ms !== 0 ? -ms : ms;
}

/** Formats milliseconds as an ISO-8601 duration (`-3600000` → `-PT1H`). */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  let time = '';
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds) time += `${seconds}S`;
  if (!days && !time) return `${sign}PT0H`;
  return `${sign}P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** One end of an analysis window: an offset from the scheduled time, or (one-off only) an instant. */
export type WindowBound =
  | { kind: 'offset'; ms: number; text: string }
  | { kind: 'instant'; at: Date; text: string };

/** Parses `-PT1H` (an offset, which must not be positive) or an ISO-8601 date-time with a zone. */
export function parseWindowBound(text: string): WindowBound {
  const trimmed = text.trim();
  if (/^[+-]?P/.test(trimmed)) {
    const ms = parseDuration(trimmed);
    if (ms > 0) throw new ScheduleSyntaxError(`'${text}': window offsets are zero or negative (e.g. -PT1H)`);
    return { kind: 'offset', ms, text: trimmed };
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(trimmed)) {
    const at = new Date(trimmed);
    if (!Number.isNaN(at.getTime())) return { kind: 'instant', at, text: trimmed };
  }
  throw new ScheduleSyntaxError(
    `'${text}' is neither an ISO-8601 duration (-PT1H) nor a date-time with a zone (2024-05-02T08:00:00Z)`,
  );
}

/** The window `[scheduled + start, scheduled + end)` (instants are taken as they are). */
export function windowAt(
  bounds: { start: WindowBound; end: WindowBound },
  scheduledTime: Date,
): {
  start: Date;
  end: Date;
} {
  const resolve = (b: WindowBound) =>
    b.kind === 'offset' ? new Date(scheduledTime.getTime() + b.ms) : new Date(b.at.getTime());
  return { start: resolve(bounds.start), end: resolve(bounds.end) };
}
