import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addBiasRow, emptyBiasCounts } from '../../src/metrics/bias/counts.js';
import { type biasMetrics, computeBiasMetrics } from '../../src/metrics/bias/metrics.js';
import { biasSelector, columnKind, pandasDtype } from '../../src/metrics/bias/selection.js';

// Spec §9.4.4 item 3: the SDK fixture's pre-training analysis.json is reproduced from dataset.csv
// (label column 0 = "1", facet F1 = column 1 with threshold 0.5, group F2 = column 2).
const dir = new URL(
  '../../../shared/sagemaker-samples/sagemaker-python-sdk/tests/data/pipeline/clarify_check_step/',
  import.meta.url,
);

describe('real Clarify output reproduced (SDK clarify_check_step data_bias)', () => {
  it('pre-training metrics of good_cases/analysis.json', () => {
    const csv = new URL('dataset.csv', dir);
    const analysis = new URL('data_bias/good_cases/analysis.json', dir);
    if (!existsSync(csv) || !existsSync(analysis)) {
      console.log('notice: ../shared/sagemaker-samples not present; real-output check not run');
      return;
    }
    const rows = readFileSync(csv, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(','));
    const col = (i: number) => rows.map((r) => r[i] ?? '');
    const labelCells = col(0);
    const facetCells = col(1);
    const label = biasSelector(
      columnKind(labelCells, [1]),
      [1],
      Math.max(...labelCells.map(Number)),
      pandasDtype(labelCells),
    );
    const facet = biasSelector(
      columnKind(facetCells, [0.5]),
      [0.5],
      Math.max(...facetCells.map(Number)),
      pandasDtype(facetCells),
    );
    if ('error' in label || 'error' in facet) throw new Error('selection failed');
    expect(label.valueOrThreshold).toBe('1');
    const counts = emptyBiasCounts();
    for (const r of rows) {
      addBiasRow(counts, facet.matches(r[1] ?? ''), label.matches(r[0] ?? ''), false, r[2]);
    }
    const expected = JSON.parse(readFileSync(analysis, 'utf8')) as {
      pre_training_bias_metrics: {
        facets: Record<string, { value_or_threshold: string; metrics: { name: string; value: number }[] }[]>;
      };
    };
    const entry = expected.pre_training_bias_metrics.facets.F1?.[0];
    if (entry === undefined) throw new Error('F1 missing in analysis.json');
    expect(facet.valueOrThreshold).toBe(entry.value_or_threshold);
    const names = entry.metrics.map((m) => m.name) as (keyof typeof biasMetrics)[];
    const ours = new Map(computeBiasMetrics(counts, names).map((m) => [m.name, m.value]));
    for (const m of entry.metrics) {
      const v = ours.get(m.name);
      expect(v, m.name).not.toBeNull();
      // NumPy sums pairwise, so the last bits may differ (§9.4.4 floating-point note).
      expect(Math.abs((v as number) - m.value), m.name).toBeLessThanOrEqual(
        1e-12 * Math.max(1, Math.abs(m.value)),
      );
    }
  });
});
