/**
 * constraints.json (data quality, spec §4): suggested from a baseline profile, written in SageMaker's shape,
 * and read back (ours, SageMaker's, and the older SDK variants) with validation naming file and field.
 *
 * Reading normalises what the spec allows in several places:
 * - per-feature overrides from `monitoringConfigOverrides` (docs), `string_constraints.monitoring_config_overrides`
 *   (SDK) or `num_constraints.monitoring_config_overrides`; the later ones win key by key;
 * - `distribution_constraints` legacy keys: `enable_comparisons` (bool) → `perform_comparison`;
 *   `min_domain_mass` is ignored (no documented meaning in the current format);
 * - defaults of spec §4.3 for absent keys (`datatype_check_threshold` and `domain_content_threshold` 1.0,
 *   as SageMaker's generated files and container do; the docs table's 0.1 is the unconfirmed alternative).
 */

import { driftOptionsFromOverrides } from '../metrics/drift/overrides.js';
import { DRIFT_MODES, type DriftMode } from '../metrics/drift/types.js';
import type { ColumnProfile } from '../metrics/profile/column-profile.js';
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';
import { float, toJackson } from './jackson.js';
import { parseJsonFile, Validator } from './json-validator.js';
import { type SageMakerType, sageMakerType, type TypeOverrides } from './statistics.js';

/** `Enabled` or `Disabled`, as SageMaker spells its switches. */
export type Toggle = 'Enabled' | 'Disabled';

/** `constraints.json` `monitoring_config`: the checks' global settings (spec §4). */
export interface MonitoringConfig {
  evaluate_constraints: Toggle;
  emit_metrics: Toggle;
  datatype_check_threshold: number;
  domain_content_threshold: number;
  distribution_constraints: {
    perform_comparison: Toggle;
    comparison_threshold: number;
    comparison_method: 'Robust' | 'Simple';
    categorical_comparison_threshold: number;
    categorical_drift_method: 'LInfinity' | 'ChiSquared';
    /**
     * driftwatch extension: `sagemaker` (default, also when absent) decides baseline drift with SageMaker's
     * rule above; `calibrated` with the test and thresholds calibrated on the training data
     * (`driftwatch_calibration.json` beside the baseline, see `baseline/drift-calibration.ts`).
     */
    drift_mode?: DriftMode;
  };
}

export { DRIFT_MODES, type DriftMode } from '../metrics/drift/types.js';

/** A feature's `monitoringConfigOverrides` in `constraints.json`: per-feature check and drift settings. */
export interface FeatureOverrides {
  evaluate_constraints?: Toggle;
  emit_metrics?: Toggle;
  /** Optional numbers honoured per feature (driftwatch extension; SageMaker's set is unconfirmed). */
  comparison_threshold?: number;
  categorical_comparison_threshold?: number;
  comparison_method?: 'Robust' | 'Simple';
  categorical_drift_method?: 'LInfinity' | 'ChiSquared';
  /**
   * driftwatch extension: a test of the drift library instead of L-infinity (a registry id, e.g. `psi`,
   * `ks`, `jensen_shannon`), with its threshold (α for p-value tests, else in the test's unit) and minimum
   * sample size. Validated against the feature's kind when the file is read.
   */
  drift_test?: string;
  drift_threshold?: number;
  drift_min_sample_size?: number;
  /** driftwatch extension: this feature's drift mode (see `distribution_constraints.drift_mode`). */
  drift_mode?: DriftMode;
}

/** One feature of `constraints.json`: its type, completeness and value constraints. */
export interface FeatureConstraint {
  name: string;
  inferred_type: SageMakerType;
  completeness?: number;
  num_constraints?: { is_non_negative?: boolean };
  string_constraints?: { domains?: string[] };
  /** Normalised overrides (wherever the file put them). */
  overrides: FeatureOverrides;
}

/** The `constraints.json` document (spec §4). */
export interface Constraints {
  version: number;
  features: FeatureConstraint[];
  monitoring_config: MonitoringConfig;
}

export function defaultMonitoringConfig(): MonitoringConfig {
  return {
    evaluate_constraints: 'Enabled',
    emit_metrics: 'Enabled',
    datatype_check_threshold: 1.0,
    domain_content_threshold: 1.0,
    distribution_constraints: {
      perform_comparison: 'Enabled',
      comparison_threshold: 0.1,
      comparison_method: 'Robust',
      categorical_comparison_threshold: 0.1,
      categorical_drift_method: 'LInfinity',
    },
  };
}

/**
 * Deequ's CategoricalRangeRule: a String column gets `domains` when its categories are all known and at most
 * 10% of its distinct values occur exactly once.
 */
export function suggestDomains(column: ColumnProfile): string[] | undefined {
  if (!column.categoriesComplete || column.categoriesOverflow > 0 || column.categories.size === 0)
    return undefined;
  let unique = 0;
  for (const count of column.categories.values()) if (count === 1) unique++;
  if (unique / column.categories.size > 0.1) return undefined;
  return [...column.categories.keys()].sort();
}

