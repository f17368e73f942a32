/**
 * Reports and dashboard: report.html size and render time for 50 features (the demo's hour widened), and
 * the dashboard over 1,000 executions × 50 features (reading every execution.json, rendering the pages).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../src/cli/commands/demo.js';
import { parseMonitorsConfig } from '../src/config/monitors.js';
import { monitorPage, overviewPage, readDashboard } from '../src/dashboard/index.js';
import { createStorage, joinUri } from '../src/io/storage.js';
import { loadHourFiles, renderReport } from '../src/report/html/index.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

export async function benchReport(executions: number, features: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dw-bench-report-'));
  const storage = createStorage();
  try {
    const summaries = await runDemo(
      { dir, day: '2026-01-15', driftHour: 12, recordsPerHour: 500, trainingRows: 5000 },
      () => {},
    );
    const files = await loadHourFiles(storage, summaries[14]?.reportUri as string);
    const copies = Math.ceil(features / (files.statistics?.features.length ?? 10));
    const widen = <T extends { name: string }>(list: T[]) =>
      Array.from({ length: copies }, (_, i) => list.map((f) => ({ ...f, name: `${f.name}_${i}` })))
        .flat()
        .slice(0, features);
    files.statistics = { ...files.statistics!, features: widen(files.statistics!.features) };
    files.baselineStatistics = {
      ...files.baselineStatistics!,
      features: widen(files.baselineStatistics!.features),
    };
    files.constraints = { ...files.constraints!, features: widen(files.constraints!.features) };
    const times: number[] = [];
    let html = '';
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      html = renderReport(files);
      times.push(performance.now() - t);
    }
    console.log(
      `report.html, ${features} features: ${kb(Buffer.byteLength(html))}, render median ${median(times).toFixed(1)} ms (20 runs)`,
    );

    // The dashboard: `executions` hourly execution.json files of `features` features each.
    const out = joinUri(dir, 'dash-reports');
    const prefix = joinUri(out, 'ep', 'big');
    const start = Date.UTC(2026, 0, 1);
    const names = Array.from({ length: features }, (_, i) => `feature_${i}`);
    for (let e = 0; e < executions; e++) {
      const t = new Date(start + e * 3_600_000);
      const hour = t.toISOString().slice(0, 13).replace(/[-T]/g, '/');
      const drifting = e % 50 > 40;
      const featureScores = names.map((name, i) => {
        const value = (drifting && i < 5 ? 0.2 : 0.02) + ((e * 7 + i * 13) % 10) / 1000;
        return {
          name,
          completeness: 1,
          method: 'LInfinity/Robust',
          score: 'distance',
          value,
          threshold: 0.1,
          drift: value >= 0.1,
        };
      });
      const drifted = featureScores.filter((f) => f.drift).map((f) => f.name);
      await storage.write(
        joinUri(prefix, ...hour.split('/'), 'execution.json'),
        JSON.stringify({
          monitorName: 'big',
          status: e % 97 === 0 ? 'Failed' : drifted.length ? 'CompletedWithViolations' : 'Completed',
          ...(e % 97 === 0 ? { failureReason: 'No captured data in the window.' } : {}),
          scheduledTime: t.toISOString(),
          violations: drifted.length,
          recordsRead: 1000,
          driftedFeatures: drifted,
          featureScores,
          issues: { total: 0 },
        }),
      );
    }
    const config = parseMonitorsConfig({
      monitors: [
        {
          name: 'big',
          endpoint: 'ep',
          capture: joinUri(dir, 'cap'),
          baseline: joinUri(dir, 'baseline'),
          output: out,
          schedule: 'cron(0 * ? * * *)',
        },
      ],
    });
    const t0 = performance.now();
    const data = await readDashboard(storage, config);
    const t1 = performance.now();
    const pageTimes: number[] = [];
    let page = '';
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      page = monitorPage(data.monitors[0]!);
      pageTimes.push(performance.now() - t);
    }
    const t2 = performance.now();
    const overview = overviewPage(data);
    const t3 = performance.now();
    console.log(
      `dashboard, ${executions} executions × ${features} features: read ${(t1 - t0).toFixed(0)} ms (${data.monitors[0]?.executions.length} execution.json), monitor page ${kb(Buffer.byteLength(page))} rendered in ${median(pageTimes).toFixed(1)} ms (median of 10; heat map of the last 168), overview ${kb(Buffer.byteLength(overview))} in ${(t3 - t2).toFixed(1)} ms`,
    );
  } finally {
    storage.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
