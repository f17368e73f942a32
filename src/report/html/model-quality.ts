/**
 * The model-quality section: each metric against its constraint, the confusion matrix, ROC and PR curves
 * of baseline and window, and the CBPE estimate with its band next to the realised value.
 */
import { escapeHtml, formatNumber } from './escape.js';
import type { HourFiles } from './model.js';
import { lineChart, type Series } from './svg.js';

type Json = Record<string, unknown>;
const obj = (x: unknown): Json =>
  typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Json) : {};
const nums = (x: unknown): number[] => (Array.isArray(x) ? x.map(Number) : []);

/** The metrics section of a model-quality statistics.json (`binary_classification_metrics`, ...). */
function metricsSection(stats: Json | undefined): Json {
  for (const [k, v] of Object.entries(stats ?? {})) if (k.endsWith('_metrics')) return obj(v);
  return {};
}

function constraintsSection(c: Json | undefined): Json {
  for (const [k, v] of Object.entries(c ?? {})) if (k.endsWith('_constraints')) return obj(v);
  return {};
}

function curve(section: Json, key: string, x: string, y: string): Array<[number, number]> {
  const c = obj(section[key]);
  const xs = nums(c[x]);
  const ys = nums(c[y]);
  return xs.map((v, i) => [v, ys[i] ?? Number.NaN]);
}

function confusionMatrix(section: Json): string {
  const m = obj(section.confusion_matrix);
  const actual = Object.keys(m).sort();
  const predicted = [...new Set(actual.flatMap((a) => Object.keys(obj(m[a]))))].sort();
  if (actual.length === 0) return '';
  const head = predicted.map((p) => `<th>${escapeHtml(p)}</th>`).join('');
  const rows = actual
    .map(
      (a) =>
        `<tr><th>${escapeHtml(a)}</th>${predicted.map((p) => `<td class="${a === p ? 'diag' : ''}">${formatNumber(Number(obj(m[a])[p] ?? 0))}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<h3>Confusion matrix <span class="muted">(rows: actual, columns: predicted)</span></h3><table class="cm"><thead><tr><th></th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

export function modelQualitySection(files: HourFiles): string {
  const mq = obj(files.execution.modelQuality);
  const current = metricsSection(files.modelStatistics);
  const baseline = metricsSection(files.modelBaselineStatistics);
  const constraints = constraintsSection(files.modelConstraints);
  const violated = new Set(Array.isArray(mq.violatedMetrics) ? mq.violatedMetrics.map(String) : []);
  const estimate = obj(obj(obj(mq.estimated).estimate).metrics);
  const realised = obj(mq.metrics);
  const names = [...new Set([...Object.keys(realised), ...Object.keys(constraints)])];
  const rows = names
    .map((name) => {
      const c = obj(constraints[name]);
      const e = obj(estimate[name]);
      const est =
        e.value !== undefined
          ? `${formatNumber(Number(e.value))} <span class="muted">[${formatNumber(Number(e.lower))}, ${formatNumber(Number(e.upper))}]</span>`
          : '';
      return `<tr class="${violated.has(name) ? 'violated' : ''}" data-metric="${escapeHtml(name)}"><td>${escapeHtml(name)}</td><td class="num">${formatNumber(realised[name])}</td><td>${escapeHtml(c.comparison_operator ?? '')}</td><td class="num">${formatNumber(c.threshold)}</td><td>${violated.has(name) ? '<b class="badbg">violated</b>' : c.threshold !== undefined ? 'ok' : ''}</td><td>${est}</td><td class="num">${formatNumber(obj(baseline[name]).value)}</td></tr>`;
    })
    .join('');
  const table = `<table class="metrics"><thead><tr><th>metric</th><th>window</th><th>constraint</th><th>threshold</th><th></th><th>CBPE estimate [95% band]</th><th>baseline</th></tr></thead><tbody>${rows}</tbody></table>`;
  const roc: Series[] = [];
  const pr: Series[] = [];
  const add = (list: Series[], label: string, cls: 'base' | 'cur', points: Array<[number, number]>) => {
    if (points.length > 0) list.push({ label, cls, points });
  };
  add(
    roc,
    'baseline',
    'base',
    curve(baseline, 'receiver_operating_characteristic_curve', 'false_positive_rates', 'true_positive_rates'),
  );
  add(
    roc,
    'window',
    'cur',
    curve(current, 'receiver_operating_characteristic_curve', 'false_positive_rates', 'true_positive_rates'),
  );
  add(pr, 'baseline', 'base', curve(baseline, 'precision_recall_curve', 'recalls', 'precisions'));
  add(pr, 'window', 'cur', curve(current, 'precision_recall_curve', 'recalls', 'precisions'));
  const unit: { xDomain: [number, number]; yDomain: [number, number] } = { xDomain: [0, 1], yDomain: [0, 1] };
  const charts = `<div class="pair">${roc.length > 0 ? lineChart('ROC curve: baseline vs window', roc, { ...unit, xLabel: 'FPR', yLabel: 'TPR' }) : ''}${pr.length > 0 ? lineChart('Precision-recall curve: baseline vs window', pr, { ...unit, xLabel: 'recall', yLabel: 'precision' }) : ''}</div>`;
  const join = obj(mq.join);
  const joinLine = Object.keys(join).length
    ? `<p>Join: ${['predictions', 'labels', 'matched', 'unmatchedPredictions', 'orphanLabels'].map((k) => `${k} <span class="num">${formatNumber(join[k])}</span>`).join(', ')}.</p>`
    : '';
  return `<h2>Model quality <span class="muted">${escapeHtml(mq.problemType ?? '')}</span></h2>${joinLine}${table}${confusionMatrix(current)}${charts}`;
}
