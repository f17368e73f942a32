/**
 * Bias drift check (spec §9.6) and feature-attribution drift check (§9.7): a baseline Clarify
 * `analysis.json` vs the window's → `constraint_violations.json` entries. Pure.
 *
 * Bias, default `point` mode (what every real SageMaker violation shows): violation iff
 * `|live| > |baseline|` (strict; `±∞` compared as such, so a live `∞` against a finite baseline
 * fires and a baseline `±∞` never does). Optional `bootstrap` mode (the documented interval,
 * parameters unconfirmed): `C = live ± z·se`, violation iff `C` lies wholly outside
 * `[−|b|, |b|]`; falls back to the point rule when `se` is undefined or the live value infinite.
 *
 * Pairing (§9.6 item 1): stage, facet name, metric name, and for a categorical facet the entry's
 * `value_or_threshold`; a continuous facet (an interval string, whose upper bound moves with the
 * data) pairs its single entry whatever the string. Skipped (reported, never a violation): a
 * `null`/NaN value on either side, a metric or entry absent from the baseline.
 */
import type {
  BiasStage,
  ClarifyAnalysis,
  ClarifyFacetEntry,
  ClarifyShapLabel,
} from '../baseline/clarify-analysis.js';
import { attributionNdcg, DEFAULT_NDCG_THRESHOLD } from '../metrics/attribution/ndcg.js';
import { BOOTSTRAP_Z } from '../metrics/bias/bootstrap.js';
import { pythonFloatRepr } from '../metrics/bias/selection.js';

export interface BiasViolation {
  facet: string;
  facet_value: string;
  metric_name: string;
  constraint_check_type: 'bias_drift_check';
  description: string;
}

export interface AttributionViolation {
  label: string;
  metric_name: 'shap';
  constraint_check_type: 'feature_attribution_drift_check';
  description: string;
}

export type BiasCheckMode = 'point' | 'bootstrap';

export interface BiasComparison {
  stage: BiasStage;
  facet: string;
  /** The live entry's value_or_threshold. */
  facetValue: string;
  metric: string;
  baseline: number | null;
  live: number | null;
  /** Bootstrap interval, when that mode had a standard error. */
  interval?: [number, number];
  violation: boolean;
  /** Why no decision was made. */
  skipped?: string;
}

/** Standard error of a live metric (bootstrap mode); `liveEntry` indexes the facet's live entries. */
export type StandardErrorLookup = (
  stage: BiasStage,
  facet: string,
  liveEntry: number,
  metric: string,
) => number | undefined;

export interface BiasCheckOptions {
  mode?: BiasCheckMode;
  standardError?: StandardErrorLookup;
  z?: number;
}

/** Python `str()` of a Clarify metric value as the violation text prints it. */
export function pythonValueText(x: number, integer = false): string {
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (integer && Number.isSafeInteger(x)) return String(x);
  return pythonFloatRepr(x);
}

/** A continuous facet's `value_or_threshold`: `"(lo, hi]"` or the empty string (§9.3). */
function isIntervalString(s: string): boolean {
  return s === '' || (s.startsWith('(') && s.endsWith(']'));
}

function pairEntry(
  baseline: readonly ClarifyFacetEntry[],
  live: ClarifyFacetEntry,
): ClarifyFacetEntry | undefined {
  const same = baseline.find((e) => e.valueOrThreshold === live.valueOrThreshold);
  if (same !== undefined) return same;
  const only = baseline[0];
  if (baseline.length === 1 && only !== undefined && isIntervalString(live.valueOrThreshold)) {
    if (isIntervalString(only.valueOrThreshold)) return only;
  }
  return undefined;
}

const STAGES: readonly BiasStage[] = ['post_training', 'pre_training'];

