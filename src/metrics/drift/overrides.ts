/**
 * Per-feature drift overrides as they appear in constraints.json (driftwatch extension, inside a feature's
 * `monitoringConfigOverrides` or the SDK's `*_constraints.monitoring_config_overrides`):
 *
 *   "monitoringConfigOverrides": { "drift_test": "psi", "drift_threshold": 0.2, "drift_min_sample_size": 100 }
 *
 * - `drift_test`: the feature's default test (a registry id that applies to the feature's kind);
 * - `drift_threshold`: its threshold (α for p-value tests, t in the test's unit for distances);
 * - `drift_min_sample_size`: the minimum-sample guard for this feature.
 * Unknown keys are left to their owners; a bad value is one ConfigError naming the file and field.
 */
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { zodConfigError } from '../../core/zod-error.js';
import type { FeatureDriftOptions } from './feature.js';
import { DRIFT_TEST_IDS, DRIFT_TESTS, type DriftTestId, isDriftTestId } from './registry.js';
import type { FeatureKind } from './types.js';

export const driftOverridesSchema = z.object({
  drift_test: z.string().optional(),
  drift_threshold: z.number().positive().finite().optional(),
  drift_min_sample_size: z.number().int().positive().optional(),
});

export type DriftOverrides = z.infer<typeof driftOverridesSchema>;

export function driftOptionsFromOverrides(
  overrides: unknown,
  kind: FeatureKind,
  where: { file?: string; field?: string } = {},
): FeatureDriftOptions {
  if (overrides === undefined || overrides === null) return {};
  const parsed = driftOverridesSchema.safeParse(overrides);
  if (!parsed.success) throw zodConfigError(parsed.error, where);
  const o = parsed.data;
  const options: FeatureDriftOptions = {};
  if (o.drift_test !== undefined) {
    const id = o.drift_test;
    if (!isDriftTestId(id)) {
      throw new ConfigError(`unknown drift test '${id}'; known tests: ${DRIFT_TEST_IDS.join(', ')}`, {
        ...where,
        field: [where.field, 'drift_test'].filter(Boolean).join('.'),
      });
    }
    if (!(DRIFT_TESTS[id].kinds as readonly FeatureKind[]).includes(kind)) {
      throw new ConfigError(`drift test '${id}' does not apply to ${kind} features`, {
        ...where,
        field: [where.field, 'drift_test'].filter(Boolean).join('.'),
      });
    }
    options.defaultTest = id as DriftTestId;
    if (o.drift_threshold !== undefined) options.thresholds = { [id]: o.drift_threshold };
  } else if (o.drift_threshold !== undefined) {
    throw new ConfigError('drift_threshold needs drift_test (a threshold means nothing without its test)', {
      ...where,
      field: [where.field, 'drift_threshold'].filter(Boolean).join('.'),
    });
  }
  if (o.drift_min_sample_size !== undefined) options.minSampleSize = o.drift_min_sample_size;
  return options;
}
