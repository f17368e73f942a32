import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type ClarifyAnalysis,
  type ClarifyBiasStage,
  parseClarifyAnalysis,
} from '../../src/baseline/clarify-analysis.js';
import { checkAttributionDrift, checkBiasDrift, pythonValueText } from '../../src/checks/bias.js';
import { bootstrapStandardErrors } from '../../src/metrics/bias/bootstrap.js';
import { addBiasRow, type BiasCounts, emptyBiasCounts } from '../../src/metrics/bias/counts.js';
import { biasMetrics, computeBiasMetrics } from '../../src/metrics/bias/metrics.js';
import { renderClarifyViolations } from '../../src/report/execution-files.js';

const churn = fileURLToPath(
  new URL(
    '../../../shared/sagemaker-samples/clarify/amazon-sagemaker-examples/notebook_outputs/bias_monitor_churn_batch_csv_2023-01-19/',
    import.meta.url,
  ),
);

/** Confusion counts per group: a (d = false) and d (d = true). */
function countsFrom(
  a: { tp: number; fp: number; fn: number; tn: number },
  d: { tp: number; fp: number; fn: number; tn: number },
): BiasCounts {
  const c = emptyBiasCounts();
  for (const [side, g] of [
    [false, a],
    [true, d],
  ] as const) {
    for (let i = 0; i < g.tp; i++) addBiasRow(c, side, true, true);
    for (let i = 0; i < g.fp; i++) addBiasRow(c, side, false, true);
    for (let i = 0; i < g.fn; i++) addBiasRow(c, side, true, false);
    for (let i = 0; i < g.tn; i++) addBiasRow(c, side, false, false);
  }
  return c;
}

const stageNames = {
  pre_training: Object.values(biasMetrics)
    .filter((m) => m.stage === 'pre_training')
    .map((m) => m.name),
  post_training: Object.values(biasMetrics)
    .filter((m) => m.stage === 'post_training')
    .map((m) => m.name),
};

function analysisOf(counts: BiasCounts, facet: string, facetValue: string): ClarifyAnalysis {
  const stage = (names: string[]): ClarifyBiasStage => ({
    label: 'Churn',
    labelValueOrThreshold: '1',
    facets: new Map([
      [
        facet,
        [
          {
            valueOrThreshold: facetValue,
            metrics: computeBiasMetrics(counts, [...names].sort() as (keyof typeof biasMetrics)[]),
          },
        ],
      ],
    ]),
  });
  return {
    version: '1.0',
    postTraining: stage(stageNames.post_training),
    preTraining: stage(stageNames.pre_training),
  };
}

// §9.6: the churn monitoring run's live confusion counts, reconstructed from its reported values.
const liveChurn = countsFrom({ tp: 5, fp: 4, fn: 109, tn: 48 }, { tp: 10, fp: 2, fn: 107, tn: 49 });