/**
 * The constraints SageMaker's baselining job suggests for a profile: each column's inferred type,
 * completeness (share of rows present), non-negativity and the string domain (spec §4).
 */
export function suggestConstraints(
  profile: DatasetProfile,
  monitoringConfig = defaultMonitoringConfig(),
  overrides?: TypeOverrides,
): Constraints {
  const features = profile.columns.map((column): FeatureConstraint => {
    const type = sageMakerType(column, overrides);
    const out: FeatureConstraint = {
      name: column.name,
      inferred_type: type,
      completeness: profile.itemCount === 0 ? 0 : column.numPresent / profile.itemCount,
      overrides: {},
    };
    if ((type === 'Integral' || type === 'Fractional') && column.moments.count > 0) {
      out.num_constraints = { is_non_negative: column.moments.min >= 0 };
    }
    if (type === 'String') {
      const domains = suggestDomains(column);
      if (domains) out.string_constraints = { domains };
    }
    return out;
  });
  return { version: 0, features, monitoring_config: monitoringConfig };
}

/** `constraints.json` text, written as SageMaker (Jackson) writes it. */
export function renderConstraints(c: Constraints): string {
  const mc = c.monitoring_config;
  return toJackson({
    version: float(c.version),
    features: c.features.map((f) => ({
      name: f.name,
      inferred_type: f.inferred_type,
      completeness: f.completeness === undefined ? undefined : float(f.completeness),
      num_constraints: f.num_constraints,
      string_constraints: f.string_constraints,
      monitoringConfigOverrides: Object.keys(f.overrides).length > 0 ? f.overrides : undefined,
    })),
    monitoring_config: {
      evaluate_constraints: mc.evaluate_constraints,
      emit_metrics: mc.emit_metrics,
      datatype_check_threshold: float(mc.datatype_check_threshold),
      domain_content_threshold: float(mc.domain_content_threshold),
      distribution_constraints: {
        perform_comparison: mc.distribution_constraints.perform_comparison,
        comparison_threshold: float(mc.distribution_constraints.comparison_threshold),
        comparison_method: mc.distribution_constraints.comparison_method,
        categorical_comparison_threshold: float(mc.distribution_constraints.categorical_comparison_threshold),
        categorical_drift_method: mc.distribution_constraints.categorical_drift_method,
        drift_mode: mc.distribution_constraints.drift_mode,
      },
    },
  });
}

const TOGGLES = ['Enabled', 'Disabled'] as const;
const TYPES = ['Integral', 'Fractional', 'String', 'Unknown'] as const;

function readOverrides(v: Validator, raw: unknown, field: string, into: FeatureOverrides): void {
  if (raw === undefined || raw === null) return;
  const o = v.object(raw, field);
  if (o.evaluate_constraints !== undefined)
    into.evaluate_constraints = v.oneOf(o.evaluate_constraints, `${field}.evaluate_constraints`, TOGGLES);
  if (o.emit_metrics !== undefined)
    into.emit_metrics = v.oneOf(o.emit_metrics, `${field}.emit_metrics`, TOGGLES);
  if (o.comparison_threshold !== undefined)
    into.comparison_threshold = v.number(o.comparison_threshold, `${field}.comparison_threshold`);
  if (o.categorical_comparison_threshold !== undefined) {
    into.categorical_comparison_threshold = v.number(
      o.categorical_comparison_threshold,
      `${field}.categorical_comparison_threshold`,
    );
  }
  if (o.comparison_method !== undefined)
    into.comparison_method = v.oneOf(o.comparison_method, `${field}.comparison_method`, [
      'Robust',
      'Simple',
    ] as const);
  if (o.drift_test !== undefined) into.drift_test = v.string(o.drift_test, `${field}.drift_test`);
  if (o.drift_threshold !== undefined)
    into.drift_threshold = v.number(o.drift_threshold, `${field}.drift_threshold`);
  if (o.drift_min_sample_size !== undefined) {
    into.drift_min_sample_size = v.number(o.drift_min_sample_size, `${field}.drift_min_sample_size`);
  }
  readDriftMethod(v, o, field, into);
}

/** `drift_mode` and `categorical_drift_method`, as `distribution_constraints` and a feature's overrides give them. */
function readDriftMethod(
  v: Validator,
  o: Record<string, unknown>,
  field: string,
  into: Pick<FeatureOverrides, 'drift_mode' | 'categorical_drift_method'>,
): void {
  if (o.drift_mode !== undefined) into.drift_mode = v.oneOf(o.drift_mode, `${field}.drift_mode`, DRIFT_MODES);
  if (o.categorical_drift_method !== undefined) {
    into.categorical_drift_method = v.oneOf(o.categorical_drift_method, `${field}.categorical_drift_method`, [
      'LInfinity',
      'ChiSquared',
    ] as const);
  }
}

/**
 * Parses and validates a `constraints.json` text; `file` names it in errors.
 * @throws ConfigError naming the file and field.
 */
