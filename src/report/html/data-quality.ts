/**
 * The data-quality section: records read/rejected, drifted features first, then per feature the baseline
 * vs current distribution drawn from the sketches the reports hold (numeric: KLL CDFs and quantiles;
 * categorical: top categories side by side, unseen ones marked), the drift score against its threshold,
 * completeness and type checks.
 */
import type { FeatureOverrides } from '../../baseline/constraints.js';
import { categoriesOf, type FeatureStatistics, sketchOf } from '../../baseline/statistics.js';
import { driftPlan } from '../../checks/baseline-drift.js';
import { isDrift } from '../../metrics/drift/decide.js';
import { cumulativeWeights, linfinityCategorical, linfinityNumeric } from '../../metrics/drift/linf.js';
import { type WeightedSample, weightedSampleFromKll } from '../../metrics/drift/sample.js';
import { escapeHtml, formatNumber, formatShare } from './escape.js';
import type { HourFiles } from './model.js';
import { histogram, lineChart, pairedBars, scoreBar } from './svg.js';

const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
const MAX_CATEGORIES = 12;
const MAX_CDF_POINTS = 120;
const HISTOGRAM_BINS = 20;

interface FeatureView {
  name: string;
  type: string;
  baseline?: FeatureStatistics;
  current?: FeatureStatistics;
  violations: Array<Record<string, unknown>>;
  score?: number;
  threshold?: number;
  method?: string;
  drift: boolean;
}

// A feature's sample is derived from its sketch once (rendering uses it several times).
const samples = new WeakMap<FeatureStatistics, WeightedSample | undefined>();

function sampleOf(f: FeatureStatistics | undefined): WeightedSample | undefined {
  if (!f) return undefined;
  if (samples.has(f)) return samples.get(f);
  const sketch = sketchOf(f);
  const sample = sketch ? weightedSampleFromKll(sketch) : undefined;
  samples.set(f, sample);
  return sample;
}

function quantileOf(s: WeightedSample, q: number): number {
  const cum = cumulativeWeights(s);
  const target = q * s.total;
  for (let i = 0; i < cum.length; i++) if ((cum[i] as number) >= target) return s.values[i] as number;
  return s.values[s.values.length - 1] ?? Number.NaN;
}

function cdfPoints(s: WeightedSample): Array<[number, number]> {
  const cum = cumulativeWeights(s);
  const step = Math.max(1, Math.ceil(s.values.length / MAX_CDF_POINTS));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < s.values.length; i += step)
    out.push([s.values[i] as number, (cum[i] as number) / s.total]);
  const last = s.values.length - 1;
  if (last >= 0 && last % step !== 0) out.push([s.values[last] as number, 1]);
  return out;
}

/** Shares of a weighted sample in `bins` equal bins over [lo, hi] (the last bin closed). */
function binShares(s: WeightedSample, lo: number, hi: number, bins: number): number[] {
  const out = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (let i = 0; i < s.values.length; i++) {
    const v = s.values[i] as number;
    const k = width > 0 ? Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width))) : 0;
    out[k] = (out[k] as number) + (s.weights[i] as number) / s.total;
  }
  return out;
}

function histogramOf(name: string, sb: WeightedSample, sc: WeightedSample): string {
  const lo = Math.min(sb.values[0] as number, sc.values[0] as number);
  const hi = Math.max(sb.values[sb.values.length - 1] as number, sc.values[sc.values.length - 1] as number);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return '';
  const bins = hi > lo ? HISTOGRAM_BINS : 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  return histogram(
    `Histogram of ${name}: baseline vs current`,
    edges,
    binShares(sb, lo, hi, bins),
    binShares(sc, lo, hi, bins),
  );
}

function common(f: FeatureStatistics | undefined) {
  return (f?.numerical_statistics ?? f?.string_statistics)?.common;
}

