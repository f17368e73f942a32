import { describe, expect, it } from 'vitest';
import { biasSelector, columnKind, pandasDtype, pythonFloatRepr } from '../../src/metrics/bias/selection.js';

function select(cells: string[], given: (string | number | boolean)[]) {
  const kind = columnKind(cells, given);
  const max = Math.max(...cells.filter((c) => c !== '').map(Number));
  const s = biasSelector(kind, given, max, pandasDtype(cells));
  if ('error' in s) throw new Error(s.error);
  return s;
}

describe('bias selection (spec §9.3, smclarify test_label_value_or_threshold)', () => {
  it('float thresholds give Python-repr intervals, positive iff value > t', () => {
    const cells = ['1.0', '2.0', '3.0'];
    expect(select(cells, [2.0]).valueOrThreshold).toBe('(2.0, 3.0]');
    expect(select(cells, [0.0]).valueOrThreshold).toBe('(0.0, 3.0]');
    const above = select(cells, [5.0]);
    expect(above.valueOrThreshold).toBe('(3.0, 5.0]');
    expect(cells.map(above.matches)).toEqual([false, false, false]);
    expect(cells.map(select(cells, [2.0]).matches)).toEqual([false, false, true]);
  });

  it('integer columns keep integer bounds; abs(max) == t gives the empty string', () => {
    expect(select(['1', '2', '3'], ['2']).valueOrThreshold).toBe('(2, 3]');
    expect(select(['0'], [1]).valueOrThreshold).toBe('(0, 1]');
    const equal = select(['1', '2', '3'], [3]);
    expect(equal.valueOrThreshold).toBe('');
    expect(['1', '2', '3'].map(equal.matches)).toEqual([false, false, false]);
  });

  it('an int label [1,1,0,0] is continuous (uniqueness 0.5): [0] means label > 0', () => {
    const cells = ['1', '1', '0', '0'];
    expect(columnKind(cells, [0])).toBe('continuous');
    expect(cells.map(select(cells, [0]).matches)).toEqual([true, true, false, false]);
  });

  it('low-uniqueness ints, strings, bools and several values are categorical', () => {
    const ints = Array.from({ length: 100 }, (_, i) => String(i % 2));
    expect(columnKind(ints, [1])).toBe('categorical');
    expect(select(ints, [1]).valueOrThreshold).toBe('1');
    expect(columnKind(['a', 'b'], ['a'])).toBe('categorical');
    expect(columnKind(['True', 'False'], [true])).toBe('categorical');
    expect(select(['True', 'False'], [true]).valueOrThreshold).toBe('True');
    const multi = select(['1.5', '2.5', '3'], [1, 2]);
    expect(multi.kind).toBe('categorical');
    expect(multi.valueOrThreshold).toBe('1,2');
  });

  it('a float column is continuous, an empty cell makes an int column float', () => {
    expect(pandasDtype(['1', '', '3'])).toBe('float64');
    expect(select(['0.2', '0.9936148802477393'], [0.5]).valueOrThreshold).toBe('(0.5, 0.9936148802477393]');
    expect(pythonFloatRepr(1e-5)).toBe('1e-05');
  });

  it("a continuous column with several-or-no numeric threshold is smclarify's error", () => {
    expect(biasSelector('continuous', ['x'], 3, 'float64')).toEqual({
      error: 'Facet/label value provided must be a single numeric threshold for continuous data',
    });
  });
});
