/**
 * The one parser of times given by people (CLI flags such as `--start`, `--end`, `--from`, `--to`,
 * `--day`): ISO 8601 only, as SageMaker and the rest of driftwatch write them.
 *
 * - `2026-01-15` is midnight UTC;
 * - `2026-01-15T10:00`, `2026-01-15T10:00:00`, `2026-01-15T10:00:00.250` without a zone are UTC (never the
 *   machine's local zone);
 * - a zone is `Z`, `+02:00` or `+0200`.
 *
 * Anything else (`Jan 15 2026 10:00 UTC`, `2026-1-5`, `2026-02-30`, `10:00`) is a `ConfigError` naming the
 * flag.
 */
import { ConfigError } from './errors.js';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Says in `--help` how times are read. */
export const TIME_HELP = 'ISO 8601, e.g. 2026-01-15T10:00:00Z; without a zone: UTC';

/** Parses an ISO-8601 date or date-time (see above). @throws ConfigError naming `field`. */
export function parseIsoTime(text: string, field: string): Date {
  const m = ISO.exec(text.trim());
  const fail = () =>
    new ConfigError(
      `${JSON.stringify(text)} is not an ISO-8601 time such as 2026-01-15T10:00:00Z or a date such as 2026-01-15 (a time without a zone is UTC)`,
      { field },
    );
  if (!m) throw fail();
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const ms = Math.floor(Number(`0.${frac || '0'}`) * 1000);
  let offsetMin = 0;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 23 || om > 59) throw fail();
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const [Y, M, D, H, Mi, S] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (M < 1 || M > 12 || D < 1 || H > 23 || Mi > 59 || S > 59) throw fail();
  const utc = Date.UTC(Y, M - 1, D, H, Mi, S, ms);
  const date = new Date(utc - offsetMin * 60_000);
  // Day 31 of a 30-day month rolls over: the calendar date must round-trip.
  if (new Date(Date.UTC(Y, M - 1, D)).getUTCDate() !== D || Number.isNaN(date.getTime())) throw fail();
  return date;
}
