/**
 * `dashboard --export <dir>`: the server's pages as static files (same relative links), for S3 or a wiki:
 * index.html, m/<monitor>/index.html and every listed hour's report.html.
 */
import type { MonitorsConfig } from '../config/index.js';
import { joinUri, type Storage } from '../io/storage.js';
import { monitorPage, overviewPage, type PageOptions } from './pages.js';
import { readDashboard } from './read.js';
import { renderHourReport } from './reports.js';

export interface ExportResult {
  index: string;
  pages: number;
  reports: number;
  /** Hours whose report could not be read or drawn (listed, not fatal). */
  problems: string[];
}

const HTML = { contentType: 'text/html; charset=utf-8' };

export async function exportDashboard(
  storage: Storage,
  config: MonitorsConfig,
  dir: string,
  options: PageOptions = {},
): Promise<ExportResult> {
  const data = await readDashboard(storage, config);
  const index = joinUri(dir, 'index.html');
  await storage.write(index, overviewPage(data), HTML);
  const result: ExportResult = { index, pages: 1, reports: 0, problems: [] };
  const byName = new Map(config.monitors.map((m) => [m.name, m]));
  for (const view of data.monitors) {
    await storage.write(joinUri(dir, 'm', view.name, 'index.html'), monitorPage(view, options), HTML);
    result.pages++;
    const monitor = byName.get(view.name);
    if (!monitor) continue;
    for (const e of view.executions) {
      try {
        const html = await renderHourReport(storage, monitor, e.hour);
        if (html === undefined) continue;
        await storage.write(joinUri(dir, 'm', view.name, ...e.hour.split('/'), 'report.html'), html, HTML);
        result.reports++;
      } catch (error) {
        result.problems.push(`${view.name} ${e.hour}: ${(error as Error).message}`);
      }
    }
  }
  return result;
}
