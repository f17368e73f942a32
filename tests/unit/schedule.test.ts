import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  formatDuration,
  nextRuns,
  parseDuration,
  parseSchedule,
  parseWindowBound,
  previousRuns,
  runsBetween,
  type Schedule,
  ScheduleSyntaxError,
  windowAt,
} from '../../src/config/schedule.js';

type Cron = Extract<Schedule, { kind: 'cron' }>;
const cron = (expression: string, tz?: string) => parseSchedule(expression, tz) as Cron;
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('parseSchedule: SageMaker forms (spec §8.1)', () => {
  it('hourly', () => {
    expect(parseSchedule('cron(0 * ? * * *)')).toEqual({
      kind: 'cron',
      expression: 'cron(0 * ? * * *)',
      pattern: '0 * * * *',
      timezone: 'UTC',
      sagemaker: true,
    });
  });

  it('daily at hour H, every hour 0..23', () => {
    for (let h = 0; h < 24; h++) expect(cron(`cron(0 ${h} ? * * *)`).pattern).toBe(`0 ${h} * * *`);
  });

  it('every N hours from S', () => {
    const s = cron('cron(0 2/6 ? * * *)');
    expect(s.pattern).toBe('0 2/6 * * *');
    expect(iso(runsBetween(s, new Date('2024-01-01T00:00:00Z'), new Date('2024-01-02T03:00:00Z')))).toEqual([
      '2024-01-01T02:00:00.000Z',
      '2024-01-01T08:00:00.000Z',
      '2024-01-01T14:00:00.000Z',
      '2024-01-01T20:00:00.000Z',
      '2024-01-02T02:00:00.000Z',
    ]);
    expect(cron('cron(0 5/24 ? * * *)').pattern).toBe('0 5/24 * * *');
  });

  it('NOW', () => {
    expect(parseSchedule('NOW')).toEqual({ kind: 'now', expression: 'NOW' });
  });

  it.each([
    ['cron(0 24 ? * * *)', /out of range 0–23/],
    ['cron(0 0/25 ? * * *)', /out of range 1–24/],
    ['cron(0 0/0 ? * * *)', /out of range 1–24/],
    ['cron(30 * ? * * *)', /only cron\(0 \* \? \* \* \*\)/],
    ['cron(0 * * * ? *)', /not a SageMaker schedule/],
    ['cron(0 1,2 ? * * *)', /not a SageMaker schedule/],
    ['cron(0 * ? * * 2024)', /not a SageMaker schedule/],
    ['rate(1 hour)', /rate\(/],
    ['hourly', /not a valid schedule/],
    ['61 * * * *', /not a valid cron expression/],
    ['0 0 31 2 *', /not a valid cron expression/],
    ['* * * *', /not a valid schedule/],
  ])('rejects %s', (expression, message) => {
    expect(() => parseSchedule(expression)).toThrow(ScheduleSyntaxError);
    expect(() => parseSchedule(expression)).toThrow(message);
  });

  it('rejects a non-UTC zone on SageMaker forms and unknown zones everywhere', () => {
    expect(() => parseSchedule('cron(0 * ? * * *)', 'Europe/Berlin')).toThrow(/run in UTC/);
    expect(() => parseSchedule('0 * * * *', 'Mars/Olympus')).toThrow(/unknown time zone/);
    expect(cron('cron(0 * ? * * *)', 'Etc/UTC').timezone).toBe('UTC');
  });
});

describe('plain cron with a time zone', () => {
  it('evaluates in the zone, across a daylight-saving change', () => {
    const s = cron('0 9 * * *', 'Europe/Berlin');
    expect(iso(nextRuns(s, new Date('2024-03-30T00:00:00Z'), 2))).toEqual([
      '2024-03-30T08:00:00.000Z', // CET (UTC+1)
      '2024-03-31T07:00:00.000Z', // CEST (UTC+2)
    ]);
  });

  it('checks the default zone, UTC, without Intl (whose zone data costs a worker ~20 ms at start-up)', () => {
    const format = vi.spyOn(Intl, 'DateTimeFormat');
    try {
      expect(cron('0 * * * *').timezone).toBe('UTC');
      expect(cron('0 * * * *', 'UTC').timezone).toBe('UTC');
      expect(format).not.toHaveBeenCalled();
      // Any other zone is still checked: unknown ones are rejected.
      expect(() => parseSchedule('0 * * * *', 'Mars/Olympus')).toThrow(ScheduleSyntaxError);
      expect(format).toHaveBeenCalled();
    } finally {
      format.mockRestore();
    }
  });

  it('accepts a leading seconds field for short schedules', () => {
    const s = cron('*/2 * * * * *');
    expect(iso(nextRuns(s, new Date('2024-01-01T00:00:00Z'), 2))).toEqual([
      '2024-01-01T00:00:02.000Z',
      '2024-01-01T00:00:04.000Z',
    ]);
  });
});

describe('runsBetween / previousRuns / nextRuns', () => {
  const hourly = cron('cron(0 * ? * * *)');

  it('is half-open [from, to)', () => {
    const runs = runsBetween(hourly, new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T03:00:00Z'));
    expect(iso(runs)).toEqual([
      '2024-01-01T00:00:00.000Z',
      '2024-01-01T01:00:00.000Z',
      '2024-01-01T02:00:00.000Z',
    ]);
    expect(runsBetween(hourly, new Date('2024-01-01T03:00:00Z'), new Date('2024-01-01T03:00:00Z'))).toEqual(
      [],
    );
    expect(runsBetween(hourly, new Date('2024-01-01T03:00:00Z'), new Date('2024-01-01T01:00:00Z'))).toEqual(
      [],
    );
  });

  it('guards against enormous ranges', () => {
    expect(() =>
      runsBetween(hourly, new Date('2000-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z'), 20),
    ).toThrow(/more than 20 scheduled times/);
  });

  it('previousRuns includes the instant itself, newest first', () => {
    expect(iso(previousRuns(hourly, new Date('2024-01-01T05:00:00Z'), 2))).toEqual([
      '2024-01-01T05:00:00.000Z',
      '2024-01-01T04:00:00.000Z',
    ]);
    expect(iso(previousRuns(hourly, new Date('2024-01-01T05:30:00Z'), 1))).toEqual([
      '2024-01-01T05:00:00.000Z',
    ]);
  });

  it('property: runsBetween agrees with repeated nextRuns and every run is on the hour', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * 365 * 24 }),
        fc.integer({ min: 0, max: 30 }),
        (startHours, spanHours) => {
          const from = new Date(Date.UTC(2015, 0, 1) + startHours * 3_600_000 + 1_234);
          const to = new Date(from.getTime() + spanHours * 3_600_000);
          const runs = runsBetween(hourly, from, to);
          expect(runs.length).toBe(spanHours);
          const chained = nextRuns(hourly, new Date(from.getTime() - 1), spanHours);
          expect(iso(runs)).toEqual(iso(chained));
          for (const r of runs) expect(r.getTime() % 3_600_000).toBe(0);
        },
      ),
      { seed: 42, numRuns: 25 },
    );
  });
});

