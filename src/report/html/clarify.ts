/**
 * The sections of the two Clarify kinds (spec §9). Bias: every compared facet metric, baseline vs window,
 * violations first, with the join counts. Attribution: per label key the NDCG against its threshold and
 * each feature's global value and rank, baseline vs window (from the two analysis.json files).
 */
import { escapeHtml, formatNumber } from './escape.js';
import type { HourFiles } from './model.js';

type Json = Record<string, unknown>;
const obj = (x: unknown): Json =>
  typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Json) : {};
const list = (x: unknown): Json[] => (Array.isArray(x) ? x.map(obj) : []);

/** A Clarify value: numbers, and `"Infinity"` / `"-Infinity"` as written. */
function clarifyValue(x: unknown): string {
  if (x === null || x === undefined) return '–';
  if (typeof x === 'string') return escapeHtml(x === 'Infinity' ? '+∞' : x === '-Infinity' ? '−∞' : x);
  return formatNumber(x);
}

export function biasSection(files: HourFiles): string {
  const b = obj(files.execution.bias);
  const comparisons = list(b.comparisons).sort(
    (x, y) => Number(Boolean(y.violation)) - Number(Boolean(x.violation)),
  );
  const join = obj(b.join);
  const joinLine = Object.keys(join).length
    ? `<p>Join: ${['predictions', 'labels', 'matched', 'unmatchedPredictions', 'orphanLabels'].map((k) => `${k} <span class="num">${formatNumber(join[k])}</span>`).join(', ')}; ${formatNumber(b.rows)} rows analysed, check <b>${escapeHtml(b.check ?? 'point')}</b> (violation when |window| &gt; |baseline|).</p>`
    : '';
  const rows = comparisons
    .map(
      (c) =>
        `<tr class="${c.violation ? 'violated' : ''}" data-metric="${escapeHtml(c.metric)}"><td>${escapeHtml(c.stage === 'pre_training' ? 'pre' : 'post')}</td><td>${escapeHtml(c.facet)}</td><td>${escapeHtml(c.facetValue)}</td><td>${escapeHtml(c.metric)}</td><td class="num">${clarifyValue(c.baseline)}</td><td class="num">${clarifyValue(c.live)}</td><td>${c.violation ? '<b class="badbg">violated</b>' : c.skipped ? `<span class="muted">${escapeHtml(c.skipped)}</span>` : 'ok'}</td></tr>`,
    )
    .join('');
  const more =
    typeof b.comparisonsLeftOut === 'number'
      ? `<p class="muted">${b.comparisonsLeftOut} more comparisons in analysis.json.</p>`
      : '';
  const table = rows
    ? `<table class="metrics"><thead><tr><th>stage</th><th>facet</th><th>value</th><th>metric</th><th>baseline</th><th>window</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
    : '';
  return `<h2>Bias drift <span class="muted">(Clarify)</span></h2>${joinLine}${table}${more}`;
}

function globalValues(analysis: Json | undefined, label: string): Map<string, number> {
  const shap = obj(obj(obj(analysis).explanations).kernel_shap);
  const values = obj(obj(shap[label]).global_shap_values);
  return new Map(Object.entries(values).map(([k, v]) => [k, Number(v)]));
}

function ranks(values: Map<string, number>): Map<string, number> {
  const order = [...values].sort((a, b) => b[1] - a[1]);
  return new Map(order.map(([k], i) => [k, i + 1]));
}

export function attributionSection(files: HourFiles): string {
  const a = obj(files.execution.attribution);
  const parts = [
    `<h2>Feature attribution drift <span class="muted">(Clarify, ${escapeHtml(a.aggMethod ?? '')} of ${formatNumber(a.explainedRecords)} explained records)</span></h2>`,
  ];
  for (const l of list(a.labels)) {
    const label = String(l.label ?? '');
    const verdict =
      l.ndcg === undefined
        ? `skipped: ${escapeHtml(l.skipped ?? '')}`
        : `NDCG <span class="num">${formatNumber(l.ndcg)}</span> (violation below ${formatNumber(l.threshold)})${l.violation ? ' <b class="badbg">violated</b>' : ''}`;
    const base = globalValues(files.clarifyBaselineAnalysis, label);
    const live = globalValues(files.clarifyAnalysis, label);
    const baseRank = ranks(base);
    const liveRank = ranks(live);
    const features = [...new Set([...base.keys(), ...live.keys()])].sort(
      (x, y) => (baseRank.get(x) ?? 1e9) - (baseRank.get(y) ?? 1e9),
    );
    const rows = features
      .map(
        (f) =>
          `<tr class="${baseRank.get(f) !== liveRank.get(f) ? 'violated' : ''}"><td>${escapeHtml(f)}</td><td class="num">${formatNumber(base.get(f))}</td><td class="num">${baseRank.get(f) ?? '–'}</td><td class="num">${formatNumber(live.get(f))}</td><td class="num">${liveRank.get(f) ?? '–'}</td></tr>`,
      )
      .join('');
    parts.push(
      `<h3>Label ${escapeHtml(label)}: ${verdict}</h3>`,
      rows
        ? `<table class="metrics"><thead><tr><th>feature</th><th>baseline</th><th>rank</th><th>window</th><th>rank</th></tr></thead><tbody>${rows}</tbody></table>`
        : '',
    );
  }
  return parts.join('');
}
