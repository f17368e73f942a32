import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findMonitor,
  loadMonitorsConfig,
  parseMonitor,
  parseMonitorsConfig,
  parseMonitorsConfigText,
  scheduleOf,
  windowOf,
} from '../../src/config/monitors.js';
import { ConfigError } from '../../src/core/errors.js';
import { errorOf } from '../support/config-error.js';

const base = {
  name: 'churn',
  endpoint: 'churn-endpoint',
  capture: 's3://bucket/capture',
  baseline: 's3://bucket/baseline/',
  output: 's3://bucket/reports',
  schedule: 'cron(0 * ? * * *)',
};

describe('parseMonitorsConfig', () => {
  it('applies defaults (SageMaker window, UTC, data-quality, queue)', () => {
    const config = parseMonitorsConfig({ monitors: [base] }, 'm.yaml');
    expect(config.queue).toEqual({ name: 'driftwatch', prefix: 'bull' });
    const [m] = config.monitors;
    expect(m).toMatchObject({
      ...base,
      type: 'data-quality',
      timezone: 'UTC',
      cloudwatch: false,
      splitThreshold: 16,
      maxParts: 8,
      catchUp: 24,
      retry: { attempts: 5, backoffMs: 30_000 },
    });
    expect(m?.window).toBeUndefined();
    const w = windowOf(m!, new Date('2024-05-02T08:00:00Z'));
    expect(w.start.toISOString()).toBe('2024-05-02T07:00:00.000Z');
    expect(w.end.toISOString()).toBe('2024-05-02T08:00:00.000Z');
    expect(scheduleOf(m!)).toMatchObject({ kind: 'cron', pattern: '0 * * * *' });
  });

  it('merges top-level defaults into each monitor; the monitor wins; objects merge one level', () => {
    const config = parseMonitorsConfig({
      defaults: {
        capture: 's3://bkt/cap',
        cloudwatch: true,
        window: { start: '-PT2H', end: '-PT1H' },
        retry: { attempts: 2 },
      },
      monitors: [
        { ...base, capture: undefined, cloudwatch: false, window: { start: '-PT3H' } },
        { ...base, name: 'other', capture: undefined },
      ].map((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined))),
    });
    const [a, b] = config.monitors;
    expect(a).toMatchObject({
      capture: 's3://bkt/cap',
      cloudwatch: false,
      window: { start: '-PT3H', end: '-PT1H' },
    });
    expect(a?.retry).toEqual({ attempts: 2, backoffMs: 30_000 });
    expect(b).toMatchObject({
      capture: 's3://bkt/cap',
      cloudwatch: true,
      window: { start: '-PT2H', end: '-PT1H' },
    });
  });

  it('names the field of every error, with the file', () => {
    const error = errorOf(() =>
      parseMonitorsConfig(
        {
          monitors: [
            base,
            { ...base, name: 'b', schedule: 'cron(0 25 ? * * *)' },
            { ...base, name: 'c', window: { start: '-PT1M', end: '-PT2H' } },
            { ...base, name: 'd e' },
            { ...base, name: 'f', endpoint: undefined, shedule: 'x' },
          ],
        },
        'monitors.yaml',
      ),
    );
    expect(error.file).toBe('monitors.yaml');
    expect(error.field).toBe('monitors[1].schedule');
    expect(error.message).toMatch(/^monitors\.yaml: monitors\[1\]\.schedule: .*out of range 0–23/);
    expect(error.message).toContain('monitors[2].window: window start must be before window end');
    expect(error.message).toContain('monitors[3].name: must match [A-Za-z0-9._-]+');
    expect(error.message).toContain('monitors[4].endpoint: is required');
    expect(error.message).toContain('monitors[4].shedule: unknown field');
  });

  it('reports a bad default where it is written', () => {
    const error = errorOf(() =>
      parseMonitorsConfig({
        defaults: { timezone: 'Mars/Olympus', schedule: '0 * * * *' },
        monitors: [{ name: 'x', endpoint: 'e', capture: '/c', baseline: '/b', output: '/o' }],
      }),
    );
    expect(error.field).toBe('defaults.timezone');
    expect(error.message).toContain('(used by monitors[0])');
  });

  it('rejects duplicate names, a NOW schedule without a window, and date-times in recurring windows', () => {
    expect(errorOf(() => parseMonitorsConfig({ monitors: [base, base] })).message).toMatch(
      /monitors\[1\]\.name: 'churn' is already the name of monitors\[0\]/,
    );
    expect(errorOf(() => parseMonitorsConfig({ monitors: [{ ...base, schedule: 'NOW' }] })).field).toBe(
      'monitors[0].window',
    );
    expect(
      errorOf(() =>
        parseMonitorsConfig({
          monitors: [{ ...base, window: { start: '2024-01-01T00:00:00Z', end: '-PT0H' } }],
        }),
      ).field,
    ).toBe('monitors[0].window.start');
  });

  it('accepts NOW with absolute or relative windows, and plain cron with a zone', () => {
    const config = parseMonitorsConfig({
      monitors: [
        {
          ...base,
          name: 'once',
          schedule: 'NOW',
          window: { start: '2024-01-01T00:00:00Z', end: '2024-01-01T06:00:00Z' },
        },
        { ...base, name: 'once-rel', schedule: 'NOW', window: { start: '-PT6H', end: '-PT0H' } },
        { ...base, name: 'berlin', schedule: '30 9 * * 1-5', timezone: 'Europe/Berlin' },
      ],
    });
    expect(config.monitors.map((m) => scheduleOf(m).kind)).toEqual(['now', 'now', 'cron']);
    const w = windowOf(config.monitors[0]!, new Date());
    expect(w.end.toISOString()).toBe('2024-01-01T06:00:00.000Z');
  });

  it('rejects structural problems at the top level', () => {
    expect(errorOf(() => parseMonitorsConfig(null, 'x.yaml')).message).toMatch(
      /x\.yaml: monitors: the file is empty/,
    );
    expect(errorOf(() => parseMonitorsConfig({ monitor: [] })).message).toMatch(/monitors: is required/);
    expect(errorOf(() => parseMonitorsConfig({ monitors: [], defaults: { name: 'x' } })).field).toBe(
      'defaults.name',
    );
    expect(errorOf(() => parseMonitorsConfig({ monitors: ['x'] })).field).toBe('monitors[0]');
    expect(errorOf(() => parseMonitorsConfig({ monitors: [], queue: { prefix: 'a:b' } })).field).toBe(
      'queue.prefix',
    );
  });

  it('never lets untrusted keys reach the prototype', () => {
    const doc = JSON.parse(
      `{"monitors": [${JSON.stringify(base).slice(0, -1)}, "__proto__": {"polluted": 1}}]}`,
    );
    const error = errorOf(() => parseMonitorsConfig(doc));
    expect(error.message).toContain('monitors[0].__proto__: unknown field');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps model-quality settings only on model-quality monitors', () => {
    const settings = { problemType: 'Regression', groundTruth: 's3://bucket-x/gt/', inferenceAttribute: '0' };
    expect(
      errorOf(() => parseMonitorsConfig({ monitors: [{ ...base, modelQuality: settings }] })).field,
    ).toBe('monitors[0].modelQuality');
    expect(errorOf(() => parseMonitorsConfig({ monitors: [{ ...base, type: 'model-quality' }] })).field).toBe(
      'monitors[0].modelQuality',
    );
    const config = parseMonitorsConfig({
      monitors: [{ ...base, type: 'model-quality', modelQuality: settings }],
    });
    expect(config.monitors[0]?.modelQuality).toMatchObject({
      ...settings,
      probabilityThresholdAttribute: 0.5,
    });
  });

  it('embeds the alarm settings schema', () => {
    const config = parseMonitorsConfig({
      monitors: [{ ...base, alarms: { alarmActions: ['arn:aws:sns:x'] } }],
    });
    expect(config.monitors[0]?.alarms).toMatchObject({ enabled: true, alarmActions: ['arn:aws:sns:x'] });
    expect(
      errorOf(() => parseMonitorsConfig({ monitors: [{ ...base, alarms: { enabled: 'yes' } }] })).field,
    ).toBe('monitors[0].alarms.enabled');
  });
});

