/**
 * The read-only dashboard server: GET/HEAD of its own pages only (405 otherwise), bound to 127.0.0.1 unless
 * told otherwise. URLs are matched whole against three shapes (no decoding, no path from the URL reaches
 * storage): `/`, `/m/<configured monitor>/`, `/m/<configured monitor>/yyyy/mm/dd/hh/report.html`; the
 * report's key is built from the monitor's config and the digits of the hour. Responses carry the CSP (no
 * script), nosniff, no-referrer and no framing; errors say "internal error" and are logged, never shown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MonitorConfig, MonitorsConfig } from '../config/index.js';
import type { Logger } from '../core/log.js';
import type { Storage } from '../io/storage.js';
import type { DashboardData } from './model.js';
import { DASHBOARD_CSP, monitorPage, overviewPage, type PageOptions } from './pages.js';
import { readDashboard } from './read.js';
import { renderHourReport } from './reports.js';

export interface DashboardServerOptions {
  storage: Storage;
  config: MonitorsConfig;
  logger?: Logger;
  /** How long data read from storage is reused before it is read again. @defaultValue 30000 */
  cacheMs?: number;
  pages?: PageOptions;
}

export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': `${DASHBOARD_CSP}; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

const MONITOR_PAGE = /^\/m\/([A-Za-z0-9._-]{1,200})\/(?:index\.html)?$/;
const REPORT_PAGE = /^\/m\/([A-Za-z0-9._-]{1,200})\/(\d{4}\/\d{2}\/\d{2}\/\d{2})\/report\.html$/;

export function createDashboardServer(options: DashboardServerOptions): Server {
  const monitors = new Map<string, MonitorConfig>(options.config.monitors.map((m) => [m.name, m]));
  const cacheMs = options.cacheMs ?? 30_000;
  let cached: { at: number; data: Promise<DashboardData> } | undefined;
  const data = (): Promise<DashboardData> => {
    const now = Date.now();
    if (!cached || now - cached.at > cacheMs) {
      const pending = readDashboard(options.storage, options.config);
      cached = { at: now, data: pending };
      pending.catch(() => {
        if (cached?.data === pending) cached = undefined;
      });
    }
    return cached.data;
  };

  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: string) => {
    const bytes = Buffer.from(body, 'utf8');
    res.writeHead(status, {
      ...DASHBOARD_HEADERS,
      'content-type': status === 200 ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
      'content-length': String(bytes.length),
      ...(status === 405 ? { allow: 'GET, HEAD' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };

  const route = async (req: IncomingMessage): Promise<[number, string]> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return [405, 'method not allowed\n'];
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/' || path === '/index.html') return [200, overviewPage(await data())];
    const pageMatch = MONITOR_PAGE.exec(path);
    if (pageMatch) {
      const name = pageMatch[1] as string;
      if (!monitors.has(name)) return [404, 'not found\n'];
      const view = (await data()).monitors.find((m) => m.name === name);
      return view ? [200, monitorPage(view, options.pages)] : [404, 'not found\n'];
    }
    const reportMatch = REPORT_PAGE.exec(path);
    if (reportMatch) {
      const monitor = monitors.get(reportMatch[1] as string);
      if (!monitor) return [404, 'not found\n'];
      const html = await renderHourReport(options.storage, monitor, reportMatch[2] as string);
      return html === undefined ? [404, 'not found\n'] : [200, html];
    }
    return [404, 'not found\n'];
  };

  return createServer((req, res) => {
    route(req).then(
      ([status, body]) => send(req, res, status, body),
      (error: unknown) => {
        options.logger?.error({ err: error, url: req.url }, 'dashboard request failed');
        send(req, res, 500, 'internal error\n');
      },
    );
  });
}
