import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dimensionValue,
  featureDimensionValue,
  featureMetricName,
  isValidDimensionValue,
  isValidMetricName,
  LONGEST_FEATURE_METRIC_PREFIX,
  safeNamePart,
} from '../../src/alerts/metric-names.js';

describe('safeNamePart', () => {
  it('keeps names made of [A-Za-z0-9_.-] verbatim', () => {
    expect(safeNamePart('age')).toBe('age');
    expect(safeNamePart('_c0')).toBe('_c0');
    expect(safeNamePart('__proto__')).toBe('__proto__');
    expect(safeNamePart('a.b-c_D9')).toBe('a.b-c_D9');
  });

  it('replaces runs of other characters by one underscore and appends a hash of the original', () => {
    const out = safeNamePart('plan type');
    expect(out).toMatch(/^plan_type_[0-9a-f]{8}$/);
    expect(safeNamePart('<script>')).toMatch(/^_script__[0-9a-f]{8}$/);
    expect(safeNamePart('prix €/kg')).toMatch(/^prix_kg_[0-9a-f]{8}$/);
    // control characters, emoji (surrogate pairs), empty name
    expect(safeNamePart('a\u0000b\n')).toMatch(/^a_b__[0-9a-f]{8}$/);
    expect(safeNamePart('😀')).toMatch(/^__[0-9a-f]{8}$/);
    expect(safeNamePart('')).toMatch(/^_[0-9a-f]{8}$/);
  });

  it('is stable and distinguishes names that render alike', () => {
    expect(safeNamePart('plan type')).toBe(safeNamePart('plan type'));
    expect(safeNamePart('plan type')).not.toBe(safeNamePart('plan/type'));
    expect(safeNamePart('a b')).not.toBe(safeNamePart('a_b'));
  });

  it('truncates long names with a hash so the result fits', () => {
    const long = 'x'.repeat(300);
    const out = safeNamePart(long, 100);
    expect(out).toHaveLength(100);
    expect(out).toMatch(/^x{91}_[0-9a-f]{8}$/);
    expect(safeNamePart(`${'x'.repeat(299)}y`, 100)).not.toBe(out);
  });

  it('always yields a valid metric name within the limit, for any string (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 10, max: 255 }),
        (name, max) => {
          const out = safeNamePart(name, max);
          expect(out.length).toBeGreaterThan(0);
          expect(out.length).toBeLessThanOrEqual(max);
          expect(out).toMatch(/^[A-Za-z0-9_.-]+$/);
          expect(isValidMetricName(out)).toBe(true);
          expect(isValidDimensionValue(out)).toBe(true);
          expect(safeNamePart(name, max)).toBe(out);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });

  it('rejects a maxLength too small for the hash', () => {
    expect(() => safeNamePart('x', 5)).toThrow(RangeError);
  });
});

describe('feature metric names', () => {
  it('names every §7.2 metric of one feature with the same feature part, within 255 characters', () => {
    const f = `${'é'.repeat(300)}`;
    const longest = featureMetricName(LONGEST_FEATURE_METRIC_PREFIX, f);
    const drift = featureMetricName('feature_baseline_drift_', f);
    expect(longest.length).toBeLessThanOrEqual(255);
    expect(longest.slice(LONGEST_FEATURE_METRIC_PREFIX.length)).toBe(
      drift.slice('feature_baseline_drift_'.length),
    );
    expect(featureMetricName('feature_data_', 'age')).toBe('feature_data_age');
  });

  it('keeps the real name in the Feature dimension when CloudWatch accepts it', () => {
    expect(featureDimensionValue('plan type')).toBe('plan type');
    expect(featureDimensionValue('<script>')).toBe('<script>');
    expect(featureDimensionValue('prix €')).toMatch(/^prix__[0-9a-f]{8}$/);
    expect(featureDimensionValue('   ')).toMatch(/^__[0-9a-f]{8}$/);
    expect(featureDimensionValue('a\tb')).toMatch(/^a_b_[0-9a-f]{8}$/);
    expect(dimensionValue('x'.repeat(1024))).toBe('x'.repeat(1024));
    expect(dimensionValue('x'.repeat(1025))).toHaveLength(255);
  });

  it('validates metric names as CloudWatch does', () => {
    expect(isValidMetricName('feature_data_age')).toBe(true);
    expect(isValidMetricName('')).toBe(false);
    expect(isValidMetricName('   ')).toBe(false);
    expect(isValidMetricName(':x')).toBe(false);
    expect(isValidMetricName('a\u0001')).toBe(false);
    expect(isValidMetricName('x'.repeat(256))).toBe(false);
  });
});