describe('bias drift check against the real churn run (§9.6)', () => {
  it('point rule reproduces exactly the reported violations and their texts', () => {
    const baselineFile = `${churn}baseline_analysis.json`;
    if (!existsSync(baselineFile)) {
      console.log('notice: ../shared/sagemaker-samples/clarify not present; churn check not run');
      return;
    }
    const baseline = parseClarifyAnalysis(readFileSync(baselineFile, 'utf8'), baselineFile);
    const live = analysisOf(liveChurn, 'Account Length', '(100, 232]');
    const { violations, comparisons } = checkBiasDrift(baseline, live);
    expect(violations.map((v) => v.metric_name)).toEqual(['DAR', 'DCA', 'DI', 'DPPL', 'GE', 'SD', 'TE']);
    // The interval string moved (baseline "(100, 225]"): the continuous facet still pairs.
    expect(comparisons.filter((c) => c.skipped === undefined).length).toBeGreaterThan(15);
    const pprint = readFileSync(`${churn}constraint_violations_pprint.txt`, 'utf8').replace(
      /['"]\s*\n\s*['"]/g,
      '',
    );
    const reported = [...pprint.matchAll(/'metric_name': '(\w+)'/g)].map((m) => m[1]);
    expect(violations.map((v) => v.metric_name)).toEqual(reported);
    for (const v of violations) {
      expect(v).toMatchObject({ facet: 'Account Length', facet_value: '(100, 232]' });
      expect(v.constraint_check_type).toBe('bias_drift_check');
      // GE is reproduced to within the last bit (NumPy's pairwise sum), the others exactly.
      if (v.metric_name !== 'GE') expect(pprint, v.metric_name).toContain(v.description);
    }
    expect(violations.find((v) => v.metric_name === 'TE')?.description).toBe(
      "Metric value 26.25 doesn't meet the baseline constraint requirement 0.0",
    );
  });

  it('bootstrap mode (B = 1000, z = 1.96) flags none of DPPL, SD, DI, DAR, TE on that run', () => {
    const baseline = analysisOf(
      countsFrom({ tp: 6, fp: 3, fn: 100, tn: 57 }, { tp: 8, fp: 1, fn: 110, tn: 49 }),
      'f',
      '(100, 225]',
    );
    // Baseline of §9.6's table: DPPL 0.002092, SD 0.0, DI 0.976261, DAR 0.0, TE 0.0.
    for (const m of baseline.postTraining?.facets.get('f')?.[0]?.metrics ?? []) {
      const table: Record<string, number> = {
        DPPL: 0.0020924841936269395,
        SD: 0,
        DI: 0.9762611275964392,
        DAR: 0,
        TE: 0,
      };
      if (m.name in table) m.value = table[m.name] ?? null;
    }
    const live = analysisOf(liveChurn, 'f', '(100, 232]');
    const se = bootstrapStandardErrors(liveChurn, ['DPPL', 'SD', 'DI', 'DAR', 'TE'], { seed: 7 });
    const point = checkBiasDrift(baseline, live);
    const boot = checkBiasDrift(baseline, live, {
      mode: 'bootstrap',
      standardError: (_s, _f, _e, metric) => se.get(metric),
    });
    const flagged = (r: typeof point) =>
      r.violations
        .filter((v) => ['DPPL', 'SD', 'DI', 'DAR', 'TE'].includes(v.metric_name))
        .map((v) => v.metric_name);
    expect(flagged(point).sort()).toEqual(['DAR', 'DI', 'DPPL', 'SD', 'TE']);
    expect(flagged(boot)).toEqual([]);
    const dppl = boot.comparisons.find((c) => c.metric === 'DPPL' && c.stage === 'post_training');
    expect(dppl?.interval?.[0]).toBeCloseTo(-0.068, 1);
    expect(dppl?.interval?.[1]).toBeCloseTo(0.034, 1);
  });

  it('edge rules: ±∞, null, equality, baseline 0, categorical pairing by value', () => {
    const mk = (entries: [string, [string, number | null][]][]): ClarifyAnalysis => ({
      version: '1.0',
      postTraining: {
        label: 'y',
        labelValueOrThreshold: '1',
        facets: new Map([
          [
            'sex',
            entries.map(([v, ms]) => ({
              valueOrThreshold: v,
              metrics: ms.map(([name, value]) => ({ name, description: name, value })),
            })),
          ],
        ]),
      },
    });
    const baseline = mk([
      [
        'female',
        [
          ['DI', 2.916666666666667],
          ['TE', Infinity],
          ['AD', 0.1],
          ['DPPL', 0],
          ['RD', null],
          ['SD', 0.2],
        ],
      ],
      ['male', [['DI', 5]]],
    ]);
    const live = mk([
      ['male', [['DI', 0.5]]],
      [
        'female',
        [
          ['DI', Infinity],
          ['TE', 1e300],
          ['AD', 0.1],
          ['DPPL', -1e-7],
          ['RD', 0.9],
          ['SD', null],
        ],
      ],
      ['other', [['DI', 9]]],
    ]);
    const { violations, comparisons } = checkBiasDrift(baseline, live);
    expect(violations.map((v) => `${v.facet_value}:${v.metric_name}:${v.description}`)).toEqual([
      "female:DI:Metric value Infinity doesn't meet the baseline constraint requirement 2.916666666666667",
      "female:DPPL:Metric value -1e-07 doesn't meet the baseline constraint requirement 0.0",
    ]);
    expect(comparisons.filter((c) => c.skipped).map((c) => `${c.facetValue}:${c.metric}`)).toEqual([
      'female:RD',
      'female:SD',
      'other:DI',
    ]);
  });

  it('Python str of values and the violations file shape', () => {
    expect(pythonValueText(0, true)).toBe('0');
    expect(pythonValueText(0)).toBe('0.0');
    expect(pythonValueText(1e-5)).toBe('1e-05');
    expect(pythonValueText(-Infinity)).toBe('-Infinity');
    expect(
      renderClarifyViolations([
        {
          facet: 'a',
          facet_value: '1',
          metric_name: 'DI',
          constraint_check_type: 'bias_drift_check',
          description: 'x',
        },
      ]),
    ).toBe(
      '{\n    "version": "1.0",\n    "violations": [\n        {\n            "facet": "a",\n            "facet_value": "1",\n            "metric_name": "DI",\n            "constraint_check_type": "bias_drift_check",\n            "description": "x"\n        }\n    ]\n}',
    );
  });
});

describe('attribution drift check (§9.7)', () => {
  const label = (entries: [string, number][]) => ({ globalShapValues: new Map(entries) });
  it('a swap of the two top features is a violation with the DG wording; a stable ranking is not', () => {
    const baseline = new Map([
      [
        'label0',
        label([
          ['SAT', 0.7],
          ['GPA', 0.5],
          ['class rank', 0.05],
        ]),
      ],
      [
        'label1',
        label([
          ['a', 0],
          ['b', 0],
        ]),
      ],
    ]);
    const live = new Map([
      [
        'label0',
        label([
          ['SAT', 0.1],
          ['GPA', 0.2],
          ['class rank', 0.7],
        ]),
      ],
      [
        'label1',
        label([
          ['a', 1],
          ['b', 2],
        ]),
      ],
      ['label9', label([['a', 1]])],
    ]);
    const r = checkAttributionDrift(baseline, live);
    expect(r.violations).toEqual([
      {
        label: 'label0',
        metric_name: 'shap',
        constraint_check_type: 'feature_attribution_drift_check',
        description: 'Feature attribution drift 0.6876396241226223 exceeds threshold 0.9',
      },
    ]);
    expect(r.comparisons.map((c) => c.skipped ?? 'checked')).toEqual([
      'checked',
      'baseline values are all 0 (iDCG = 0)',
      'label not in the baseline',
    ]);
    const stable = checkAttributionDrift(
      baseline,
      new Map([
        [
          'label0',
          label([
            ['SAT', 0.6],
            ['GPA', 0.45],
            ['class rank', 0.1],
          ]),
        ],
      ]),
    );
    expect(stable.violations).toEqual([]);
    expect(stable.comparisons[0]?.ndcg).toBeCloseTo(1, 12);
  });
});
