/**
 * The one window validator. Every execution window (a CLI's `--start`/`--end`, a job's `windowStart`/
 * `windowEnd`, a listing's `[start, end)`) passes here: real dates, inside the years capture folders
 * (`yyyy/mm/dd/hh`) can name, at most a year of hour folders, and (unless `allowEmpty`) start before end.
 * A monitor's window *offsets* are checked by the config schema (config/monitors.ts), once per file.
 */
import { ConfigError } from './errors.js';
import type { Window } from './types.js';

const HOUR_MS = 3_600_000;
/**
 * Longest window listed: one leap year of hour folders (8,784). A longer window (a config typo, `-P200Y`)
 * would list every hour (a 200-year window: 1.75M hour folders, as many S3 LIST calls) and is refused.
 */
export const MAX_WINDOW_HOURS = 366 * 24;
/** Years the `yyyy` hour folders can name (SageMaker writes four-digit years; the epoch is the floor). */
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;

export interface WindowCheckOptions {
  /** How the start and end are named in messages and in the error's field. @defaultValue window.start, window.end */
  fields?: { start: string; end: string };
  /** Accept an empty or inverted window (a listing of it is empty). @defaultValue false */
  allowEmpty?: boolean;
}

/**
 * Checks `[start, end)` and returns it.
 * @throws ConfigError naming the bound at fault.
 */
export function checkWindow(start: Date, end: Date, options: WindowCheckOptions = {}): Window {
  const fields = options.fields ?? { start: 'window.start', end: 'window.end' };
  if (!(start instanceof Date) || Number.isNaN(start.getTime())) {
    throw new ConfigError(`invalid window start: ${String(start)}`, { field: fields.start });
  }
  if (!(end instanceof Date) || Number.isNaN(end.getTime())) {
    throw new ConfigError(`invalid window end: ${String(end)}`, { field: fields.end });
  }
  for (const [field, at] of [
    [fields.start, start],
    [fields.end, end],
  ] as const) {
    const year = at.getUTCFullYear();
    if (year < MIN_YEAR || year > MAX_YEAR) {
      throw new ConfigError(
        `${at.toISOString()} is outside the years ${MIN_YEAR}-${MAX_YEAR} that capture folders (yyyy/mm/dd/hh) can name`,
        { field },
      );
    }
  }
  if (!options.allowEmpty && !(start < end)) {
    throw new ConfigError(
      `${fields.start} ${start.toISOString()} is not before ${fields.end} ${end.toISOString()}`,
      {
        field: fields.start,
      },
    );
  }
  const hours = Math.ceil((end.getTime() - Math.floor(start.getTime() / HOUR_MS) * HOUR_MS) / HOUR_MS);
  if (hours > MAX_WINDOW_HOURS) {
    throw new ConfigError(
      `the window ${start.toISOString()} to ${end.toISOString()} spans ${hours} hours; at most ${MAX_WINDOW_HOURS} (one year of hour folders) are listed`,
      { field: 'window' },
    );
  }
  return { start, end };
}
