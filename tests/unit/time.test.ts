import { describe, expect, it } from 'vitest';
import { parseIsoTime } from '../../src/core/time.js';

describe('parseIsoTime (the one parser of --start, --end, --from, --to, --day)', () => {
  it('reads a time without a zone as UTC, whatever the machine zone', () => {
    expect(parseIsoTime('2026-01-15T10:00', '--start').toISOString()).toBe('2026-01-15T10:00:00.000Z');
    expect(parseIsoTime('2026-01-15T10:00:00', '--start').toISOString()).toBe('2026-01-15T10:00:00.000Z');
    expect(parseIsoTime('2026-01-15T10:00:00.25', '--start').toISOString()).toBe('2026-01-15T10:00:00.250Z');
    expect(parseIsoTime('2026-01-15', '--start').toISOString()).toBe('2026-01-15T00:00:00.000Z');
  });

  it('applies a zone', () => {
    expect(parseIsoTime('2026-01-15T10:00:00Z', 'x').toISOString()).toBe('2026-01-15T10:00:00.000Z');
    expect(parseIsoTime('2026-01-15T10:00:00-05:00', 'x').toISOString()).toBe('2026-01-15T15:00:00.000Z');
    expect(parseIsoTime('2026-01-15T10:00+0130', 'x').toISOString()).toBe('2026-01-15T08:30:00.000Z');
  });

  it.each([
    'Jan 15 2026 10:00 UTC',
    '2026-1-5',
    '2026-02-30',
    '2026-13-01',
    '2026-01-15T24:00:00Z',
    '2026-01-15T10:60Z',
    '10:00',
    '1768471200000',
    '',
    '2026-01-15T10:00:00 UTC',
  ])('refuses %j naming the flag', (text) => {
    expect(() => parseIsoTime(text, '--start')).toThrow(/--start: .*not an ISO-8601 time/);
  });
});
