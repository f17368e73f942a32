import { describe, expect, it } from 'vitest';
import { parseModelQualityConstraints } from '../../src/baseline/model-quality-files.js';
import { formatPath } from '../../src/core/zod-error.js';
import { driftOptionsFromOverrides } from '../../src/metrics/drift/overrides.js';
import { errorOf } from '../support/config-error.js';

describe('zod → ConfigError (core/zod-error.ts)', () => {
  it('reports every issue of a file at once, the first as the field', () => {
    const text = JSON.stringify({
      regression_constraints: { mae: { threshold: 'x', comparison_operator: 'Bigger' } },
    });
    const error = errorOf(() => parseModelQualityConstraints(text, 'c.json'));
    expect(error.file).toBe('c.json');
    expect(error.field).toBe('regression_constraints.mae.threshold');
    expect(error.message).toContain('\n  regression_constraints.mae.comparison_operator: ');
  });

  it('prefixes the caller field', () => {
    const error = errorOf(() =>
      driftOptionsFromOverrides(
        { drift_test: 'ks', drift_threshold: -1, drift_min_sample_size: 0.5 },
        'numeric',
        {
          file: 'constraints.json',
          field: 'features[0].monitoringConfigOverrides',
        },
      ),
    );
    expect(error.field).toBe('features[0].monitoringConfigOverrides.drift_threshold');
    expect(error.message).toContain('\n  features[0].monitoringConfigOverrides.drift_min_sample_size: ');
    expect(error.message.split('\n')).toHaveLength(2);
  });

  it('formats paths with indexes', () => {
    expect(formatPath(['monitors', 2, 'window', 'start'])).toBe('monitors[2].window.start');
    expect(formatPath([])).toBe('');
  });
});
