/**
 * On-call details of a violation: what was expected, what was seen, and what moved (pure; no I/O).
 *
 * The execution summary lists, per violated check: the baseline value, the current value, the threshold,
 * and for drift the categories whose share changed most (largest |p_current − p_baseline|, shares of the
 * non-null total of each side) or the quantiles p1/p5/p25/p50/p75/p95/p99 of baseline vs current, with
 * each move also in units of the baseline inter-quartile range (p75 − p25) when that is positive.
 *
 * Inputs are plain numbers, Maps and quantile lists, so this file depends on no profile class; the caller
 * maps its statistics. Category names are untrusted: Maps only, and quoted and shortened in text.
 */

/** The quantiles shown for a numeric feature. */
export const DETAIL_QUANTILES: readonly number[] = Object.freeze([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]);

export interface CategoryMove {
  category: string;
  /** Share of the baseline's counted values, 0..1. */
  baselineShare: number;
  /** Share of the current window's counted values, 0..1. */
  currentShare: number;
  /** currentShare − baselineShare. */
  delta: number;
}

function shares(counts: ReadonlyMap<string, number>): { total: number; valid: Map<string, number> } {
  const valid = new Map<string, number>();
  let total = 0;
  for (const [k, v] of counts) {
    if (!Number.isFinite(v) || v <= 0) continue;
    valid.set(k, v);
    total += v;
  }
  return { total, valid };
}

/**
 * The `limit` categories whose share moved most between `baseline` and `current` counts (largest |delta|
 * first, ties by category name; moves of exactly 0 are left out). Non-finite or non-positive counts are
 * ignored. Example: baseline {a: 50, b: 50}, current {a: 90, b: 10} → a +0.4, b −0.4.
 */
export function topMovedCategories(
  baseline: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
  limit = 5,
): CategoryMove[] {
  const b = shares(baseline);
  const c = shares(current);
  const keys = new Set([...b.valid.keys(), ...c.valid.keys()]);
  const moves: CategoryMove[] = [];
  for (const category of keys) {
    const baselineShare = b.total > 0 ? (b.valid.get(category) ?? 0) / b.total : 0;
    const currentShare = c.total > 0 ? (c.valid.get(category) ?? 0) / c.total : 0;
    const delta = currentShare - baselineShare;
    if (delta !== 0) moves.push({ category, baselineShare, currentShare, delta });
  }
  moves.sort(
    (x, y) =>
      Math.abs(y.delta) - Math.abs(x.delta) ||
      (x.category < y.category ? -1 : x.category > y.category ? 1 : 0),
  );
  return moves.slice(0, Math.max(0, limit));
}

export interface QuantilePoint {
  /** Probability, 0..1. */
  q: number;
  value: number;
}

/** Quantiles as a list of points, or a function returning the value at a probability (e.g. a sketch). */
export type QuantileSource = ReadonlyArray<QuantilePoint> | ((q: number) => number);

export interface QuantileMove {
  q: number;
  baseline: number;
  current: number;
  /** current − baseline. */
  delta: number;
  /** delta / (baseline p75 − p25), when the baseline IQR is known and positive. */
  deltaInIqr?: number;
}

function lookup(source: QuantileSource, q: number): number | undefined {
  if (typeof source === 'function') {
    const v = source(q);
    return Number.isFinite(v) ? v : undefined;
  }
  const point = source.find((p) => Math.abs(p.q - q) < 1e-9);
  return point && Number.isFinite(point.value) ? point.value : undefined;
}

/**
 * Baseline vs current value at each of `quantiles` (default p1, p5, p25, p50, p75, p95, p99), in
 * probability order; a quantile missing or non-finite on either side is left out.
 */
export function movedQuantiles(
  baseline: QuantileSource,
  current: QuantileSource,
  quantiles: readonly number[] = DETAIL_QUANTILES,
): QuantileMove[] {
  const p25 = lookup(baseline, 0.25);
  const p75 = lookup(baseline, 0.75);
  const iqr = p25 !== undefined && p75 !== undefined && p75 - p25 > 0 ? p75 - p25 : undefined;
  const out: QuantileMove[] = [];
  for (const q of [...quantiles].sort((a, b) => a - b)) {
    const b = lookup(baseline, q);
    const c = lookup(current, q);
    if (b === undefined || c === undefined) continue;
    const move: QuantileMove = { q, baseline: b, current: c, delta: c - b };
    if (iqr !== undefined) move.deltaInIqr = (c - b) / iqr;
    out.push(move);
  }
  return out;
}