export function checkBiasDrift(
  baseline: ClarifyAnalysis,
  live: ClarifyAnalysis,
  options: BiasCheckOptions = {},
): { violations: BiasViolation[]; comparisons: BiasComparison[] } {
  const mode = options.mode ?? 'point';
  const z = options.z ?? BOOTSTRAP_Z;
  const violations: BiasViolation[] = [];
  const comparisons: BiasComparison[] = [];
  for (const stage of STAGES) {
    const l = stage === 'pre_training' ? live.preTraining : live.postTraining;
    const b = stage === 'pre_training' ? baseline.preTraining : baseline.postTraining;
    if (l === undefined) continue;
    for (const [facet, liveEntries] of l.facets) {
      const baseEntries = b?.facets.get(facet) ?? [];
      liveEntries.forEach((entry, entryIndex) => {
        const base = pairEntry(baseEntries, entry);
        for (const m of entry.metrics) {
          const bm = base?.metrics.find((x) => x.name === m.name);
          const c: BiasComparison = {
            stage,
            facet,
            facetValue: entry.valueOrThreshold,
            metric: m.name,
            baseline: bm?.value ?? null,
            live: m.value,
            violation: false,
          };
          comparisons.push(c);
          if (base === undefined) {
            c.skipped = 'facet value not in the baseline';
            continue;
          }
          if (bm === undefined) {
            c.skipped = 'metric not in the baseline';
            continue;
          }
          if (bm.value === null || Number.isNaN(bm.value)) {
            c.skipped = `baseline value is null${bm.error ? ` (${bm.error})` : ''}`;
            continue;
          }
          if (m.value === null || Number.isNaN(m.value)) {
            c.skipped = `live value is null${m.error ? ` (${m.error})` : ''}`;
            continue;
          }
          const bound = Math.abs(bm.value);
          const se =
            mode === 'bootstrap' && Number.isFinite(m.value)
              ? options.standardError?.(stage, facet, entryIndex, m.name)
              : undefined;
          if (se !== undefined && Number.isFinite(se)) {
            const lo = m.value - z * se;
            const hi = m.value + z * se;
            c.interval = [lo, hi];
            c.violation = lo > bound || hi < -bound;
          } else {
            c.violation = Math.abs(m.value) > bound;
          }
          if (c.violation) {
            violations.push({
              facet,
              facet_value: entry.valueOrThreshold,
              metric_name: m.name,
              constraint_check_type: 'bias_drift_check',
              description: `Metric value ${pythonValueText(m.value, m.integer)} doesn't meet the baseline constraint requirement ${pythonValueText(bm.value, bm.integer)}`,
            });
          }
        }
      });
    }
  }
  return { violations, comparisons };
}

export interface AttributionComparison {
  label: string;
  ndcg?: number;
  threshold: number;
  violation: boolean;
  skipped?: string;
}

/**
 * Attribution drift (§9.7): per label key present in both files, NDCG of the live global values
 * against the baseline's; violation iff NDCG < threshold (default 0.9). Labels present on one side
 * only, and labels whose baseline values are all 0 (iDCG = 0), are skipped and reported.
 */
export function checkAttributionDrift(
  baseline: ReadonlyMap<string, ClarifyShapLabel>,
  live: ReadonlyMap<string, ClarifyShapLabel>,
  threshold = DEFAULT_NDCG_THRESHOLD,
): { violations: AttributionViolation[]; comparisons: AttributionComparison[] } {
  const violations: AttributionViolation[] = [];
  const comparisons: AttributionComparison[] = [];
  for (const [label, l] of live) {
    const b = baseline.get(label);
    if (b === undefined) {
      comparisons.push({ label, threshold, violation: false, skipped: 'label not in the baseline' });
      continue;
    }
    const r = attributionNdcg(b.globalShapValues, l.globalShapValues);
    if (r === undefined) {
      comparisons.push({
        label,
        threshold,
        violation: false,
        skipped: 'baseline values are all 0 (iDCG = 0)',
      });
      continue;
    }
    const violation = r.ndcg < threshold;
    comparisons.push({ label, ndcg: r.ndcg, threshold, violation });
    if (violation) {
      violations.push({
        label,
        metric_name: 'shap',
        constraint_check_type: 'feature_attribution_drift_check',
        description: `Feature attribution drift ${pythonFloatRepr(r.ndcg)} exceeds threshold ${pythonFloatRepr(threshold)}`,
      });
    }
  }
  for (const label of baseline.keys()) {
    if (!live.has(label))
      comparisons.push({ label, threshold, violation: false, skipped: 'label not in the window' });
  }
  return { violations, comparisons };
}
