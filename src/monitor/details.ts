/** The violated checks of an execution, with the numbers on-call needs (execution summary). */
import type { Baseline } from '../baseline/read.js';
import { categoriesOf, sketchOf } from '../baseline/statistics.js';
import type { DataQualityResult } from '../checks/data-quality.js';
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';

const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

export interface ViolatedCheck {
  feature: string;
  check: string;
  description: string;
  baselineValue?: number;
  currentValue?: number;
  threshold?: number;
  method?: string;
  /** Numeric drift: quantiles of the baseline and the window. */
  quantiles?: Array<{ q: number; baseline: number; current: number }>;
  /** Categorical drift or domain: the categories whose share moved most. */
  topMovedCategories?: Array<{ value: string; baselineShare: number; currentShare: number }>;
}

export function describeViolations(result: DataQualityResult, baseline: Baseline, current: DatasetProfile): ViolatedCheck[] {
  const stats = new Map(baseline.statistics.features.map((f) => [f.name, f]));
  return result.violations.map((v) => {
    const out: ViolatedCheck = { feature: v.feature_name, check: v.constraint_check_type, description: v.description };
    if (v.baselineValue !== undefined) out.baselineValue = v.baselineValue;
    if (v.currentValue !== undefined) out.currentValue = v.currentValue;
    if (v.threshold !== undefined) out.threshold = v.threshold;
    if (v.method !== undefined) out.method = v.method;
    const feature = stats.get(v.feature_name);
    const column = current.column(v.feature_name);
    if (!feature || !column) return out;
    if (v.constraint_check_type !== 'baseline_drift_check' && v.constraint_check_type !== 'categorical_values_check') return out;
    const sketch = sketchOf(feature);
    if (sketch && column.moments.count > 0) {
      out.quantiles = QUANTILES.map((q) => ({ q, baseline: sketch.quantile(q), current: column.kll.quantile(q) }));
    } else {
      const base = categoriesOf(feature);
      let nb = 0;
      for (const c of base.values()) nb += c;
      const nc = column.numPresent;
      const keys = new Set([...base.keys(), ...column.categories.keys()]);
      out.topMovedCategories = [...keys]
        .map((value) => ({ value, baselineShare: nb ? (base.get(value) ?? 0) / nb : 0, currentShare: nc ? (column.categories.get(value) ?? 0) / nc : 0 }))
        .sort((a, b) => Math.abs(b.currentShare - b.baselineShare) - Math.abs(a.currentShare - a.baselineShare))
        .slice(0, 5);
    }
    return out;
  });
}