export interface ViolationDetailInput {
  /** Feature name (data quality) or metric name (model quality). */
  feature: string;
  /** `constraint_check_type` (`baseline_drift_check`, `completeness_check`, ... or a comparison operator). */
  checkType: string;
  /** The violation's own description, kept as is. */
  description?: string;
  /** The baseline's value of the checked quantity (completeness, type share, metric value, ...). */
  baselineValue?: number;
  /** The current window's value (drift distance, completeness, metric value, ...). */
  currentValue?: number;
  threshold?: number;
  /** Categorical features: counts per category on each side. */
  categories?: {
    baseline: ReadonlyMap<string, number>;
    current: ReadonlyMap<string, number>;
    limit?: number;
  };
  /** Numeric features: quantiles on each side. */
  quantiles?: { baseline: QuantileSource; current: QuantileSource };
}

export interface ViolationDetail
  extends Pick<
    ViolationDetailInput,
    'feature' | 'checkType' | 'description' | 'baselineValue' | 'currentValue' | 'threshold'
  > {
  topCategories?: CategoryMove[];
  quantiles?: QuantileMove[];
  /** One line for a page or a log: check, feature, values and the biggest moves. */
  summary: string;
}

/** Four significant digits, no exponent for ordinary magnitudes, `NaN`/`∞` spelled out. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e9) return String(Number(x.toPrecision(4)));
  return x.toExponential(3);
}

function percent(share: number): string {
  return `${formatNumber(share * 100)}%`;
}

function signed(text: string, x: number): string {
  return x > 0 ? `+${text}` : text;
}

function quoteName(name: string, max = 60): string {
  return JSON.stringify(name.length > max ? `${name.slice(0, max)}…` : name);
}

function quantileLabel(q: number): string {
  return `p${formatNumber(q * 100)}`;
}

/** Builds the on-call detail of one violation (see the module comment). */
export function violationDetail(input: ViolationDetailInput): ViolationDetail {
  const detail: ViolationDetail = { feature: input.feature, checkType: input.checkType, summary: '' };
  if (input.description !== undefined) detail.description = input.description;
  if (input.baselineValue !== undefined) detail.baselineValue = input.baselineValue;
  if (input.currentValue !== undefined) detail.currentValue = input.currentValue;
  if (input.threshold !== undefined) detail.threshold = input.threshold;
  if (input.categories) {
    detail.topCategories = topMovedCategories(
      input.categories.baseline,
      input.categories.current,
      input.categories.limit ?? 5,
    );
  }
  if (input.quantiles) detail.quantiles = movedQuantiles(input.quantiles.baseline, input.quantiles.current);

  const parts: string[] = [`${input.checkType} on ${quoteName(input.feature)}`];
  const values: string[] = [];
  if (detail.currentValue !== undefined) values.push(`current ${formatNumber(detail.currentValue)}`);
  if (detail.baselineValue !== undefined) values.push(`baseline ${formatNumber(detail.baselineValue)}`);
  if (detail.threshold !== undefined) values.push(`threshold ${formatNumber(detail.threshold)}`);
  if (values.length) parts.push(values.join(', '));
  if (detail.topCategories?.length) {
    const moved = detail.topCategories
      .slice(0, 3)
      .map(
        (m) =>
          `${quoteName(m.category, 40)} ${percent(m.baselineShare)} → ${percent(m.currentShare)} (${signed(formatNumber(m.delta * 100), m.delta)} pp)`,
      );
    parts.push(`moved: ${moved.join(', ')}`);
  }
  if (detail.quantiles?.length) {
    const biggest = [...detail.quantiles]
      .sort((a, b) => Math.abs(b.deltaInIqr ?? b.delta) - Math.abs(a.deltaInIqr ?? a.delta))
      .slice(0, 3)
      .sort((a, b) => a.q - b.q)
      .map((m) => {
        const scaled =
          m.deltaInIqr !== undefined ? `, ${signed(formatNumber(m.deltaInIqr), m.deltaInIqr)} IQR` : '';
        return `${quantileLabel(m.q)} ${formatNumber(m.baseline)} → ${formatNumber(m.current)} (${signed(formatNumber(m.delta), m.delta)}${scaled})`;
      });
    parts.push(`moved: ${biggest.join(', ')}`);
  }
  detail.summary = parts.join('; ');
  return detail;
}

/** Several lines for a terminal or an e-mail: the summary, then every category or quantile move. */
export function formatViolationDetail(detail: ViolationDetail): string {
  const lines = [detail.summary];
  if (detail.description) lines.push(`  description: ${detail.description}`);
  for (const m of detail.topCategories ?? []) {
    lines.push(
      `  ${quoteName(m.category)}: ${percent(m.baselineShare)} → ${percent(m.currentShare)} (${signed(formatNumber(m.delta * 100), m.delta)} pp)`,
    );
  }
  for (const m of detail.quantiles ?? []) {
    const scaled =
      m.deltaInIqr !== undefined ? ` = ${signed(formatNumber(m.deltaInIqr), m.deltaInIqr)} IQR` : '';
    lines.push(
      `  ${quantileLabel(m.q)}: ${formatNumber(m.baseline)} → ${formatNumber(m.current)} (${signed(formatNumber(m.delta), m.delta)}${scaled})`,
    );
  }
  return lines.join('\n');
}
