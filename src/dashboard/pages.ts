/**
 * The dashboard's pages, rendered from `DashboardData` only (pure: no storage, no clock, no script). Every
 * link is relative, so the same pages work from the server and as exported static files:
 *   index.html                          overview (one row per endpoint, one column per monitor type)
 *   m/<monitor>/index.html              one monitor: status strip, drift heat map, metrics, failures
 *   m/<monitor>/yyyy/mm/dd/hh/report.html   that hour's report (served/copied from storage)
 * Names from captured traffic (features, metrics, reasons) are escaped everywhere.
 */
import { escapeHtml as esc, formatNumber } from '../report/html/escape.js';
import { REPORT_CSP, REPORT_STYLE } from '../report/html/render.js';
import {
  DASHBOARD_TYPES,
  type DashboardData,
  type ExecutionPoint,
  type MonitorView,
  multivariateRatio,
  relativeToThreshold,
  TYPE_TITLES,
} from './model.js';
import { summarizeSeries } from './series.js';

/** The dashboard's pages carry the reports' policy: no script at all, nothing loaded from elsewhere. */
export const DASHBOARD_CSP = REPORT_CSP;

export interface PageOptions {
  /** Executions drawn in the strip and heat map (the most recent ones). @defaultValue 168 */
  columns?: number;
  /** Executions the trend and MAD band are computed over. @defaultValue 24 */
  trendOver?: number;
}

const STYLE = `${REPORT_STYLE}
table.overview td,table.overview th,td.names,th.names{text-align:left;vertical-align:top}table.recent td:first-child,table.failed td:first-child{white-space:nowrap}table.failed td:last-child{text-align:left}
.cell a{display:block}.nm{color:#888;font-style:italic}
rect.s-Completed{fill:var(--ok)}rect.s-CompletedWithViolations{fill:var(--warn)}rect.s-Failed{fill:var(--bad)}rect.s-Unknown{fill:#adb5bd}
rect.h0{fill:#e7f5ff}rect.h1{fill:#a5d8ff}rect.h2{fill:#ffd8a8}rect.h3{fill:#ff922b}rect.h4{fill:#c92a2a}rect.hn{fill:#f1f3f5}
.band{fill:#5b6b7f;opacity:.12}.est{stroke:#7048e8;fill:#7048e8}.estband{stroke:#7048e8;opacity:.5}.thr{stroke:#000;stroke-dasharray:4 3}
.pt{fill:var(--cur)}.legend-h span{display:inline-block;width:1.2em;height:.8em;margin:0 .2em 0 .6em;vertical-align:middle}
.legend-h .h0{background:#e7f5ff}.legend-h .h1{background:#a5d8ff}.legend-h .h2{background:#ffd8a8}.legend-h .h3{background:#ff922b}.legend-h .h4{background:#c92a2a}.legend-h .hn{background:#f1f3f5}
`;

function page(title: string, body: string, home: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${DASHBOARD_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><nav><a href="${home}">driftwatch dashboard</a></nav>${body}<footer class="muted"><p>driftwatch dashboard (read-only)</p></footer></body></html>
`;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const monitorHref = (m: MonitorView) => `m/${encodeURIComponent(m.name)}/index.html`;
const reportHref = (e: ExecutionPoint) => `${e.hour}/report.html`;
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '0');

function statusBadge(e: ExecutionPoint | undefined): string {
  if (!e) return '<span class="muted">no execution yet</span>';
  const s = esc(e.status);
  return `<span class="status ${s}" data-status>${s}</span> <span class="num" data-violations>${formatNumber(e.violations)}</span> violations`;
}

// ---------------------------------------------------------------------------------------------- overview

export function overviewPage(data: DashboardData): string {
  const endpoints = [...new Set([...data.monitors.map((m) => m.endpoint), ...data.capturedEndpoints])].sort(
    byName,
  );
  const rows = endpoints
    .map((endpoint) => {
      const mine = data.monitors.filter((m) => m.endpoint === endpoint);
      const cells = DASHBOARD_TYPES.map((type) => {
        const ms = mine.filter((m) => m.type === type);
        if (ms.length === 0) return `<td class="cell nm" data-type="${type}">not monitored</td>`;
        const links = ms
          .map((m) => {
            const last = m.executions[m.executions.length - 1];
            return `<a href="${esc(monitorHref(m))}" data-monitor="${esc(m.name)}">${esc(m.name)}</a>${statusBadge(last)}${last ? ` <span class="muted">${esc(last.scheduledTime)}</span>` : ''}`;
          })
          .join('');
        return `<td class="cell" data-type="${type}">${links}</td>`;
      }).join('');
      return `<tr data-endpoint="${esc(endpoint)}"><th>${esc(endpoint)}${mine.length === 0 ? ' <span class="nm">(not monitored)</span>' : ''}</th>${cells}</tr>`;
    })
    .join('');
  const head = DASHBOARD_TYPES.map((t) => `<th>${TYPE_TITLES[t]}</th>`).join('');
  const problems = problemList([...data.problems, ...data.monitors.flatMap((m) => m.problems)]);
  return page(
    'driftwatch: endpoints',
    `<h1>Endpoints</h1><p>${endpoints.length} endpoints, ${data.monitors.length} monitors. Each cell: the last execution's status and violation count.</p><table class="overview"><thead><tr><th>endpoint</th>${head}</tr></thead><tbody>${rows}</tbody></table>${problems}`,
    'index.html',
  );
}