describe('ISO-8601 durations and window bounds', () => {
  it.each([
    ['-PT1H', -3_600_000],
    ['-PT0H', 0],
    ['PT0S', 0],
    ['-P1D', -86_400_000],
    ['-P1DT6H', -108_000_000],
    ['-PT90M', -5_400_000],
    ['-PT1.5H', -5_400_000],
    ['-P1W', -604_800_000],
    ['-PT10S', -10_000],
    ['+PT2H', 7_200_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['-P1M', '-P1Y', '-P', '-PT', '1H', 'PT1H30', '-P1DT', 'PT-1H', ''])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(ScheduleSyntaxError);
  });

  it('explains why months and years are rejected', () => {
    expect(() => parseDuration('-P1M')).toThrow(/no fixed length/);
    expect(() => parseDuration('-P1Y2D')).toThrow(/no fixed length/);
  });

  it('round-trips through formatDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: -30 * 86_400, max: 0 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * 1000))).toBe(seconds * 1000);
      }),
      { seed: 7 },
    );
    expect(formatDuration(-3_600_000)).toBe('-PT1H');
    expect(formatDuration(0)).toBe('PT0H');
  });

  it('window bounds: offsets are non-positive; instants need a zone', () => {
    expect(parseWindowBound('-PT1H')).toMatchObject({ kind: 'offset', ms: -3_600_000 });
    expect(() => parseWindowBound('PT1H')).toThrow(/zero or negative/);
    expect(parseWindowBound('2024-05-02T08:00:00Z')).toMatchObject({ kind: 'instant' });
    expect(() => parseWindowBound('2024-05-02T08:00:00')).toThrow(/neither/);
    expect(() => parseWindowBound('2024-13-45T08:00:00Z')).toThrow(/neither/);
  });

  it('windowAt resolves offsets against the scheduled time (spec §2.4 example)', () => {
    const w = windowAt(
      { start: parseWindowBound('-P8D'), end: parseWindowBound('-P1D') },
      new Date('2020-01-09T13:00:00Z'),
    );
    expect(w.start.toISOString()).toBe('2020-01-01T13:00:00.000Z');
    expect(w.end.toISOString()).toBe('2020-01-08T13:00:00.000Z');
  });
});
