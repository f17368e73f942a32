/**
 * Drift-test bench: KS and Wasserstein on 1M vs 1M values (exact and from KLL sketches), and the
 * false-alarm experiment of the calibrated mode at 100, 10k and 1M rows per window, with plain KS at
 * p < 0.05 on a trivial shift at 1M rows for contrast.
 */
import { mulberry32, normalSampler } from '../src/core/random.js';
import {
  calibrateNumericThresholds,
  DRIFT_TESTS,
  type DriftTestId,
  getDriftTest,
  isDrift,
  isResult,
  ksTwoSample,
  type WeightedSample,
  wassersteinDistance,
  weightedSampleFromKll,
  weightedSampleFromValues,
} from '../src/metrics/drift/index.js';
import { KllSketch } from '../src/metrics/sketches/kll.js';

function normals(seed: number, n: number, shift = 0): Float64Array {
  const normal = normalSampler(mulberry32(seed));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = shift + normal();
  return out;
}

function timed<T>(fn: () => T, runs = 1): { value: T; ms: number } {
  let value = fn();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    value = fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { value, ms: times[Math.floor(times.length / 2)] as number };
}

const ms = (v: number): string => `${v.toFixed(1)} ms`;
const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

function benchTimings(n: number): void {
  const a = normals(1, n);
  const b = normals(2, n, 0.01);
  const sa = timed(() => weightedSampleFromValues(a), 3);
  const sb = weightedSampleFromValues(b);
  console.log(`exact samples: sort + collapse ${n.toLocaleString('en')} values: ${ms(sa.ms)}`);
  const ks = timed(() => ksTwoSample(sa.value, sb), 5);
  const w = timed(() => wassersteinDistance(sa.value, sb), 5);
  const ksr = ks.value;
  console.log(
    `ks ${n.toLocaleString('en')} vs ${n.toLocaleString('en')}: ${ms(ks.ms)}` +
      (isResult(ksr)
        ? ` (D = ${ksr.statistic.toFixed(5)}, p = ${ksr.pValue?.toExponential(3)}, ${ksr.method})`
        : ''),
  );
  console.log(
    `wasserstein ${n.toLocaleString('en')} vs ${n.toLocaleString('en')}: ${ms(w.ms)}` +
      (isResult(w.value) ? ` (W = ${w.value.statistic.toFixed(5)})` : ''),
  );
  const build = timed(() => {
    const ka = new KllSketch();
    const kb = new KllSketch();
    ka.updateBatch(a, a.length);
    kb.updateBatch(b, b.length);
    return [weightedSampleFromKll(ka), weightedSampleFromKll(kb)] as const;
  });
  const [ka, kb] = build.value;
  const kks = timed(() => ksTwoSample(ka, kb), 5);
  const kw = timed(() => wassersteinDistance(ka, kb), 5);
  console.log(
    `KLL sketches (k = 2048) of both: build ${ms(build.ms)}, ${ka.values.length} + ${kb.values.length} items`,
  );
  if (isResult(kks.value) && isResult(kw.value)) {
    console.log(
      `  ks from sketches: ${ms(kks.ms)} (D = ${kks.value.statistic.toFixed(5)} ± ${kks.value.statisticErrorBound?.toFixed(5)})`,
    );
    console.log(
      `  wasserstein from sketches: ${ms(kw.ms)} (W = ${kw.value.statistic.toFixed(5)} ± ${kw.value.statisticErrorBound?.toFixed(5)})`,
    );
  }
}

interface Rule {
  label: string;
  test: DriftTestId;
  threshold: number;
}

function alarmRates(
  base: WeightedSample,
  m: number,
  trials: number,
  seed: number,
  shift: number,
  rules: Rule[],
): number[] {
  const alarms = rules.map(() => 0);
  for (let t = 0; t < trials; t++) {
    const window = weightedSampleFromValues(normals(seed + t, m, shift));
    rules.forEach((rule, i) => {
      const spec = getDriftTest(rule.test);
      const r = spec.numeric?.(base, window);
      if (!r || !isResult(r)) return;
      if (isDrift(spec.score, spec.score === 'p_value' ? r.pValue : r.statistic, rule.threshold))
        alarms[i] = (alarms[i] as number) + 1;
    });
  }
  return alarms.map((a) => a / trials);
}

/**
 * The false-alarm rate of a procedure is an average over baselines too: one fixed baseline's own sampling
 * deviation moves every window's comparison the same way (plain KS at p < 0.05 then shows 3–8% on one
 * baseline), so each size averages `groups` independent baselines, each calibrated and then probed with
 * fresh windows.
 */
