/** The violated checks of an execution, with the numbers on-call needs (maps profiles onto alerts/violation-details). */
import { type ViolationDetail, violationDetail } from '../alerts/violation-details.js';
import type { Baseline } from '../baseline/read.js';
import { categoriesOf, sketchOf } from '../baseline/statistics.js';
import type { DataQualityResult } from '../checks/data-quality.js';
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';

export function describeViolations(
  result: DataQualityResult,
  baseline: Baseline,
  current: DatasetProfile,
): ViolationDetail[] {
  const stats = new Map(baseline.statistics.features.map((f) => [f.name, f]));
  return result.violations.map((v) => {
    const feature = stats.get(v.feature_name);
    const column = current.column(v.feature_name);
    const moved =
      v.constraint_check_type === 'baseline_drift_check' ||
      v.constraint_check_type === 'categorical_values_check';
    const sketch = feature && moved ? sketchOf(feature) : undefined;
    return violationDetail({
      feature: v.feature_name,
      checkType: v.constraint_check_type,
      description: v.description,
      baselineValue: v.baselineValue,
      currentValue: v.currentValue,
      threshold: v.threshold,
      ...(feature && column && moved && sketch && column.moments.count > 0
        ? {
            quantiles: {
              baseline: (q: number) => sketch.quantile(q),
              current: (q: number) => column.kll.quantile(q),
            },
          }
        : {}),
      ...(feature && column && moved && !sketch
        ? { categories: { baseline: categoriesOf(feature), current: column.categories } }
        : {}),
    });
  });
}
