/** multivariate_drift_check on merged sums, and its two metrics (issue 14, item 3). */
import { describe, expect, it } from 'vitest';
import { dataQualityMetricData, MULTIVARIATE_METRICS } from '../../src/alerts/data-quality-metrics.js';
import {
  calibrateBaseline,
  calibrationFeatures,
  type DriftCalibration,
  parseDriftCalibration,
} from '../../src/baseline/drift-calibration.js';
import { statisticsFromProfile } from '../../src/baseline/statistics.js';
import { checkMultivariate, reconstructionCollector, scoredRowsCap } from '../../src/checks/multivariate.js';
import { mulberry32, normalSampler } from '../../src/core/random.js';
import { OrderedDatasetSample } from '../../src/metrics/drift/ordered-sample.js';
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
    // The numbers come from the profile: the cells are not read for numeric columns.
    profile.addRow(['0.5', '0.25'], numbers);
    expect(collector.sample()).toBe(true);
    collector.add(numbers, ['not read', 'not read']);
    profile.addRow(['0.5', ''], numbers);
    expect(collector.sample()).toBe(true);
    collector.add(numbers, ['0.5', '']);
    const want = reconstructionError(c.multivariate!.model, [0.25, 0.5]);
    expect(collector.toJSON().count).toBe(1);
    expect(collector.toJSON().sum).toBeCloseTo(want, 12);
  });
});

describe('the collector on large windows (a uniform random subsample past twice the cap)', () => {
  /** Feeds `n` rows; row i's (x, y) from `row(i)`; returns the JSON and how many rows were sampled. */
  function collect(n: number, row: (i: number) => [number, number], expected?: number) {
    const c = calibration();
    const profile = new DatasetProfile(['y', 'x']);
    const collector = reconstructionCollector(c.multivariate, profile);
    if (!collector) throw new Error('no collector');
    if (expected !== undefined) collector.expectRows(expected);
    const numbers = new Float64Array(2);
    let sampled = 0;
    let all = 0;
    const errorOf = (x: number, y: number) => reconstructionError(c.multivariate!.model, [x, y]);
    for (let i = 0; i < n; i++) {
      const [x, y] = row(i);
      all += errorOf(x, y);
      if (!collector.sample()) continue;
      sampled++;
      numbers[0] = y;
      numbers[1] = x;
      collector.add(numbers, []);
    }
    return { json: collector.toJSON(), sampled, allMean: all / n, cap: scoredRowsCap(c.multivariate!) };
  }

  it('scores every row of a window below twice the cap, and 1–2 caps of rows past it', () => {
    const cap = scoredRowsCap(calibration().multivariate!);
    expect(cap).toBe(20_000);
    const small = collect(2 * cap - 1, (i) => [Math.sin(i), Math.sin(i) + 0.01 * Math.cos(3 * i)]);
    expect(small.sampled).toBe(2 * cap - 1);
    expect(small.json.count).toBe(2 * cap - 1);
    const large = collect(300_000, (i) => [Math.sin(i), Math.sin(i) + 0.01 * Math.cos(3 * i)]);
    expect(large.json.count).toBeGreaterThanOrEqual(cap);
    expect(large.json.count).toBeLessThan(2 * cap);
    // Rows are drawn at the final rate only from then on: far fewer than scoring every row.
    expect(large.sampled).toBeLessThan(0.4 * 300_000);
    // The same rows every time (a fixed seed).
    expect(collect(300_000, (i) => [Math.sin(i), Math.sin(i) + 0.01 * Math.cos(3 * i)]).json).toEqual(
      large.json,
    );
  });

  it('told the rows to expect, samples at the final rate from the first row', () => {
    const cap = scoredRowsCap(calibration().multivariate!);
    const row = (i: number): [number, number] => [Math.sin(i), Math.sin(i) + 0.01 * Math.cos(3 * i)];
    const told = collect(300_000, row, 300_000);
    // 300,000 / 2^3 = 37,500 rows expected, between one and two caps; none scored in vain.
    expect(told.json.count).toBeGreaterThanOrEqual(cap);
    expect(told.json.count).toBeLessThan(2 * cap);
    expect(told.sampled).toBe(told.json.count);
    // Fewer rows than expected only lowers the rate: what is kept is still a uniform sample.
    expect(collect(1000, row, 300_000).json.count).toBeLessThan(1000);
  });

  it('keeps rows from the whole window, not its first ones: the mean matches the whole window within sampling error', () => {
    // Errors near 0 in the first half (y = x), near 0.05 in the second (y = x + noise): a sample of the
    // first rows would give ~0, a uniform one half of the whole window's mean ± a few percent.
    const n = 400_000;
    const row = (i: number): [number, number] =>
      i < n / 2 ? [Math.sin(i), Math.sin(i)] : [Math.sin(i), Math.sin(i) + 0.1 * Math.cos(7 * i)];
    for (const expected of [undefined, n]) {
      const { json, allMean } = collect(n, row, expected);
      const mean = json.sum / json.count;
      expect(allMean).toBeGreaterThan(0.01);
      expect(Math.abs(mean - allMean) / allMean).toBeLessThan(0.03);
    }
  });
});