export function parseConstraints(text: string, file: string): Constraints {
  const v: Validator = new Validator(file);
  const root = v.object(parseJsonFile(text, file), '(root)');
  const version = root.version === undefined ? 0 : v.number(root.version, 'version');
  const mc = defaultMonitoringConfig();
  if (root.monitoring_config !== undefined) {
    const m = v.object(root.monitoring_config, 'monitoring_config');
    if (m.evaluate_constraints !== undefined)
      mc.evaluate_constraints = v.oneOf(
        m.evaluate_constraints,
        'monitoring_config.evaluate_constraints',
        TOGGLES,
      );
    if (m.emit_metrics !== undefined)
      mc.emit_metrics = v.oneOf(m.emit_metrics, 'monitoring_config.emit_metrics', TOGGLES);
    for (const key of ['datatype_check_threshold', 'domain_content_threshold'] as const) {
      if (m[key] !== undefined) {
        const x = v.number(m[key], `monitoring_config.${key}`);
        if (x < 0 || x > 1) v.fail(`monitoring_config.${key}`, `expected a number between 0 and 1, got ${x}`);
        mc[key] = x;
      }
    }
    if (m.distribution_constraints !== undefined) {
      const p = 'monitoring_config.distribution_constraints';
      const d = v.object(m.distribution_constraints, p);
      const dc = mc.distribution_constraints;
      if (d.perform_comparison !== undefined)
        dc.perform_comparison = v.oneOf(d.perform_comparison, `${p}.perform_comparison`, TOGGLES);
      else if (typeof d.enable_comparisons === 'boolean')
        dc.perform_comparison = d.enable_comparisons ? 'Enabled' : 'Disabled';
      if (d.comparison_threshold !== undefined)
        dc.comparison_threshold = v.number(d.comparison_threshold, `${p}.comparison_threshold`);
      if (d.comparison_method !== undefined)
        dc.comparison_method = v.oneOf(d.comparison_method, `${p}.comparison_method`, [
          'Robust',
          'Simple',
        ] as const);
      dc.categorical_comparison_threshold =
        d.categorical_comparison_threshold !== undefined
          ? v.number(d.categorical_comparison_threshold, `${p}.categorical_comparison_threshold`)
          : dc.comparison_threshold;
      readDriftMethod(v, d, p, dc);
    }
  }
  const features = (root.features === undefined ? [] : v.array(root.features, 'features')).map(
    (raw, i): FeatureConstraint => {
      const at = `features[${i}]`;
      const f = v.object(raw, at);
      const out: FeatureConstraint = {
        name: v.string(f.name, `${at}.name`),
        inferred_type: v.oneOf(
          f.inferred_type === 'Boolean' ? 'String' : f.inferred_type,
          `${at}.inferred_type`,
          TYPES,
        ),
        overrides: {},
      };
      if (f.completeness !== undefined) {
        const c = v.number(f.completeness, `${at}.completeness`);
        if (c < 0 || c > 1) v.fail(`${at}.completeness`, `expected a number between 0 and 1, got ${c}`);
        out.completeness = c;
      }
      if (f.num_constraints !== undefined) {
        const n = v.object(f.num_constraints, `${at}.num_constraints`);
        out.num_constraints = {};
        if (n.is_non_negative !== undefined) {
          if (typeof n.is_non_negative !== 'boolean')
            v.fail(`${at}.num_constraints.is_non_negative`, 'expected true or false');
          out.num_constraints.is_non_negative = n.is_non_negative;
        }
        readOverrides(
          v,
          n.monitoring_config_overrides,
          `${at}.num_constraints.monitoring_config_overrides`,
          out.overrides,
        );
      }
      if (f.string_constraints !== undefined) {
        const s = v.object(f.string_constraints, `${at}.string_constraints`);
        out.string_constraints = {};
        if (s.domains !== undefined) {
          out.string_constraints.domains = v
            .array(s.domains, `${at}.string_constraints.domains`)
            .map((d, j) =>
              typeof d === 'string'
                ? d
                : v.fail(`${at}.string_constraints.domains[${j}]`, 'expected a string'),
            );
        }
        readOverrides(
          v,
          s.monitoring_config_overrides,
          `${at}.string_constraints.monitoring_config_overrides`,
          out.overrides,
        );
      }
      readOverrides(v, f.monitoringConfigOverrides, `${at}.monitoringConfigOverrides`, out.overrides);
      readOverrides(v, f.monitoring_config_overrides, `${at}.monitoring_config_overrides`, out.overrides);
      const { drift_test, drift_threshold, drift_min_sample_size } = out.overrides;
      if (drift_test !== undefined || drift_threshold !== undefined || drift_min_sample_size !== undefined) {
        const kind = out.inferred_type === 'String' ? 'categorical' : 'numeric';
        driftOptionsFromOverrides({ drift_test, drift_threshold, drift_min_sample_size }, kind, {
          file,
          field: `${at}.monitoringConfigOverrides`,
        });
      }
      return out;
    },
  );
  return { version, features, monitoring_config: mc };
}
