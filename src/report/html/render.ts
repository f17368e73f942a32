/**
 * One hour folder → one self-contained `report.html`: no script (static SVG drawn here), no external
 * resource, a Content-Security-Policy that forbids script and remote loads, print styles. Deterministic:
 * the same files give the same bytes (no render time; stable order).
 */
import { escapeHtml, formatNumber } from './escape.js';
import type { HourFiles, ReportSection } from './model.js';
import { REPORT_SECTIONS, sectionFor } from './sections.js';

export const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; base-uri 'none'; form-action 'none'";

export const REPORT_STYLE = `
:root{--base:#5b6b7f;--cur:#d9480f;--bad:#c92a2a;--ok:#2b8a3e;--warn:#e67700}
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:1100px;color:#1b1f24;padding:0 1rem}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.15rem;border-bottom:1px solid #ccc;margin-top:1.5rem}h3{font-size:1rem;margin:.2rem 0}
.muted{color:#666;font-weight:normal}.num{font-variant-numeric:tabular-nums}
.status{display:inline-block;padding:.1rem .5rem;border-radius:3px;color:#fff}
.status.Completed{background:var(--ok)}.status.CompletedWithViolations{background:var(--warn)}.status.Failed{background:var(--bad)}
.badge{font-size:.75rem;padding:0 .35rem;border-radius:3px;color:#fff}.badge.bad{background:var(--bad)}.badge.warn{background:var(--warn)}
.badbg{color:var(--bad)}
section.feature{border:1px solid #ddd;border-radius:4px;padding:.5rem .8rem;margin:.6rem 0;break-inside:avoid}
section.feature.drifted{border-left:4px solid var(--bad)}
.kv{margin-right:1.2rem;white-space:nowrap}.pair{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #ddd;padding:.15rem .45rem;text-align:right}th:first-child,td:first-child{text-align:left}
tr.moved td,tr.violated td{background:#fff4e6}td.diag{background:#ebfbee}
svg.chart{background:#fff;border:1px solid #eee}svg text{font:10px system-ui,sans-serif;fill:#333}
.axis{fill:none;stroke:#999}.line{fill:none;stroke-width:1.6}.line.base,.bar.base{stroke:var(--base);fill:none}.line.cur{stroke:var(--cur)}
rect.bar.base{fill:var(--base)}rect.bar.cur{fill:var(--cur)}rect.bar.unseen{fill:#862e9c}text.legend.base{fill:var(--base)}text.legend.cur{fill:var(--cur)}
svg.score{vertical-align:middle}.track{fill:#eee}rect.bar.ok{fill:var(--ok)}rect.bar.bad{fill:var(--bad)}.threshold{stroke:#000;stroke-width:2}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}dt{color:#555}dd{margin:0}
@media print{body{margin:0;max-width:none;font-size:11px}a{color:inherit;text-decoration:none}section.feature{page-break-inside:avoid}}
`;

function header(files: HourFiles): string {
  const e = files.execution;
  const issues = (typeof e.issues === 'object' && e.issues !== null ? e.issues : {}) as Record<
    string,
    unknown
  >;
  const samples = Array.isArray(issues.samples) ? (issues.samples as Array<Record<string, unknown>>) : [];
  const problems = samples
    .slice(0, 10)
    .map(
      (s) =>
        `<li>${escapeHtml(s.kind)} ${escapeHtml(s.source ?? '')}${s.line !== undefined ? `:${escapeHtml(s.line)}` : ''} ${escapeHtml(s.message ?? '')}</li>`,
    )
    .join('');
  const status = String(e.status ?? 'Unknown');
  // A failed execution's message is "Failed: <reason>": the reason is shown once, below.
  const repeatsReason = e.failureReason !== undefined && e.message === `Failed: ${e.failureReason}`;
  return `<header><h1>${escapeHtml(e.monitorName ?? 'execution')} <span class="status ${escapeHtml(status)}" data-status>${escapeHtml(status)}</span></h1>
${repeatsReason ? '' : `<p>${escapeHtml(e.message ?? '')}</p>`}${e.failureReason ? `<p class="badbg"><b>Failure reason:</b> ${escapeHtml(e.failureReason)}</p>` : ''}
<dl><dt>window</dt><dd>${escapeHtml(e.windowStart)} – ${escapeHtml(e.windowEnd)}</dd><dt>scheduled</dt><dd>${escapeHtml(e.scheduledTime)}</dd>
<dt>records read</dt><dd class="num" data-records-read>${formatNumber(e.recordsRead)}</dd><dt>rows used</dt><dd class="num">${formatNumber(e.rowsProfiled)}</dd>
<dt>records rejected / problems</dt><dd class="num" data-problems>${formatNumber(issues.total ?? 0)}</dd><dt>violations</dt><dd class="num" data-violations>${formatNumber(e.violations)}</dd>
<dt>reports</dt><dd>${escapeHtml(e.reportUri ?? '')}</dd></dl>${problems ? `<h2>First problems</h2><ul>${problems}</ul>` : ''}
${files.problems.length ? `<h2>Missing files</h2><ul>${files.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>` : ''}</header>`;
}

export function renderReport(
  files: HourFiles,
  sections: Readonly<Record<string, ReportSection>> = REPORT_SECTIONS,
): string {
  const section = sectionFor(files.kind, sections);
  const body = section
    ? section(files)
    : `<p class="muted">No report section for monitor kind ${escapeHtml(files.kind)}.</p>`;
  const title = `${String(files.execution.monitorName ?? 'execution')} ${String(files.execution.scheduledTime ?? '')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title><style>${REPORT_STYLE}</style></head>
<body>${header(files)}<main>${body}</main><footer class="muted"><p>driftwatch report (${escapeHtml(files.kind)})</p></footer></body></html>
`;
}