describe('parseMonitorsConfigText / loadMonitorsConfig', () => {
  it('reads YAML with SageMaker schedules unquoted', () => {
    const config = parseMonitorsConfigText(
      `queue: { name: dq, prefix: test }
monitors:
  - name: hourly
    endpoint: e
    capture: /data/capture
    baseline: /data/baseline
    output: /data/out
    schedule: cron(0 * ? * * *)
    window: { start: -PT2H, end: -PT1H }
`,
      'monitors.yaml',
    );
    expect(config.queue).toEqual({ name: 'dq', prefix: 'test' });
    expect(config.monitors[0]).toMatchObject({
      schedule: 'cron(0 * ? * * *)',
      window: { start: '-PT2H', end: '-PT1H' },
    });
  });

  it('gives the line of a YAML syntax error and rejects duplicate keys', () => {
    expect(errorOf(() => parseMonitorsConfigText('monitors:\n  - name: [a\n', 'bad.yaml')).message).toMatch(
      /^bad\.yaml: not valid YAML \(line \d+, column \d+\)/,
    );
    expect(
      errorOf(() => parseMonitorsConfigText('monitors: []\nmonitors: []\n', 'dup.yaml')).message,
    ).toMatch(/not valid YAML/);
  });

  it('reads JSON with JSON errors', () => {
    expect(parseMonitorsConfigText(JSON.stringify({ monitors: [base] }), 'm.json').monitors).toHaveLength(1);
    expect(errorOf(() => parseMonitorsConfigText('{"monitors": [', 'm.json')).message).toMatch(
      /^m\.json: not valid JSON/,
    );
  });

  it('loads a local file and names a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-config-'));
    const file = join(dir, 'monitors.yaml');
    writeFileSync(file, `monitors:\n  - ${JSON.stringify(base)}\n`);
    const config = await loadMonitorsConfig(file);
    expect(config.source).toBe(file);
    expect(findMonitor(config, 'churn').endpoint).toBe('churn-endpoint');
    expect(() => findMonitor(config, 'nope')).toThrow(/no monitor named 'nope'; the config has: churn/);
    await expect(loadMonitorsConfig(join(dir, 'missing.yaml'))).rejects.toThrow(ConfigError);
  });
});

describe('parseMonitor (a stored scheduler template)', () => {
  it('round-trips a validated monitor and names fields under a prefix', () => {
    const [m] = parseMonitorsConfig({ monitors: [base] }).monitors;
    expect(parseMonitor(JSON.parse(JSON.stringify(m)))).toEqual(m);
    const error = errorOf(() =>
      parseMonitor({ ...m, schedule: 'bad' }, { file: 'scheduler x', field: 'monitor' }),
    );
    expect(error.message).toMatch(/^scheduler x: monitor\.schedule: /);
  });
});