describe('categorical features in the PCA (one-hot of the frequent categories)', () => {
  /** x ~ N(0,1); c = 'hi' when x > 0 else 'lo' (or the reverse when flipped), 'rare' on 0.5% of rows. */
  function rows(seed: number, n: number, flipped: boolean): Array<[number, string]> {
    const rand = mulberry32(seed);
    const normal = normalSampler(rand);
    return Array.from({ length: n }, () => {
      const x = normal();
      const rare = rand() < 0.005;
      const hi = flipped ? x <= 0 : x > 0;
      return [x, rare ? 'rare' : hi ? 'hi' : 'lo'];
    });
  }

  function calibrated(train: Array<[number, string]>, hashed = false) {
    const columns = ['x', 'c'];
    const profile = new DatasetProfile(columns);
    const sample = new OrderedDatasetSample(train.length);
    const numbers = new Float64Array(2);
    for (const row of train) {
      sample.next();
      profile.addRow(row, numbers);
      sample.keepCells(row, numbers);
    }
    const statistics = statisticsFromProfile(profile);
    const features = calibrationFeatures(statistics).map((f) =>
      // A redacted column's statistics hold hashes, never the values the sample saw.
      hashed && f.name === 'c' ? { ...f, categories: new Set(['h1', 'h2']) } : f,
    );
    return calibrateBaseline(features, (name) => columns.indexOf(name), sample, { sizes: [100] });
  }

  it('encodes a low-cardinality String feature after the numeric ones, frequent categories only', () => {
    const c = calibrated(rows(1, 4000, false));
    expect(c.multivariate?.columns).toEqual(['x']);
    expect(c.multivariate?.one_hot).toEqual([{ name: 'c', categories: ['hi', 'lo'] }]);
    expect(c.multivariate?.model.d).toBe(3);
    // Round trip through the file's schema.
    const parsed = parseDriftCalibration(JSON.stringify(c), 'driftwatch_calibration.json');
    expect(parsed.multivariate?.one_hot).toEqual(c.multivariate?.one_hot);
    // Values the statistics do not hold (a redacted column) never enter the calibration file.
    expect(calibrated(rows(1, 4000, false), true).multivariate).toBeUndefined();
  });

  it('fires when the relation between a category and a number flips with both marginals unchanged', () => {
    const c = calibrated(rows(1, 4000, false));
    const judge = (window: Array<[number, string]>) => {
      const profile = new DatasetProfile(['x', 'c']);
      const collector = reconstructionCollector(c.multivariate, profile);
      if (!collector) throw new Error('no collector');
      const numbers = new Float64Array(2);
      for (const row of window) {
        profile.addRow(row, numbers);
        if (collector.sample()) collector.add(numbers, row);
      }
      return checkMultivariate(c, collector.toJSON());
    };
    expect(judge(rows(2, 2000, false))?.result.drift).toBe(false);
    const flipped = judge(rows(3, 2000, true));
    expect(flipped?.result.drift).toBe(true);
    expect(flipped?.result.columns).toEqual(['x', 'c']);
  });

  it('scores a delimited row (its numbers and texts as addDelimitedRow hands them back) as add scores its cells', () => {
    const c = calibrated(rows(1, 4000, false));
    const model = c.multivariate!;
    // Texts that are prefixes, extensions or case variants of a category, empty cells, unlisted ones.
    const texts = ['hi', 'lo', 'h', 'hix', 'l', 'Hi', 'rare', '', 'lo ', 'ihi'];
    const rand = mulberry32(5);
    const window = Array.from({ length: 3000 }, (_, i): [string, string] => [
      rand() < 0.02 ? '' : String(rand() * 4 - 2),
      texts[i % texts.length] as string,
    ]);
    // The model's categories as fitted, and listed twice (the Map of `add` gives the last index).
    for (const categories of [
      ['hi', 'lo'],
      ['hi', 'hi'],
      ['lo', 'lo'],
    ]) {
      const m = { ...model, one_hot: [{ name: 'c', categories }] };
      const byCells = new DatasetProfile(['x', 'c']);
      const byText = new DatasetProfile(['x', 'c']);
      const cells = reconstructionCollector(m, byCells)!;
      const text = reconstructionCollector(m, byText)!;
      const numbers = new Float64Array(2);
      const out = {
        numbers: new Float64Array(2),
        texts: new Array<string | undefined>(2).fill(undefined),
        textColumns: new Uint8Array(2),
      };
      for (const column of text.textColumns) out.textColumns[column] = 1;
      expect(text.textColumns).toEqual([1]);
      for (const [x, category] of window) {
        // Below twice the cap: every row is sampled.
        if (!cells.sample() || !text.sample()) throw new Error('a row left out');
        byCells.addRow([x, category], numbers);
        cells.add(numbers, [x, category]);
        const bytes = Buffer.from(`${x},${category}`, 'latin1');
        byText.countDelimitedCells(bytes, 0, bytes.length);
        byText.addDelimitedRow(out);
        text.add(out.numbers, out.texts);
      }
      expect(text.toJSON().count).toBeGreaterThan(2900);
      // Bit for bit: the same rows, the same indicators, the same sums.
      expect(text.toJSON()).toEqual(cells.toJSON());
      expect(byText.toJSON()).toEqual(byCells.toJSON());
    }
  });
});
