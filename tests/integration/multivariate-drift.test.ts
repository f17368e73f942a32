/**
 * Multivariate drift in executions (issue 14, item 3): two features whose correlation flips from +0.8 to
 * −0.8 with every marginal unchanged. The calibrated baseline's PCA model sees it
 * (`multivariate_drift_check`); no univariate check fires; a window without the change stays inside the band.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generator } from '../../bench/calibrated.js';
import { monitorAlarmInput } from '../../src/alerts/alarm-inputs.js';
import { desiredAlarms } from '../../src/alerts/alarm-specs.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { parseMonitor } from '../../src/config/monitors.js';
import { executionPoint, monitorPage } from '../../src/dashboard/index.js';
import { captureLine } from '../../src/demo/traffic.js';
import { RoutingStorage } from '../../src/io/storage.js';
import { lastJson, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-multivariate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const day = '2026-03-11';

beforeAll(async () => {
  const train = generator(1);
  const lines = ['x1,x2,x3,cat'];
  for (let i = 0; i < 20_000; i++) lines.push(train('none').join(','));
  writeFileSync(join(dir, 'train.csv'), `${lines.join('\n')}\n`);
  const result = await buildBaseline(new RoutingStorage(), {
    dataset: join(dir, 'train.csv'),
    out: join(dir, 'baseline'),
    driftMode: 'calibrated',
    calibration: { alarmRate: 0.01, sizes: [100, 1000] },
  });
  expect(result.calibration?.multivariate?.columns).toEqual(['x1', 'x2', 'x3']);
  const live = generator(2);
  for (const [hour, flip] of [
    [0, false],
    [1, true],
  ] as const) {
    const hh = String(hour).padStart(2, '0');
    const folder = join(dir, 'capture', 'ep', 'AllTraffic', '2026', '03', '11', hh);
    mkdirSync(folder, { recursive: true });
    const t0 = Date.parse(`${day}T${hh}:00:00Z`);
    const rows = Array.from({ length: 5000 }, (_, i) =>
      captureLine(
        live(flip ? 'correlation flip' : 'none').map(String),
        new Date(t0 + i * 700),
        `e${hour}-${i}`,
      ),
    );
    writeFileSync(join(folder, `00-00-000-${hh}.jsonl`), `${rows.join('\n')}\n`);
  }
}, 120_000);

async function run(hour: number) {
  const hh = String(hour).padStart(2, '0');
  const r = await runCli([
    'run',
    '--baseline',
    join(dir, 'baseline'),
    '--capture',
    join(dir, 'capture'),
    '--endpoint',
    'ep',
    '--start',
    `${day}T${hh}:00:00Z`,
    '--end',
    `${day}T${String(hour + 1).padStart(2, '0')}:00:00Z`,
    '--out',
    join(dir, 'out'),
    '--json',
  ]);
  expect([0, 1], r.stderr).toContain(r.code);
  const summary = lastJson<{
    reportUri: string;
    multivariate?: { value: number; lower: number; upper: number; rows: number; drift: boolean };
  }>(r.stdout);
  const violations = JSON.parse(readFileSync(join(summary.reportUri, 'constraint_violations.json'), 'utf8'))
    .violations as Array<{ feature_name: string; constraint_check_type: string }>;
  return { summary, violations };
}

describe('multivariate drift check', () => {
  it('stays quiet on a window like the baseline', async () => {
    const { summary, violations } = await run(0);
    expect(violations).toEqual([]);
    expect(summary.multivariate?.rows).toBe(5000);
    expect(summary.multivariate?.drift).toBe(false);
  });

  it('fires on a correlation flip that leaves every marginal unchanged, and no univariate check does', async () => {
    const { summary, violations } = await run(1);
    expect(violations.map((v) => v.constraint_check_type)).toEqual(['multivariate_drift_check']);
    expect(violations[0]?.feature_name).toBe('multivariate');
    const m = summary.multivariate!;
    expect(m.drift).toBe(true);
    expect(m.value).toBeGreaterThan(m.upper);
    // The hour's report.html shows it, with the band.
    const html = readFileSync(join(summary.reportUri, 'report.html'), 'utf8');
    expect(html).toMatch(/Multivariate \(PCA reconstruction\) <span class="badge bad">drift<\/span>/);
    expect(html).toContain(`[${m.lower.toPrecision(4)}, ${m.upper.toPrecision(4)}]`);
  });

  it('gets one alarm on multivariate_drift_ratio >= 1 from alarms sync (the baseline has a model)', async () => {
    const monitor = parseMonitor({
      name: 'mv',
      endpoint: 'ep',
      capture: join(dir, 'capture'),
      baseline: join(dir, 'baseline'),
      output: join(dir, 'out'),
      schedule: 'cron(0 * ? * * *)',
    });
    const input = await monitorAlarmInput(monitor, new RoutingStorage());
    expect(input.multivariate).toBe(true);
    const alarms = desiredAlarms(input).filter((a) => a.kind === 'multivariate');
    expect(alarms.map((a) => [a.spec.AlarmName, a.spec.MetricName, a.spec.Threshold])).toEqual([
      ['driftwatch-mv-multivariate', 'multivariate_drift_ratio', 1],
    ]);
  });

  it('shows the check on the dashboard: a heat-map row and the drifted execution', async () => {
    const points = [];
    for (const hour of [0, 1]) {
      const { summary } = await run(hour);
      const json = JSON.parse(readFileSync(join(summary.reportUri, 'execution.json'), 'utf8'));
      points.push(executionPoint(`2026/03/11/0${hour}`, json));
    }
    expect(points.map((p) => p.multivariate?.drift)).toEqual([false, true]);
    const html = monitorPage({
      name: 'mv',
      type: 'data-quality',
      endpoint: 'ep',
      scheduleName: 'mv',
      executions: points,
      thresholds: new Map(),
      problems: [],
    });
    expect(html).toContain('⟨multivariate: PCA reconstruction⟩');
    expect(html.match(/data-multivariate="(ok|drift)"/g)).toEqual([
      'data-multivariate="ok"',
      'data-multivariate="drift"',
    ]);
    expect(html).toContain('<b class="badbg">multivariate</b>');
  });
});
