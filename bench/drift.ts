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

function benchFalseAlarms(
  sizes: { m: number; baseline: number; replicates: number; trials: number }[],
): void {
  const alarmRate = 0.05;
  console.log(
    `false alarms on windows without drift (target ${pct(alarmRate)}, pass band ${pct(alarmRate * 0.5)}–${pct(alarmRate * 1.5)}):`,
  );
  for (const { m, baseline, replicates, trials } of sizes) {
    const values = normals(100 + m, baseline);
    const t0 = performance.now();
    const calibrated = calibrateNumericThresholds(values, m, ['ks', 'psi'], {
      alarmRate,
      replicates,
      seed: 11,
    });
    const calMs = performance.now() - t0;
    const base = weightedSampleFromValues(values);
    const ks = calibrated.get('ks');
    const psi = calibrated.get('psi');
    const rules: Rule[] = [
      { label: 'calibrated ks', test: 'ks', threshold: ks?.threshold ?? Number.NaN },
      { label: 'calibrated psi', test: 'psi', threshold: psi?.threshold ?? Number.NaN },
      { label: 'plain ks p<0.05', test: 'ks', threshold: 0.05 },
      { label: 'fixed psi ≥ 0.1', test: 'psi', threshold: DRIFT_TESTS.psi.defaultThreshold },
    ];
    const t1 = performance.now();
    const rates = alarmRates(base, m, trials, 10_000 + m, 0, rules);
    const trialMs = performance.now() - t1;
    const verdict = (r: number) => (r >= alarmRate * 0.5 && r <= alarmRate * 1.5 ? 'within' : 'OUTSIDE');
    console.log(
      `  ${m.toLocaleString('en')} rows/window (baseline ${baseline.toLocaleString('en')}, ${replicates} replicates by ${ks?.resampling}, ${trials} windows): ` +
        rules.map((r, i) => `${r.label} ${pct(rates[i] as number)}`).join(', ') +
        ` → calibrated ks ${verdict(rates[0] as number)}, psi ${verdict(rates[1] as number)}` +
        ` [calibration ${(calMs / 1000).toFixed(1)} s, windows ${(trialMs / 1000).toFixed(1)} s]`,
    );
    if (m >= 1_000_000) {
      const shift = 0.01;
      const shifted: Rule[] = [
        { label: 'plain ks p<0.05', test: 'ks', threshold: 0.05 },
        { label: 'calibrated ks', test: 'ks', threshold: ks?.threshold ?? Number.NaN },
        { label: 'wasserstein_norm ≥ 0.1', test: 'wasserstein_norm', threshold: 0.1 },
      ];
      const shiftTrials = Math.max(20, Math.floor(trials / 4));
      const r = alarmRates(base, m, shiftTrials, 50_000, shift, shifted);
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
          { m: 100, baseline: 20_000, replicates: 400, trials: 400 },
          { m: 10_000, baseline: 200_000, replicates: 200, trials: 200 },
        ]
      : [
          { m: 100, baseline: 20_000, replicates: 1000, trials: 1000 },
          { m: 10_000, baseline: 200_000, replicates: 1000, trials: 1000 },
          { m: 1_000_000, baseline: 5_000_000, replicates: 400, trials: 400 },
        ],
  );
}
