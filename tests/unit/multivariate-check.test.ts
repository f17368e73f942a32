/** multivariate_drift_check on merged sums, and its two metrics (issue 14, item 3). */
import { describe, expect, it } from 'vitest';
import { dataQualityMetricData, MULTIVARIATE_METRICS } from '../../src/alerts/data-quality-metrics.js';
import type { DriftCalibration } from '../../src/baseline/drift-calibration.js';
import { checkMultivariate, reconstructionCollector } from '../../src/checks/multivariate.js';
import {
  fitReconstructionBaseline,
  reconstructionBand,
  reconstructionError,
} from '../../src/metrics/multivariate/pca.js';
import { DatasetProfile } from '../../src/metrics/profile/dataset-profile.js';

function calibration(): DriftCalibration {
  // y = x exactly in the fit half; the held-out half has a little noise, so errors have a spread.
  const rows = 2000;
  const xs = Array.from({ length: rows }, (_, i) => Math.sin(i));
  const multivariate = fitReconstructionBaseline(['x', 'y'], rows, (r, c) =>
    c === 0 ? (xs[r] as number) : (xs[r] as number) + (r % 2 === 1 ? 0.01 * Math.cos(r * 7) : 0),
  );
  if (!multivariate) throw new Error('no model');
  return {
    version: 1,
    alarm_rate: 0.05,
    seed: 1,
    replicates: 1,
    sizes: [],
    sample: { method: 'systematic', cap: rows, stride: 1, rows_seen: rows },
    features: [],
    not_calibrated: [],
    multivariate,
  };
}

describe('checkMultivariate', () => {
  it('decides on the mean of the merged parts against the band at the window size', () => {
    const c = calibration();
    const m = c.multivariate!;
    const band = reconstructionBand(m, 400, 1.959963984540054);
    const inside = checkMultivariate(c, { sum: m.error_mean * 400, count: 400 });
    expect(inside?.violation).toBeUndefined();
    expect(inside?.result).toMatchObject({ rows: 400, drift: false, lower: band.lower, upper: band.upper });
    const outside = checkMultivariate(c, { sum: (band.upper + 1e-3) * 400, count: 400 });
    expect(outside?.violation).toMatchObject({
      feature_name: 'multivariate',
      constraint_check_type: 'multivariate_drift_check',
    });
    expect(checkMultivariate(c, { sum: 0, count: 0 })).toBeUndefined();
    expect(checkMultivariate({ ...c, multivariate: undefined }, { sum: 1, count: 1 })).toBeUndefined();
  });

  it('publishes the value and the ratio without a Feature dimension', () => {
    const { datums } = dataQualityMetricData({
      endpoint: 'ep',
      scheduleName: 's',
      timestamp: new Date(0),
      features: [],
      multivariate: { value: 0.3, ratio: 1.5 },
    });
    expect(datums.map((d) => [d.MetricName, d.Value, d.Dimensions?.map((x) => x.Name)])).toEqual([
      [MULTIVARIATE_METRICS.value, 0.3, ['Endpoint', 'MonitoringSchedule']],
      [MULTIVARIATE_METRICS.ratio, 1.5, ['Endpoint', 'MonitoringSchedule']],
    ]);
  });
});

describe('the collector reads the numbers the profile parsed (each cell parsed once)', () => {
  it('addRow hands back every column as parsed, NaN where missing or not a number', () => {
    const profile = new DatasetProfile(['a', 'b', 'c', 'd', 'e']);
    const numbers = new Float64Array(6).fill(7);
    profile.addRow(['1.5', 2, '', 'x', '1e309'], numbers);
    expect(Array.from(numbers)).toEqual([
      1.5,
      2,
      Number.NaN,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NaN,
    ]);
    profile.addRow(['-0', null], numbers);
    expect(Array.from(numbers)).toEqual([0, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    // The profile itself is the one it builds without the array.
    const plain = new DatasetProfile(['a', 'b', 'c', 'd', 'e']);
    plain.addRow(['1.5', 2, '', 'x', '1e309']);
    plain.addRow(['-0', null]);
    expect(profile.toJSON()).toEqual(plain.toJSON());
  });

  it('sums the error of complete rows only, from the numbers alone', () => {
    const c = calibration();
    const profile = new DatasetProfile(['y', 'x']);
    const collector = reconstructionCollector(c.multivariate, profile);
    if (!collector) throw new Error('no collector');
    const numbers = new Float64Array(2);
    profile.addRow(['0.5', '0.25'], numbers);
    collector.add(numbers);
    profile.addRow(['0.5', ''], numbers);
    collector.add(numbers);
    const want = reconstructionError(c.multivariate!.model, [0.25, 0.5]);
    expect(collector.toJSON()).toEqual({ sum: want, count: 1 });
  });
});
