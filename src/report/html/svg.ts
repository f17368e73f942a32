/**
 * Hand-written static SVG charts, rendered on the server: no script, no dependency, stable output (numbers
 * printed with fixed precision). Every chart carries a <title> and role="img" with an aria-label.
 */
import { escapeHtml, formatNumber } from './escape.js';

export interface Series {
  label: string;
  /** CSS class for the colour: `base` or `cur`. */
  cls: 'base' | 'cur';
  points: ReadonlyArray<readonly [number, number]>;
}

const W = 320;
const H = 180;
const M = { left: 40, right: 8, top: 8, bottom: 24 };
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '0');

function scale(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  const span = d1 - d0 || 1;
  return (x) => r0 + ((x - d0) / span) * (r1 - r0);
}

/** Lines (CDF, ROC, PR): x and y domains from the data unless given. */
export function lineChart(
  title: string,
  series: readonly Series[],
  options: { xDomain?: [number, number]; yDomain?: [number, number]; xLabel?: string; yLabel?: string } = {},
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0])).filter(Number.isFinite);
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const [x0, x1] = options.xDomain ?? [Math.min(...xs, 0), Math.max(...xs, 1)];
  const [y0, y1] = options.yDomain ?? [Math.min(...ys, 0), Math.max(...ys, 1)];
  const sx = scale(x0, x1, M.left, W - M.right);
  const sy = scale(y0, y1, H - M.bottom, M.top);
  const paths = series
    .map((s) => {
      const d = s.points
        .filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]))
        .map((p, i) => `${i === 0 ? 'M' : 'L'}${f(sx(p[0]))},${f(sy(p[1]))}`)
        .join('');
      return `<path class="line ${s.cls}" d="${d}"><title>${escapeHtml(s.label)}</title></path>`;
    })
    .join('');
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${axes(x0, x1, y0, y1, sx, sy, options)}${paths}${legend(series)}</svg>`;
}

function axes(
  x0: number,
  x1: number,
  y0: number,
  y1: number,
  sx: (x: number) => number,
  sy: (y: number) => number,
  o: { xLabel?: string; yLabel?: string; yFormat?: (y: number) => string },
): string {
  const ticks = [0, 0.5, 1];
  const xt = ticks
    .map((t) => {
      const v = x0 + t * (x1 - x0);
      const anchor = t === 0 ? 'start' : t === 1 ? 'end' : 'middle';
      return `<text class="tick" x="${f(sx(v))}" y="${H - 8}" text-anchor="${anchor}">${escapeHtml(formatNumber(v))}</text>`;
    })
    .join('');
  const yt = ticks
    .map((t) => {
      const v = y0 + t * (y1 - y0);
      return `<text class="tick" x="${M.left - 3}" y="${f(sy(v) + 3)}" text-anchor="end">${escapeHtml((o.yFormat ?? formatNumber)(v))}</text>`;
    })
    .join('');
  const labels = `${o.xLabel ? `<text class="axis-label" x="${W - M.right}" y="${H - 14}" text-anchor="end">${escapeHtml(o.xLabel)}</text>` : ''}${o.yLabel ? `<text class="axis-label" x="${M.left + 3}" y="${M.top + 9}">${escapeHtml(o.yLabel)}</text>` : ''}`;
  return `<path class="axis" d="M${M.left},${M.top}V${H - M.bottom}H${W - M.right}"/>${xt}${yt}${labels}`;
}

function legend(series: readonly Series[], top = false): string {
  return series
    .map(
      (s, i) =>
        `<text class="legend ${s.cls}" x="${W - M.right - 4}" y="${top ? M.top + 10 + i * 12 : H - M.bottom - 8 - i * 12}" text-anchor="end">${escapeHtml(s.label)}</text>`,
    )
    .join('');
}

/** Grouped horizontal bars: one row per label, baseline and current share side by side. */
export function pairedBars(
  title: string,
  rows: ReadonlyArray<{ label: string; baseline: number; current: number; unseen: boolean }>,
): string {
  const rowH = 22;
  const labelW = 120;
  const width = 360;
  const height = rows.length * rowH + 8;
  const max = Math.max(1e-9, ...rows.flatMap((r) => [r.baseline, r.current]));
  const sx = scale(0, max, 0, width - labelW - 50);
  const body = rows
    .map((r, i) => {
      const y = 4 + i * rowH;
      const name = r.label.length > 18 ? `${r.label.slice(0, 17)}…` : r.label;
      const tip = `${r.label}: baseline ${(r.baseline * 100).toFixed(2)}%, current ${(r.current * 100).toFixed(2)}%${r.unseen ? ' (unseen in baseline)' : ''}`;
      return `<g><title>${escapeHtml(tip)}</title><text class="tick" x="${labelW - 4}" y="${y + 13}" text-anchor="end">${escapeHtml(name)}${r.unseen ? ' *' : ''}</text><rect class="bar base" x="${labelW}" y="${y}" width="${f(sx(r.baseline))}" height="9"/><rect class="bar cur${r.unseen ? ' unseen' : ''}" x="${labelW}" y="${y + 9}" width="${f(sx(r.current))}" height="9"/><text class="tick" x="${f(labelW + sx(Math.max(r.baseline, r.current)) + 3)}" y="${y + 13}">${(r.current * 100).toFixed(1)}%</text></g>`;
    })
    .join('');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${body}</svg>`;
}