function problemList(problems: string[]): string {
  if (problems.length === 0) return '';
  const shown = problems.slice(0, 50);
  return `<h2>Could not read</h2><ul>${shown.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>${problems.length > shown.length ? `<p>${problems.length - shown.length} more.</p>` : ''}`;
}

// ---------------------------------------------------------------------------------------------- monitor

function statusStrip(executions: ExecutionPoint[]): string {
  const w = Math.max(3, Math.min(14, Math.floor(900 / Math.max(1, executions.length))));
  const width = executions.length * w;
  const cells = executions
    .map(
      (e, i) =>
        `<a href="${reportHref(e)}"><rect class="s-${esc(e.status)}" x="${i * w}" y="0" width="${Math.max(1, w - 1)}" height="18"><title>${esc(`${e.scheduledTime}: ${e.status}, ${formatNumber(e.violations)} violations`)}</title></rect></a>`,
    )
    .join('');
  return `<svg class="chart strip" viewBox="0 0 ${width} 18" width="${width}" height="18" role="img" aria-label="Execution status, oldest to newest"><title>Execution status, oldest to newest</title>${cells}</svg>`;
}

function heatClass(r: number): string {
  if (!Number.isFinite(r) && r !== Number.POSITIVE_INFINITY) return 'hn';
  if (r >= 1) return 'h4';
  if (r >= 0.8) return 'h3';
  if (r >= 0.5) return 'h2';
  if (r >= 0.25) return 'h1';
  return 'h0';
}

/** Features ordered: drifted in the latest execution first, then by their highest score/threshold, then name. */
export function featureOrder(executions: ExecutionPoint[]): string[] {
  const last = executions[executions.length - 1];
  const worst = new Map<string, number>();
  for (const e of executions)
    for (const [name, p] of e.features) {
      const r = relativeToThreshold(p);
      worst.set(name, Math.max(worst.get(name) ?? 0, Number.isFinite(r) ? r : 1e9));
    }
  const drifted = new Set(last?.drifted ?? []);
  return [...worst.keys()].sort(
    (a, b) =>
      Number(drifted.has(b)) - Number(drifted.has(a)) ||
      (worst.get(b) ?? 0) - (worst.get(a) ?? 0) ||
      byName(a, b),
  );
}

/** The heat map's first row when a calibrated baseline has a PCA model (a label no feature can take). */
const MULTIVARIATE_ROW = '⟨multivariate: PCA reconstruction⟩';

