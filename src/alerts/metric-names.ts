/**
 * CloudWatch-safe renderings of untrusted names (feature names, metric names, monitor names).
 *
 * CloudWatch limits (PutMetricData / PutMetricAlarm API reference):
 * - MetricName: 1–255 characters, at least one non-whitespace character, no ASCII control characters.
 * - Dimension Name: 1–255 characters; Dimension Value: 1–1024 ASCII characters, at least one non-whitespace
 *   character, no ASCII control characters.
 * - AlarmName: 1–255 characters, no ASCII control characters.
 *
 * The rendering (`safeNamePart`):
 * 1. Every run of characters outside `[A-Za-z0-9_.-]` becomes one `_`.
 * 2. If anything was replaced, the text had to be truncated, or the result is empty, `_` + the first 8 hex
 *    digits of SHA-256(UTF-8 of the original name) is appended (the base is shortened to make room).
 * So a name made only of `[A-Za-z0-9_.-]` that fits is kept verbatim (`age` → `age`), and any other name
 * maps to a stable, readable, collision-resistant form (`plan type` → `plan_type_1c5e0e64`, `__proto__`
 * is kept as is, `<script>` → `_script__a1b2c3d4`). Two different names give the same rendering only if
 * their hashes collide or a verbatim name happens to equal another name's rendering (ends in `_<8 hex>`):
 * "injective enough", and alarm sync detects any collision of alarm names explicitly.
 *
 * The `Feature` dimension keeps the real feature name whenever it is a valid dimension value
 * (`featureDimensionValue`), so dashboards show the real name; only the metric *name* uses the rendering.
 */
import { createHash } from 'node:crypto';

/** CloudWatch's limit for metric names, dimension names and alarm names. */
export const MAX_NAME_LENGTH = 255;
/** CloudWatch's limit for dimension values. */
export const MAX_DIMENSION_VALUE_LENGTH = 1024;
/** Length of the hash suffix `_xxxxxxxx`. */
const HASH_SUFFIX_LENGTH = 9;

/** The longest data-quality metric prefix (§7.2): `feature_estimated_unique_values_`. */
export const LONGEST_FEATURE_METRIC_PREFIX = 'feature_estimated_unique_values_';

/** Budget for the feature part of a data-quality metric name, so every `<prefix><f>` fits in 255. */
export const MAX_FEATURE_PART_LENGTH = MAX_NAME_LENGTH - LONGEST_FEATURE_METRIC_PREFIX.length;

function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8);
}

/**
 * `name` rendered with `[A-Za-z0-9_.-]` only, at most `maxLength` characters (≥ 10), stable across runs.
 * See the module comment for the rule.
 */
export function safeNamePart(name: string, maxLength: number = MAX_NAME_LENGTH): string {
  if (!Number.isInteger(maxLength) || maxLength < HASH_SUFFIX_LENGTH + 1) {
    throw new RangeError(`maxLength must be an integer ≥ ${HASH_SUFFIX_LENGTH + 1}, got ${maxLength}`);
  }
  const replaced = name.replace(/[^A-Za-z0-9_.-]+/g, '_');
  if (replaced === name && name.length > 0 && name.length <= maxLength) return name;
  const base = replaced.slice(0, maxLength - HASH_SUFFIX_LENGTH);
  return `${base}_${shortHash(name)}`;
}

/** The feature part shared by every data-quality metric of one feature (`feature_data_<part>`, ...). */
export function featureMetricPart(featureName: string): string {
  return safeNamePart(featureName, MAX_FEATURE_PART_LENGTH);
}

/** `<prefix><feature part>`, e.g. `featureMetricName('feature_baseline_drift_', 'plan type')`. */
export function featureMetricName(prefix: string, featureName: string): string {
  if (prefix.length > LONGEST_FEATURE_METRIC_PREFIX.length) {
    throw new RangeError(`metric prefix longer than ${LONGEST_FEATURE_METRIC_PREFIX.length}: ${prefix}`);
  }
  return `${prefix}${featureMetricPart(featureName)}`;
}

/** True when `value` is accepted by CloudWatch as a dimension value as it is. */
export function isValidDimensionValue(value: string): boolean {
  return (
    value.length >= 1 &&
    value.length <= MAX_DIMENSION_VALUE_LENGTH &&
    // printable ASCII only (no control characters, no non-ASCII), not all whitespace
    /^[\x20-\x7e]+$/.test(value) &&
    /\S/.test(value)
  );
}

/** A dimension value: `value` itself when valid, else its `safeNamePart` rendering. */
export function dimensionValue(value: string): string {
  return isValidDimensionValue(value) ? value : safeNamePart(value, MAX_NAME_LENGTH);
}

/** The `Feature` dimension value: the real feature name where valid (see `dimensionValue`). */
export function featureDimensionValue(featureName: string): string {
  return dimensionValue(featureName);
}

/** True when `name` is a valid CloudWatch metric name as it is. */
export function isValidMetricName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= MAX_NAME_LENGTH &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    !/[\u0000-\u001f\u007f]/.test(name) &&
    /\S/.test(name) &&
    !name.startsWith(':')
  );
}