function featureViews(files: HourFiles): FeatureView[] {
  const current = new Map((files.statistics?.features ?? []).map((f) => [f.name, f]));
  const baseline = new Map((files.baselineStatistics?.features ?? []).map((f) => [f.name, f]));
  const constraints = new Map((files.constraints?.features ?? []).map((f) => [f.name, f]));
  const byFeature = new Map<string, Array<Record<string, unknown>>>();
  for (const v of files.violations ?? []) {
    const name = String(v.feature_name ?? '');
    byFeature.set(name, [...(byFeature.get(name) ?? []), v]);
  }
  const checks = new Map<string, Record<string, unknown>>();
  const violated = files.execution.violatedChecks;
  if (Array.isArray(violated))
    for (const c of violated as Array<Record<string, unknown>>)
      if (c.checkType === 'baseline_drift_check') checks.set(String(c.feature), c);
  const scores = new Map<string, Record<string, unknown>>();
  if (Array.isArray(files.execution.featureScores))
    for (const f of files.execution.featureScores as unknown[])
      if (typeof f === 'object' && f !== null && typeof (f as { name?: unknown }).name === 'string')
        scores.set((f as { name: string }).name, f as Record<string, unknown>);
  const names = [...new Set([...baseline.keys(), ...current.keys()])];
  const dc = files.constraints?.monitoring_config.distribution_constraints;
  return names.map((name) => {
    const b = baseline.get(name);
    const c = current.get(name);
    const constraint = constraints.get(name);
    const type = constraint?.inferred_type ?? b?.inferred_type ?? c?.inferred_type ?? 'Unknown';
    const view: FeatureView = {
      name,
      type,
      baseline: b,
      current: c,
      violations: byFeature.get(name) ?? [],
      drift: false,
    };
    const recorded = checks.get(name);
    const scored = scores.get(name);
    const plan = dc ? driftPlan(type, (constraint?.overrides ?? {}) as FeatureOverrides, dc) : undefined;
    if (plan) {
      view.method = plan.method;
      view.threshold = plan.threshold;
    }
    if (scored && typeof scored.value === 'number' && typeof scored.threshold === 'number') {
      // The execution's own value for every decided feature (execution.json featureScores).
      view.score = scored.value;
      view.threshold = scored.threshold;
      if (typeof scored.method === 'string') view.method = scored.method;
      view.drift = scored.drift === true;
    } else if (recorded && typeof recorded.currentValue === 'number') {
      view.score = recorded.currentValue;
      if (typeof recorded.threshold === 'number') view.threshold = recorded.threshold;
      view.drift = true;
    } else if (plan && !plan.test && plan.method.startsWith('LInfinity') && b && c) {
      // Recomputed from the two reports' sketches/counts, as the check computed it.
      const method = plan.method.endsWith('Simple') ? 'Simple' : 'Robust';
      const sb = sampleOf(b);
      const sc = sampleOf(c);
      const linf =
        sb && sc
          ? linfinityNumeric(sb, sc, method)
          : type === 'String'
            ? linfinityCategorical(categoriesOf(b), categoriesOf(c), method)
            : undefined;
      if (linf) {
        view.score = linf.distance;
        view.drift = Number.isFinite(linf.distance) && isDrift(plan.score, linf.distance, plan.threshold);
      }
    }
    if (view.violations.some((v) => v.constraint_check_type === 'baseline_drift_check')) view.drift = true;
    return view;
  });
}

