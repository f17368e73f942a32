import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/commands/demo.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the demo shows drift from the hour it was introduced, and none before', async () => {
  const lines: string[] = [];
  const summaries = await runDemo(
    { dir, day: '2026-02-01', driftHour: 9, recordsPerHour: 1500, trainingRows: 20_000 },
    (l) => lines.push(l),
  );
  expect(summaries).toHaveLength(24);
  summaries.forEach((s, hour) => {
    if (hour < 9) {
      expect(s.status, `hour ${hour}`).toBe('Completed');
      expect(s.driftedFeatures).toEqual([]);
    } else {
      expect(s.status, `hour ${hour}`).toBe('CompletedWithViolations');
      expect(s.driftedFeatures).toEqual(expect.arrayContaining(['income', 'basket_value', 'plan']));
      expect(s.driftedFeatures).not.toContain('age');
    }
  });
  expect(lines.join('\n')).toMatch(/2026-02-01 09:00 {3}CompletedWithViolations/);
  const report = JSON.parse(
    readFileSync(join(dir, 'reports/churn-endpoint/churn-data-quality/2026/02/01/10/execution.json'), 'utf8'),
  );
  expect(report.windowStart).toBe('2026-02-01T09:00:00.000Z');
  expect(report.driftwatchVersion).toBe(
    JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version,
  );
  // It ends with the static dashboard: the index page and the report of the first drifted hour.
  const text = lines.join('\n');
  const index = join(dir, 'dashboard', 'index.html');
  const drifted = join(dir, 'dashboard', 'm', 'churn-data-quality', '2026', '02', '01', '10', 'report.html');
  expect(text).toContain(`Dashboard (2 pages, 24 reports): ${index}`);
  expect(text).toContain(`Report of the first drifted hour: ${drifted}`);
  expect(readFileSync(index, 'utf8')).toContain('data-monitor="churn-data-quality"');
  const html = readFileSync(drifted, 'utf8');
  expect(html).toContain('data-status>CompletedWithViolations<');
  expect(html).toBe(
    readFileSync(join(dir, 'reports/churn-endpoint/churn-data-quality/2026/02/01/10/report.html'), 'utf8'),
  );
});