function heatMap(executions: ExecutionPoint[]): string {
  const hasMultivariate = executions.some((e) => e.multivariate);
  const features = [...(hasMultivariate ? [MULTIVARIATE_ROW] : []), ...featureOrder(executions)];
  if (features.length === 0) return '<p class="muted">No drift scores in these executions.</p>';
  const cw = Math.max(4, Math.min(16, Math.floor(900 / Math.max(1, executions.length))));
  const ch = 14;
  const labelW = 150;
  const width = labelW + executions.length * cw;
  const height = features.length * ch + 16;
  const labels = features
    .map((name, j) => {
      const short = name.length > 24 ? `${name.slice(0, 23)}…` : name;
      return `<text class="tick" x="${labelW - 4}" y="${j * ch + 11}" text-anchor="end" data-feature="${esc(name)}">${esc(short)}<title>${esc(name)}</title></text>`;
    })
    .join('');
  const columns = executions
    .map((e, i) => {
      const x = labelW + i * cw;
      const cells = features
        .map((name, j) => {
          if (hasMultivariate && j === 0) {
            const m = e.multivariate;
            if (!m) return `<rect class="hn" x="${x}" y="${j * ch}" width="${cw - 1}" height="${ch - 1}"/>`;
            const tip = `multivariate ${e.scheduledTime}: mean reconstruction error ${formatNumber(m.value)}, band [${formatNumber(m.lower)}, ${formatNumber(m.upper)}]${m.drift ? ' (drift)' : ''}`;
            return `<rect class="${heatClass(m.drift ? Math.max(1, multivariateRatio(m)) : multivariateRatio(m))}" x="${x}" y="${j * ch}" width="${cw - 1}" height="${ch - 1}" data-multivariate="${m.drift ? 'drift' : 'ok'}"><title>${esc(tip)}</title></rect>`;
          }
          const p = e.features.get(name);
          if (!p) return `<rect class="hn" x="${x}" y="${j * ch}" width="${cw - 1}" height="${ch - 1}"/>`;
          const r = relativeToThreshold(p);
          const tip = `${name} ${e.scheduledTime}: ${p.pValue ? 'p-value' : 'score'} ${formatNumber(p.value)} vs threshold ${formatNumber(p.threshold)}${p.drift ? ' (drift)' : ''}`;
          return `<rect class="${heatClass(r)}" x="${x}" y="${j * ch}" width="${cw - 1}" height="${ch - 1}"><title>${esc(tip)}</title></rect>`;
        })
        .join('');
      return `<a href="${reportHref(e)}">${cells}</a>`;
    })
    .join('');
  const y = features.length * ch + 11;
  const times = `<text class="tick" x="${labelW}" y="${y}">${esc(executions[0]?.scheduledTime.slice(0, 13) ?? '')}</text><text class="tick" x="${width}" y="${y}" text-anchor="end">${esc(executions[executions.length - 1]?.scheduledTime.slice(0, 13) ?? '')}</text>`;
  return `<svg class="chart heat" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Drift score relative to threshold, features by execution"><title>Drift score relative to threshold, features by execution</title>${labels}${columns}${times}</svg>
<p class="legend-h muted">score ÷ threshold (p-values: threshold ÷ p; multivariate: distance from the band's centre ÷ its half-width):<span class="h0"></span>&lt;0.25<span class="h1"></span>&lt;0.5<span class="h2"></span>&lt;0.8<span class="h3"></span>&lt;1<span class="h4"></span>≥1 drift<span class="hn"></span>no score</p>`;
}

