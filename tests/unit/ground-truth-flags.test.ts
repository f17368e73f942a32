/** The ground-truth timing shared by run-quality and run-bias (`--ground-truth-horizon`) and their kinds. */
import { describe, expect, it } from 'vitest';
import { parseHorizon } from '../../src/cli/flags.js';
import { ConfigError } from '../../src/core/errors.js';
import { groundTruthReadUntil } from '../../src/monitor/profile-window.js';

describe('--ground-truth-horizon', () => {
  it('takes an ISO-8601 duration of zero or more', () => {
    expect(parseHorizon('P3D')).toBe(3 * 86_400_000);
    expect(parseHorizon('PT0S')).toBe(0);
  });
  it('refuses a non-duration, naming the flag', () => {
    expect(() => parseHorizon('three days')).toThrow(ConfigError);
    try {
      parseHorizon('three days');
    } catch (error) {
      expect((error as ConfigError).field).toBe('--ground-truth-horizon');
    }
  });
});

describe('groundTruthReadUntil', () => {
  it('is the job’s read-until time, else its scheduled time', () => {
    const scheduledTime = '2026-01-15T14:00:00.000Z';
    expect(groundTruthReadUntil({ scheduledTime }).toISOString()).toBe(scheduledTime);
    expect(
      groundTruthReadUntil({ scheduledTime, groundTruthReadUntil: '2026-01-18T14:00:00.000Z' }).toISOString(),
    ).toBe('2026-01-18T14:00:00.000Z');
  });
  it('refuses an invalid time as a ConfigError on groundTruthReadUntil', () => {
    expect(() => groundTruthReadUntil({ scheduledTime: 'x', groundTruthReadUntil: 'soon' })).toThrow(
      /invalid time soon/,
    );
  });
});
