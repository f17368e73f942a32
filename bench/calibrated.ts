/**
 * Decision rules side by side (issue 14, item 4): SageMaker's rule (Robust L∞ at 0.1), the calibrated rule
 * of `--drift-mode calibrated` and the multivariate reconstruction band, on windows of 10², 10⁴ and 10⁶ rows
 * drawn from the baseline's own distribution (false alarms) and with small changes (detection): a 0.1-sd
 * mean shift, a variance change (sd × 1.1), two categories swapping shares, and a correlation flip of two
 * features whose marginals stay the same. Each window goes through the execution's own check
 * (`evaluateDataQuality` on a profile of the window); the baseline is built as `baseline` builds it.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import {
  type Constraints,
  defaultMonitoringConfig,
  suggestConstraints,
} from '../src/baseline/constraints.js';
import {
  calibrateBaseline,
  calibrationFeatures,
  type DriftCalibration,
} from '../src/baseline/drift-calibration.js';
import { type Statistics, statisticsFromProfile } from '../src/baseline/statistics.js';
import { evaluateDataQuality } from '../src/checks/data-quality.js';
import { mulberry32, normalSampler } from '../src/core/random.js';
import { OrderedDatasetSample } from '../src/metrics/drift/ordered-sample.js';
import {
  fitReconstructionBaseline,
  type ReconstructionBaseline,
  ReconstructionMean,
  reconstructionBand,
  reconstructionError,
} from '../src/metrics/multivariate/pca.js';
import { DatasetProfile } from '../src/metrics/profile/dataset-profile.js';

const COLUMNS = ['x1', 'x2', 'x3', 'cat'];
const CATS = ['a', 'b', 'c', 'd'];
type Scenario = 'none' | 'mean +0.1 sd' | 'sd x1.1' | 'category swap' | 'correlation flip';
const AFFECTED: Record<Scenario, string | undefined> = {
  none: undefined,
  'mean +0.1 sd': 'x3',
  'sd x1.1': 'x3',
  'category swap': 'cat',
  'correlation flip': 'x1,x2',
};

export function generator(seed: number): (scenario: Scenario) => [number, number, number, string] {
  const rand = mulberry32(seed);
  const normal = normalSampler(rand);
  const rho = 0.8;
  return (scenario) => {
    const z1 = normal();
    const z2 = normal();
    const r = scenario === 'correlation flip' ? -rho : rho;
    const x1 = z1;
    const x2 = r * z1 + Math.sqrt(1 - r * r) * z2;
    const x3 = (scenario === 'sd x1.1' ? 1.1 : 1) * normal() + (scenario === 'mean +0.1 sd' ? 0.1 : 0);
    const u = rand();
    const shares = scenario === 'category swap' ? [0.3, 0.4, 0.2, 0.1] : [0.4, 0.3, 0.2, 0.1];
    let k = 0;
    for (let acc = shares[0] as number; u >= acc && k < 3; ) acc += shares[++k] as number;
    return [x1, x2, x3, CATS[k] as string];
  };
}

interface BaselineArtifacts {
  statistics: Statistics;
  sagemaker: Constraints;
  calibrated: Constraints;
  calibration: DriftCalibration;
  reconstruction: ReconstructionBaseline;
}

export function buildArtifacts(rows: number, alarmRate: number): BaselineArtifacts {
  const next = generator(1);
  const profile = new DatasetProfile(COLUMNS);
  const sample = new OrderedDatasetSample(200_000);
  for (let i = 0; i < rows; i++) {
    const row = next('none');
    profile.addRow(row);
    if (sample.next())
      sample.keep([row[0], row[1], row[2], Number.NaN], [undefined, undefined, undefined, row[3]]);
  }
  const statistics = statisticsFromProfile(profile);
  const mc = defaultMonitoringConfig();
  mc.distribution_constraints.drift_mode = 'calibrated';
  const numbers = [0, 1, 2].map((c) => sample.columns[c]?.numbers() ?? new Float64Array());
  const reconstruction = fitReconstructionBaseline(
    ['x1', 'x2', 'x3'],
    numbers[0]?.length ?? 0,
    (r, c) => numbers[c]?.[r] as number,
  );
  if (!reconstruction) throw new Error('no PCA');
  return {
    statistics,
    sagemaker: suggestConstraints(profile),
    calibrated: suggestConstraints(profile, mc),
    calibration: calibrateBaseline(calibrationFeatures(statistics), (name) => COLUMNS.indexOf(name), sample, {
      alarmRate,
    }),
    reconstruction,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export async function benchCalibrated(quick = false): Promise<void> {
  const alarmRate = 0.05;
  const baselineRows = quick ? 50_000 : 400_000;
  let t = Date.now();
  const a = buildArtifacts(baselineRows, alarmRate);
  console.log(
    `baseline ${baselineRows} rows × 4 features (sample of ${a.calibration.sample.cap} rows per column), profiled and calibrated at alarm rate ${alarmRate} in ${((Date.now() - t) / 1000).toFixed(1)} s; PCA keeps ${a.reconstruction.model.components.length} of 3 components (${pct(a.reconstruction.model.explained_variance_ratio)} of variance)`,
  );
  console.log(
    'Rules: sagemaker = Robust L-inf >= 0.1 (built for nothing in particular: no stated false-alarm rate); calibrated = wasserstein_norm / jensen_shannon at the calibrated threshold (built for 5% per feature and window); multivariate = mean PCA reconstruction error outside its 95% band (built for 5% per window).',
  );
  const sizes = quick ? [100, 10_000] : [100, 10_000, 1_000_000];
  const windowsAt = (n: number) => (n <= 100 ? 200 : n <= 10_000 ? 50 : quick ? 2 : 4);
  const z = normalQuantile(1 - alarmRate / 2, 0, 1);
  const scenarios: Scenario[] = ['none', 'mean +0.1 sd', 'sd x1.1', 'category swap', 'correlation flip'];
  console.log('\n| scenario | rows | windows | sagemaker | calibrated | multivariate |');
  console.log('|---|---|---|---|---|---|');
  for (const scenario of scenarios) {
    for (const n of sizes) {
      t = Date.now();
      const next = generator(1000 + n);
      const windows = windowsAt(n);
      const hits = { sagemaker: 0, calibrated: 0, multivariate: 0 };
      const affected = AFFECTED[scenario];
      const judged = affected === undefined ? COLUMNS.length : 1;
      for (let w = 0; w < windows; w++) {
        const profile = new DatasetProfile(COLUMNS);
        const errors = new ReconstructionMean();
        const scratch = new Float64Array(3);
        const xs = new Float64Array(3);
        for (let i = 0; i < n; i++) {
          const row = next(scenario);
          profile.addRow(row);
          xs[0] = row[0];
          xs[1] = row[1];
          xs[2] = row[2];
          errors.add(reconstructionError(a.reconstruction.model, xs, scratch));
        }
        for (const rule of ['sagemaker', 'calibrated'] as const) {
          const result = evaluateDataQuality({
            baseline: a.statistics,
            constraints: rule === 'sagemaker' ? a.sagemaker : a.calibrated,
            current: profile,
            ...(rule === 'calibrated' ? { calibration: a.calibration } : {}),
          });
          for (const f of result.features) {
            if (!f.drift?.drift) continue;
            // Without drift every feature counts (false alarms per feature and window); with a change,
            // a window counts when the affected feature (x1 or x2 for the correlation flip) fires.
            if (affected === undefined || affected.split(',').includes(f.name)) {
              hits[rule]++;
              if (affected !== undefined) break;
            }
          }
        }
        const band = reconstructionBand(a.reconstruction, errors.count, z);
        if (errors.mean < band.lower || errors.mean > band.upper) hits.multivariate++;
      }
      const rate = (k: number, per: number) => pct(k / (windows * per));
      console.log(
        `| ${scenario} | ${n} | ${windows} | ${rate(hits.sagemaker, judged)} | ${rate(hits.calibrated, judged)} | ${rate(hits.multivariate, 1)} |  (${((Date.now() - t) / 1000).toFixed(1)} s)`,
      );
    }
  }
  console.log(
    '\nnone: share of (feature, window) pairs flagged (false alarms); other rows: share of windows where the changed feature is flagged (multivariate: any change of the window).',
  );
}