function benchFalseAlarms(
  sizes: { m: number; baseline: number; replicates: number; trials: number; groups: number }[],
): void {
  const alarmRate = 0.05;
  console.log(
    `false alarms on windows without drift (target ${pct(alarmRate)}, pass band ${pct(alarmRate * 0.5)}–${pct(alarmRate * 1.5)}):`,
  );
  for (const { m, baseline, replicates, trials, groups } of sizes) {
    const labels = ['calibrated ks', 'calibrated psi', 'plain ks p<0.05', 'fixed psi ≥ 0.1'];
    const sums = labels.map(() => 0);
    let calMs = 0;
    let trialMs = 0;
    let resampling = '';
    let lastKs: number | undefined;
    let lastBase: WeightedSample | undefined;
    for (let g = 0; g < groups; g++) {
      const values = normals(100 + m + 7919 * g, baseline);
      const t0 = performance.now();
      const calibrated = calibrateNumericThresholds(values, m, ['ks', 'psi'], {
        alarmRate,
        replicates: Math.ceil(replicates / groups),
        seed: 11 + g,
      });
      calMs += performance.now() - t0;
      const base = weightedSampleFromValues(values);
      const ks = calibrated.get('ks');
      const psi = calibrated.get('psi');
      resampling = ks?.resampling ?? '';
      const rules: Rule[] = [
        { label: labels[0] as string, test: 'ks', threshold: ks?.threshold ?? Number.NaN },
        { label: labels[1] as string, test: 'psi', threshold: psi?.threshold ?? Number.NaN },
        { label: labels[2] as string, test: 'ks', threshold: 0.05 },
        { label: labels[3] as string, test: 'psi', threshold: DRIFT_TESTS.psi.defaultThreshold },
      ];
      const t1 = performance.now();
      const rates = alarmRates(base, m, Math.ceil(trials / groups), 10_000 + m + 104_729 * g, 0, rules);
      trialMs += performance.now() - t1;
      rates.forEach((r, i) => {
        sums[i] = (sums[i] as number) + r / groups;
      });
      lastKs = ks?.threshold;
      lastBase = base;
    }
    const verdict = (r: number) => (r >= alarmRate * 0.5 && r <= alarmRate * 1.5 ? 'within' : 'OUTSIDE');
    console.log(
      `  ${m.toLocaleString('en')} rows/window (${groups} baselines of ${baseline.toLocaleString('en')}, ${replicates} replicates by ${resampling}, ${trials} windows): ` +
        labels.map((l, i) => `${l} ${pct(sums[i] as number)}`).join(', ') +
        ` → calibrated ks ${verdict(sums[0] as number)}, psi ${verdict(sums[1] as number)}` +
        ` [calibration ${(calMs / 1000).toFixed(1)} s, windows ${(trialMs / 1000).toFixed(1)} s]`,
    );
    if (m >= 1_000_000 && lastBase) {
      const shift = 0.01;
      const shifted: Rule[] = [
        { label: 'plain ks p<0.05', test: 'ks', threshold: 0.05 },
        { label: 'calibrated ks', test: 'ks', threshold: lastKs ?? Number.NaN },
        { label: 'wasserstein_norm ≥ 0.1', test: 'wasserstein_norm', threshold: 0.1 },
      ];
      const shiftTrials = 40;
      const r = alarmRates(lastBase, m, shiftTrials, 50_000, shift, shifted);
      console.log(
        `  trivial shift of ${shift} sd at ${m.toLocaleString('en')} rows (${shiftTrials} windows): ` +
          shifted.map((s, i) => `${s.label} alarms ${pct(r[i] as number)}`).join(', ') +
          ' (calibration controls false alarms; ignoring differences this small takes an effect-size threshold)',
      );
    }
  }
}

export async function benchDrift(quick = false): Promise<void> {
  benchTimings(quick ? 200_000 : 1_000_000);
  benchFalseAlarms(
    quick
      ? [
          { m: 100, baseline: 20_000, replicates: 400, trials: 400, groups: 4 },
          { m: 10_000, baseline: 200_000, replicates: 200, trials: 200, groups: 2 },
        ]
      : [
          { m: 100, baseline: 20_000, replicates: 2000, trials: 2000, groups: 8 },
          { m: 10_000, baseline: 200_000, replicates: 1000, trials: 1000, groups: 4 },
          { m: 1_000_000, baseline: 5_000_000, replicates: 400, trials: 400, groups: 4 },
        ],
  );
}