function numericDetail(v: FeatureView): string {
  const sb = sampleOf(v.baseline);
  const sc = sampleOf(v.current);
  if (!sb || !sc || sb.total === 0 || sc.total === 0)
    return '<p class="muted">No distribution to compare.</p>';
  const lo = Math.min(sb.values[0] as number, sc.values[0] as number);
  const hi = Math.max(sb.values[sb.values.length - 1] as number, sc.values[sc.values.length - 1] as number);
  const chart = lineChart(
    `CDF of ${v.name}: baseline vs current`,
    [
      { label: 'baseline', cls: 'base', points: cdfPoints(sb) },
      { label: 'current', cls: 'cur', points: cdfPoints(sc) },
    ],
    {
      ...(Number.isFinite(lo) && Number.isFinite(hi) ? { xDomain: [lo, hi] as [number, number] } : {}),
      yDomain: [0, 1],
      yLabel: 'CDF',
    },
  );
  const iqr = quantileOf(sb, 0.75) - quantileOf(sb, 0.25);
  const rows = QUANTILES.map((q) => {
    const b = quantileOf(sb, q);
    const c = quantileOf(sc, q);
    const moved = iqr > 0 ? (c - b) / iqr : Number.NaN;
    return `<tr${Math.abs(moved) >= 0.25 ? ' class="moved"' : ''}><td>p${q * 100}</td><td>${formatNumber(b)}</td><td>${formatNumber(c)}</td><td>${formatNumber(c - b)}</td><td>${formatNumber(moved)}</td></tr>`;
  }).join('');
  return `<div class="pair">${histogramOf(v.name, sb, sc)}${chart}<table class="q"><thead><tr><th>quantile</th><th>baseline</th><th>current</th><th>Δ</th><th>Δ / IQR</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function categoricalDetail(v: FeatureView): string {
  const b = v.baseline ? categoriesOf(v.baseline) : new Map<string, number>();
  const c = v.current ? categoriesOf(v.current) : new Map<string, number>();
  const bt = [...b.values()].reduce((a, x) => a + x, 0) || 1;
  const ct = [...c.values()].reduce((a, x) => a + x, 0) || 1;
  const names = [...new Set([...b.keys(), ...c.keys()])];
  const rows = names
    .map((name) => ({
      label: name,
      baseline: (b.get(name) ?? 0) / bt,
      current: (c.get(name) ?? 0) / ct,
      unseen: !b.has(name),
    }))
    .sort(
      (x, y) =>
        Math.max(y.baseline, y.current) - Math.max(x.baseline, x.current) || (x.label < y.label ? -1 : 1),
    );
  const shown = rows.slice(0, MAX_CATEGORIES);
  const more = rows.length - shown.length;
  return `${pairedBars(`Top categories of ${v.name}: baseline vs current`, shown)}<p class="muted">Upper bar baseline, lower bar current; * = not in the baseline.${more > 0 ? ` ${more} more categories not shown.` : ''}</p>`;
}

function featureBlock(v: FeatureView): string {
  const cur = common(v.current);
  const n = cur ? cur.num_present + cur.num_missing : 0;
  const completeness = cur && n > 0 ? cur.num_present / n : Number.NaN;
  const base = common(v.baseline);
  const bn = base ? base.num_present + base.num_missing : 0;
  const checks = v.violations
    .map((x) => `<li><b>${escapeHtml(x.constraint_check_type)}</b>: ${escapeHtml(x.description)}</li>`)
    .join('');
  const detail =
    v.type === 'String'
      ? categoricalDetail(v)
      : v.type === 'Integral' || v.type === 'Fractional'
        ? numericDetail(v)
        : '';
  const score =
    v.threshold !== undefined
      ? `<span class="kv">drift (${escapeHtml(v.method ?? '')}) ${scoreBar(v.score ?? Number.NaN, v.threshold, v.drift)} <span class="num" data-score>${formatNumber(v.score)}</span> vs threshold <span class="num">${formatNumber(v.threshold)}</span></span>`
      : '';
  return `<section class="feature${v.drift ? ' drifted' : ''}" data-feature="${escapeHtml(v.name)}"><h3>${v.drift ? '<span class="badge bad">drift</span> ' : v.violations.length > 0 ? '<span class="badge warn">violation</span> ' : ''}<span class="fname">${escapeHtml(v.name)}</span> <span class="muted">${escapeHtml(v.type)}</span></h3><p>${score} <span class="kv">completeness <span class="num">${formatShare(completeness)}</span> (baseline ${formatShare(bn > 0 && base ? base.num_present / bn : Number.NaN)})</span> <span class="kv">type check: ${v.violations.some((x) => x.constraint_check_type === 'data_type_check') ? '<b class="badbg">failed</b>' : 'passed'}</span></p>${checks ? `<ul class="violations">${checks}</ul>` : ''}${detail}</section>`;
}

export function dataQualitySection(files: HourFiles): string {
  const views = featureViews(files);
  // Drifted first, then other violations, then the rest; stable by name within each group.
  const rank = (v: FeatureView) => (v.drift ? 0 : v.violations.length > 0 ? 1 : 2);
  views.sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const drifted = views.filter((v) => v.drift).map((v) => v.name);
  const summary = `<p>${views.length} features; drifted: ${drifted.length > 0 ? drifted.map((d) => `<b class="fname">${escapeHtml(d)}</b>`).join(', ') : 'none'}.</p>`;
  return `<h2>Data quality</h2>${summary}${multivariateBlock(files.execution.multivariate)}${views.map(featureBlock).join('')}`;
}

/** The multivariate check of a calibrated baseline (execution.json `multivariate`), when it ran. */
function multivariateBlock(m: unknown): string {
  if (typeof m !== 'object' || m === null) return '';
  const r = m as Record<string, unknown>;
  const num = (k: string) =>
    typeof r[k] === 'number' && Number.isFinite(r[k]) ? (r[k] as number) : undefined;
  const value = num('value');
  const lower = num('lower');
  const upper = num('upper');
  if (value === undefined || lower === undefined || upper === undefined) return '';
  const columns = Array.isArray(r.columns) ? r.columns.map((c) => escapeHtml(c)).join(', ') : '';
  const drift = r.drift === true;
  return `<section class="multivariate"><h3>Multivariate (PCA reconstruction)${drift ? ' <span class="badge bad">drift</span>' : ''}</h3><p>Mean reconstruction error ${value.toPrecision(4)} of ${escapeHtml(num('rows') ?? '')} rows; the baseline's band at this size is [${lower.toPrecision(4)}, ${upper.toPrecision(4)}] (baseline mean ${escapeHtml(num('baselineMean')?.toPrecision(4) ?? '')}). Features: ${columns}.</p></section>`;
}