/** A score against its threshold: a bar on [0, max(score, threshold) × 1.2] with the threshold marked. */
export function scoreBar(score: number, threshold: number, drift: boolean): string {
  const width = 160;
  const max = Math.max(1e-9, (Number.isFinite(score) ? Math.max(score, threshold) : threshold) * 1.2);
  const sx = scale(0, max, 0, width);
  const label = `score ${formatNumber(score)}, threshold ${formatNumber(threshold)}`;
  return `<svg class="score" viewBox="0 0 ${width} 14" width="${width}" height="14" role="img" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title><rect class="track" x="0" y="2" width="${width}" height="10"/><rect class="bar ${drift ? 'bad' : 'ok'}" x="0" y="2" width="${f(Number.isFinite(score) ? Math.max(0, sx(score)) : 0)}" height="10"/><path class="threshold" d="M${f(sx(threshold))},0V14"/></svg>`;
}

/** A histogram of baseline vs current shares over shared bins (`edges` has one more entry than each share list). */
export function histogram(
  title: string,
  edges: readonly number[],
  baseline: readonly number[],
  current: readonly number[],
): string {
  const bins = baseline.length;
  const max = Math.max(1e-9, ...baseline, ...current);
  const sy = scale(0, max, H - M.bottom, M.top);
  const bw = (W - M.left - M.right) / Math.max(1, bins);
  const bars = baseline
    .map((b, i) => {
      const c = current[i] ?? 0;
      const x = M.left + i * bw;
      const tip = `[${formatNumber(edges[i])}, ${formatNumber(edges[i + 1])}): baseline ${(b * 100).toFixed(1)}%, current ${(c * 100).toFixed(1)}%`;
      return `<g><title>${escapeHtml(tip)}</title><rect class="bar base" x="${f(x + 1)}" y="${f(sy(b))}" width="${f(Math.max(1, bw / 2 - 1))}" height="${f(H - M.bottom - sy(b))}"/><rect class="bar cur" x="${f(x + bw / 2)}" y="${f(sy(c))}" width="${f(Math.max(1, bw / 2 - 1))}" height="${f(H - M.bottom - sy(c))}"/></g>`;
    })
    .join('');
  const x0 = edges[0] ?? 0;
  const x1 = edges[edges.length - 1] ?? 1;
  const sx = scale(x0, x1, M.left, W - M.right);
  return `<svg class="chart hist" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${axes(x0, x1, 0, max, sx, sy, { yLabel: 'share', yFormat: (y) => `${(y * 100).toFixed(0)}%` })}${bars}${legend(
    [
      { label: 'baseline', cls: 'base', points: [] },
      { label: 'current', cls: 'cur', points: [] },
    ],
    true,
  )}</svg>`;
}
