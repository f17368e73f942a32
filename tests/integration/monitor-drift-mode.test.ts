/**
 * A monitor that asks for a drift mode in the monitors config (issue 14, item 1), run as the worker runs
 * it: the config text parsed, the execution payload built by `executionFor`, the execution run by
 * `runExecution`. One window where x1 and x2's correlation flips (marginals unchanged) and x3's mean moves
 * 0.25 sd: with `driftMode: calibrated` the calibrated baseline flags x3 at its calibrated threshold and the
 * multivariate check fires; with `driftMode: sagemaker` the same baseline is judged by SageMaker's rule
 * alone (no calibrated threshold, no multivariate check, and alarms follow); a baseline built without
 * calibration is refused with one ConfigError naming its constraints.json and the field.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generator } from '../../bench/calibrated.js';
import { monitorAlarmInput } from '../../src/alerts/alarm-inputs.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { type MonitorConfig, parseMonitorsConfigText } from '../../src/config/monitors.js';
import { ConfigError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { captureLine } from '../../src/demo/traffic.js';
import { RoutingStorage } from '../../src/io/storage.js';
import { executionFor } from '../../src/jobs/payloads.js';
import { runExecution } from '../../src/monitor/data-quality.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-drift-mode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const storage = new RoutingStorage();

beforeAll(async () => {
  const train = generator(1);
  const lines = ['x1,x2,x3,cat'];
  for (let i = 0; i < 20_000; i++) lines.push(train('none').join(','));
  writeFileSync(join(dir, 'train.csv'), `${lines.join('\n')}\n`);
  await buildBaseline(storage, {
    dataset: join(dir, 'train.csv'),
    out: join(dir, 'calibrated'),
    driftMode: 'calibrated',
    calibration: { alarmRate: 0.01, sizes: [100, 1000] },
  });
  await buildBaseline(storage, { dataset: join(dir, 'train.csv'), out: join(dir, 'plain') });
  const live = generator(2);
  const folder = join(dir, 'capture', 'ep', 'AllTraffic', '2026', '03', '12', '04');
  mkdirSync(folder, { recursive: true });
  const t0 = Date.parse('2026-03-12T04:00:00Z');
  const rows = Array.from({ length: 5000 }, (_, i) => {
    const [x1, x2, x3, cat] = live('correlation flip');
    return captureLine([x1, x2, x3 + 0.25, cat].map(String), new Date(t0 + i * 700), `e${i}`);
  });
  writeFileSync(join(folder, '00-00-000-04.jsonl'), `${rows.join('\n')}\n`);
}, 180_000);

function monitorOf(name: string, baseline: string, driftMode?: string): MonitorConfig {
  const text = `
monitors:
  - name: ${name}
    endpoint: ep
    capture: ${join(dir, 'capture')}
    baseline: ${join(dir, baseline)}
    output: ${join(dir, 'out', name)}
    schedule: cron(0 * ? * * *)
${driftMode ? `    driftMode: ${driftMode}\n` : ''}`;
  const [monitor] = parseMonitorsConfigText(text, 'monitors.yaml').monitors;
  return monitor as MonitorConfig;
}

async function execute(monitor: MonitorConfig) {
  const { data } = executionFor(monitor, new Date('2026-03-12T05:00:00Z'), 'schedule');
  if (data.kind !== 'data-quality') throw new Error('expected a data-quality execution');
  const summary = await runExecution(data.execution, { storage, logger: silentLogger });
  const violations = JSON.parse(await storage.readText(join(summary.reportUri, 'constraint_violations.json')))
    .violations as Array<{ feature_name: string; constraint_check_type: string; description: string }>;
  return { summary, violations };
}

describe('a monitor’s driftMode in the monitors config', () => {
  it('calibrated: the calibrated baseline flags x3 at its calibrated threshold and the multivariate check fires', async () => {
    const { summary, violations } = await execute(monitorOf('cal', 'calibrated', 'calibrated'));
    expect(summary.rowsProfiled).toBe(5000);
    expect(summary.multivariate?.drift).toBe(true);
    const kinds = violations.map((v) => `${v.feature_name}:${v.constraint_check_type}`).sort();
    expect(kinds).toEqual(['multivariate:multivariate_drift_check', 'x3:baseline_drift_check']);
    expect(violations.find((v) => v.feature_name === 'x3')?.description).toMatch(
      /threshold calibrated on the baseline for 5000 values/,
    );
  });

  it('sagemaker: the same calibrated baseline is judged by SageMaker’s rule alone, and alarms follow', async () => {
    const monitor = monitorOf('sm', 'calibrated', 'sagemaker');
    const { summary, violations } = await execute(monitor);
    expect(summary.multivariate).toBeUndefined();
    expect(violations.filter((v) => v.constraint_check_type === 'multivariate_drift_check')).toEqual([]);
    expect(violations.filter((v) => /calibrated/.test(v.description))).toEqual([]);
    const alarms = await monitorAlarmInput(monitor, storage);
    expect(alarms.multivariate).toBeUndefined();
    expect(alarms.features.map((f) => f.driftScore)).not.toContain('ratio');
    // Without driftMode the baseline's own switch (calibrated) decides, for alarms as for executions.
    const asBuilt = await monitorAlarmInput(monitorOf('as-built', 'calibrated'), storage);
    expect(asBuilt.multivariate).toBe(true);
    expect(asBuilt.features.find((f) => f.name === 'x3')?.driftScore).toBe('ratio');
  });

  it('calibrated on a baseline built without calibration: one ConfigError naming its constraints.json and field', async () => {
    const monitor = monitorOf('refused', 'plain', 'calibrated');
    const error = await execute(monitor).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.file).toBe(join(dir, 'plain', 'constraints.json'));
    expect(e.field).toBe('monitoring_config.distribution_constraints.drift_mode');
    expect(e.message).toContain('driftwatch baseline --drift-mode calibrated');
    await expect(monitorAlarmInput(monitor, storage)).rejects.toThrow(/driftMode calibrated/);
  });
});