function metricChart(
  metric: string,
  executions: ExecutionPoint[],
  threshold: { operator: string; threshold: number } | undefined,
  band: { lower: number; upper: number },
): string {
  const W = 460;
  const H = 182;
  // The metric's name sits above the plot area, where no point or line can cover it.
  const M = { left: 44, right: 8, top: 20, bottom: 20 };
  const values = executions.map((e) => e.metrics.get(metric) ?? Number.NaN);
  const est = executions.map((e) => e.estimates.get(metric));
  const all = [
    ...values,
    ...est.flatMap((x) => (x ? [x.value, x.lower, x.upper] : [])),
    ...(threshold ? [threshold.threshold] : []),
  ].filter(Number.isFinite);
  if (all.length === 0) return '';
  let y0 = Math.min(...all);
  let y1 = Math.max(...all);
  if (y1 - y0 < 1e-9) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const pad = (y1 - y0) * 0.08;
  y0 -= pad;
  y1 += pad;
  const n = executions.length;
  const sx = (i: number) => M.left + (n <= 1 ? 0.5 : i / (n - 1)) * (W - M.left - M.right);
  const sy = (v: number) => H - M.bottom - ((v - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const bandRect = Number.isFinite(band.lower)
    ? `<rect class="band" x="${M.left}" y="${f1(sy(Math.min(y1, band.upper)))}" width="${W - M.left - M.right}" height="${f1(Math.max(0, sy(Math.max(y0, band.lower)) - sy(Math.min(y1, band.upper))))}"><title>${esc(`median ± 3·1.4826·MAD: [${formatNumber(band.lower)}, ${formatNumber(band.upper)}]`)}</title></rect>`
    : '';
  const thr = threshold
    ? `<path class="thr" d="M${M.left},${f1(sy(threshold.threshold))}H${W - M.right}"><title>${esc(`threshold ${threshold.operator} ${formatNumber(threshold.threshold)}`)}</title></path>`
    : '';
  let d = '';
  values.forEach((v, i) => {
    if (Number.isFinite(v)) d += `${d === '' ? 'M' : 'L'}${f1(sx(i))},${f1(sy(v))}`;
  });
  const line = d ? `<path class="line cur" d="${d}"><title>${esc(`${metric} realised`)}</title></path>` : '';
  const points = executions
    .map((e, i) => {
      const v = values[i] as number;
      const x = est[i];
      const dot = Number.isFinite(v)
        ? `<circle class="pt" cx="${f1(sx(i))}" cy="${f1(sy(v))}" r="2.5"><title>${esc(`${metric} ${e.scheduledTime}: ${formatNumber(v)}`)}</title></circle>`
        : '';
      const e2 = x
        ? `<path class="estband" d="M${f1(sx(i))},${f1(sy(Number.isFinite(x.lower) ? x.lower : x.value))}V${f1(sy(Number.isFinite(x.upper) ? x.upper : x.value))}"/><rect class="est" x="${f1(sx(i) - 2)}" y="${f1(sy(x.value) - 2)}" width="4" height="4"><title>${esc(`${metric} CBPE estimate ${e.scheduledTime}: ${formatNumber(x.value)} [${formatNumber(x.lower)}, ${formatNumber(x.upper)}]`)}</title></rect>`
        : '';
      return dot || e2 ? `<a href="${reportHref(e)}">${e2}${dot}</a>` : '';
    })
    .join('');
  const axis = `<path class="axis" d="M${M.left},${M.top}V${H - M.bottom}H${W - M.right}"/><text class="tick" x="${M.left - 3}" y="${f1(sy(y1) + 3)}" text-anchor="end">${formatNumber(y1)}</text><text class="tick" x="${M.left - 3}" y="${f1(sy(y0) + 3)}" text-anchor="end">${formatNumber(y0)}</text><text class="tick" x="${M.left}" y="${H - 6}">${esc(executions[0]?.scheduledTime.slice(0, 13) ?? '')}</text><text class="tick" x="${W - M.right}" y="${H - 6}" text-anchor="end">${esc(executions[n - 1]?.scheduledTime.slice(0, 13) ?? '')}</text>`;
  const title = `${metric} over time: realised (line)${est.some(Boolean) ? ', CBPE estimate with band (squares)' : ''}${threshold ? ', threshold (dashed)' : ''}, median ± 3 MAD (grey)`;
  const name = `<text class="axis-label" x="${M.left + 4}" y="${M.top - 6}">${esc(metric)}</text>`;
  return `<svg class="chart metric" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}" data-metric="${esc(metric)}"><title>${esc(title)}</title>${bandRect}${axis}${name}${thr}${line}${points}</svg>`;
}

/** The metrics section's heading per monitor kind (the Clarify kinds chart their checked metrics, not a model's). */
const METRICS_HEADINGS: Readonly<Record<string, string>> = {
  bias: 'Bias metrics over time <span class="muted">(DPPL and DI per facet value; constraint: |window| ≤ |baseline|)</span>',
  attribution:
    'Attribution NDCG over time <span class="muted">(per label, against the baseline ranking)</span>',
};

function metricsSection(view: MonitorView, shown: ExecutionPoint[], trendOver: number): string {
  const names = [
    ...new Set([
      ...view.thresholds.keys(),
      ...view.executions.flatMap((e) => [...e.metrics.keys(), ...e.estimates.keys()]),
    ]),
  ].sort((a, b) => Number(view.thresholds.has(b)) - Number(view.thresholds.has(a)) || byName(a, b));
  if (names.length === 0) return '';
  // The CBPE column only where there are estimates (model quality with an estimation window).
  const hasEstimates = view.executions.some((e) => e.estimates.size > 0);
  const rows: string[] = [];
  const charts: string[] = [];
  for (const name of names) {
    const series = view.executions.map((e) => e.metrics.get(name) ?? Number.NaN);
    const s = summarizeSeries(series, { last: trendOver });
    const t = view.thresholds.get(name);
    const lastEst = [...view.executions]
      .reverse()
      .find((e) => e.estimates.has(name))
      ?.estimates.get(name);
    const estimateCell = hasEstimates
      ? `<td class="num">${lastEst ? `${formatNumber(lastEst.value)} [${formatNumber(lastEst.lower)}, ${formatNumber(lastEst.upper)}]` : ''}</td>`
      : '';
    rows.push(
      `<tr data-metric="${esc(name)}"${s.outside ? ' class="violated"' : ''}><td>${esc(name)}</td><td class="num">${formatNumber(s.last)}</td><td>${t ? `${esc(t.operator)} ${formatNumber(t.threshold)}` : ''}</td>${estimateCell}<td class="num">${formatNumber(s.median)}</td><td class="num">[${formatNumber(s.lower)}, ${formatNumber(s.upper)}]</td><td class="num">${formatNumber(s.slope)}</td><td>${s.outside ? '<b class="badbg">outside band</b>' : ''}</td></tr>`,
    );
    if (view.thresholds.has(name) || charts.length < 6) charts.push(metricChart(name, shown, t, s));
  }
  const heading = METRICS_HEADINGS[view.type] ?? 'Model metrics over time';
  return `<h2>${heading}</h2><table class="metrics"><thead><tr><th>metric</th><th>last</th><th>constraint</th>${hasEstimates ? '<th>last CBPE estimate [band]</th>' : ''}<th>median (last ${trendOver})</th><th>MAD band</th><th>trend / execution</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table><div class="pair">${charts.join('')}</div>`;
}

function failures(executions: ExecutionPoint[]): string {
  const failed = executions.filter((e) => e.status === 'Failed');
  if (failed.length === 0) return '<h2>Failed executions</h2><p>None.</p>';
  const rows = [...failed]
    .reverse()
    .slice(0, 200)
    .map(
      (e) =>
        `<tr><td><a href="${reportHref(e)}">${esc(e.scheduledTime)}</a></td><td>${esc(e.failureReason ?? '')}</td></tr>`,
    )
    .join('');
  return `<h2>Failed executions</h2><p>${failed.length} failed.</p><table class="failed"><thead><tr><th>scheduled</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function recentTable(executions: ExecutionPoint[]): string {
  const rows = [...executions]
    .reverse()
    .slice(0, 48)
    .map(
      (e) =>
        `<tr><td><a href="${reportHref(e)}">${esc(e.scheduledTime)}</a></td><td><span class="status ${esc(e.status)}">${esc(e.status)}</span></td><td class="num">${formatNumber(e.violations)}</td><td class="num">${formatNumber(e.recordsRead)}</td><td class="num">${formatNumber(e.problems)}</td><td class="names">${[...e.drifted.map((d) => `<span class="fname">${esc(d)}</span>`), ...(e.multivariate?.drift ? ['<b class="badbg">multivariate</b>'] : [])].join(', ')}</td></tr>`,
    )
    .join('');
  return `<h2>Recent executions</h2><table class="recent"><thead><tr><th>scheduled</th><th>status</th><th>violations</th><th>records</th><th>problems</th><th class="names">drifted features</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function monitorPage(view: MonitorView, options: PageOptions = {}): string {
  const columns = options.columns ?? 168;
  const trendOver = options.trendOver ?? 24;
  const shown = view.executions.slice(-columns);
  const last = view.executions[view.executions.length - 1];
  const note =
    shown.length < view.executions.length
      ? ` <span class="muted">(the last ${shown.length} of ${view.executions.length})</span>`
      : '';
  const counts = new Map<string, number>();
  for (const e of view.executions) counts.set(e.status, (counts.get(e.status) ?? 0) + 1);
  const countText = [...counts].map(([s, c]) => `${esc(s)} ${c}`).join(', ');
  const heat =
    view.type === 'data-quality'
      ? `<h2>Drift by feature${note}</h2><p class="muted">Rows: features (drifted in the last execution first); columns: executions. Each cell links to that hour's report.</p>${heatMap(shown)}`
      : '';
  const body = `<p><a href="../../index.html">← all endpoints</a></p><h1>${esc(view.name)} <span class="muted">${esc(TYPE_TITLES[view.type as keyof typeof TYPE_TITLES] ?? view.type)} of ${esc(view.endpoint)}</span></h1>
<p>Last execution: ${statusBadge(last)}${last ? ` <a href="${reportHref(last)}">${esc(last.scheduledTime)} report</a>` : ''}. ${view.executions.length} executions: ${countText || 'none'}.</p>
<h2>Executions${note}</h2>${shown.length ? statusStrip(shown) : '<p class="muted">No executions yet.</p>'}
${heat}${metricsSection(view, shown, trendOver)}${failures(view.executions)}${recentTable(view.executions)}${problemList(view.problems)}`;
  return page(`driftwatch: ${view.name}`, body, '../../index.html');
}
