/**
 * Bias-drift execution vs model-quality execution over the same window: N captured requests (CSV input
 * `age,gender,income`, CSV score output) whose N labels sit in hour folders a day later. Both executions
 * read the same capture and ground truth; model quality joins the scores and computes its metrics, bias
 * also carries each request's cells through the join, spools the joined rows and runs the Clarify analysis
 * (both passes, every pre- and post-training metric, FT on its bounded sample). Runs them interleaved
 * (`rounds` times each) and prints each time and the ratio.
 *
 * Run alone: `npm run build && node --expose-gc dist/bench/bias-execution.js [records] [hours] [rounds]`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildBiasBaseline } from '../src/baseline/bias.js';
import { buildModelQualityBaseline } from '../src/baseline/model-quality.js';
import { hourPath } from '../src/core/hours.js';
import { silentLogger } from '../src/core/log.js';
import { mulberry32 } from '../src/core/random.js';
import { LocalStorage } from '../src/io/local-storage.js';
import { runBiasExecution } from '../src/monitor/bias.js';
import { runModelQualityExecution } from '../src/monitor/model-quality.js';

const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 1);

function draw(rng: () => number) {
  const female = rng() < 0.45;
  const label = rng() < 0.4 ? 1 : 0;
  const score =
    Math.round(
      Math.min(1, Math.max(0, 0.5 + (label - 0.5) * 0.6 + (rng() - 0.5) * 0.8 - (female ? 0.05 : 0))) * 1e4,
    ) / 1e4;
  return {
    gender: female ? 'female' : 'male',
    age: 18 + Math.floor(rng() * 60),
    income: Math.round(rng() * 2e5) / 10,
    label,
    score,
  };
}

async function generate(dir: string, records: number, hours: number): Promise<void> {
  const rng = mulberry32(7);
  const perHour = Math.ceil(records / hours);
  let written = 0;
  for (let h = 0; h < hours && written < records; h++) {
    const n = Math.min(perHour, records - written);
    const cap: string[] = [];
    const gt: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = draw(rng);
      const id = randomUUID();
      const t = new Date(START + h * HOUR + Math.floor((i * HOUR) / n))
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
      cap.push(
        `{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"${r.age},${r.gender},${r.income}","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT","data":"${r.score}","encoding":"CSV"}},"eventMetadata":{"eventId":"${id}","inferenceTime":"${t}"},"eventVersion":"0"}`,
      );
      gt.push(
        `{"groundTruthData":{"data":"${r.label}","encoding":"CSV"},"eventMetadata":{"eventId":"${id}"},"eventVersion":"0"}`,
      );
    }
    const capDir = join(dir, 'capture', 'ep', 'AllTraffic', hourPath(new Date(START + h * HOUR)));
    const gtDir = join(dir, 'gt', hourPath(new Date(START + h * HOUR + 24 * HOUR)));
    await mkdir(capDir, { recursive: true });
    await mkdir(gtDir, { recursive: true });
    await writeFile(join(capDir, `00-00-000-${randomUUID()}.jsonl`), `${cap.join('\n')}\n`);
    await writeFile(join(gtDir, `${randomUUID()}.jsonl`), `${gt.join('\n')}\n`);
    written += n;
  }
  const mq = ['label,probability'];
  const bias = ['Target,age,gender,income,predicted_label'];
  for (let i = 0; i < 5000; i++) {
    const r = draw(rng);
    mq.push(`${r.label},${r.score}`);
    bias.push(`${r.label},${r.age},${r.gender},${r.income},${r.score > 0.5 ? 1 : 0}`);
  }
  await writeFile(join(dir, 'validation.csv'), `${mq.join('\n')}\n`);
  await writeFile(join(dir, 'bias.csv'), `${bias.join('\n')}\n`);
  await mkdir(join(dir, 'bias-baseline'), { recursive: true });
  await writeFile(
    join(dir, 'bias-baseline', 'analysis_config.json'),
    JSON.stringify({
      headers: ['Target', 'age', 'gender', 'income'],
      label: 'Target',
      label_values_or_threshold: [1],
      facet: [{ name_or_index: 'gender', value_or_threshold: ['female'] }],
      probability_threshold: 0.5,
    }),
  );
}

export async function benchBiasExecution(records: number, hours: number, rounds: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dw-bench-bias-'));
  const storage = new LocalStorage();
  try {
    await generate(dir, records, hours);
    await buildModelQualityBaseline(storage, {
      dataset: join(dir, 'validation.csv'),
      out: join(dir, 'mq-baseline'),
      problemType: 'BinaryClassification',
      groundTruthAttribute: 'label',
      probabilityAttribute: 'probability',
    });
    await buildBiasBaseline(storage, {
      dataset: join(dir, 'bias.csv'),
      analysisConfig: join(dir, 'bias-baseline', 'analysis_config.json'),
      out: join(dir, 'bias-baseline'),
      predictedLabel: 'predicted_label',
    });
    const base = (name: string, round: number) => ({
      monitorName: name,
      endpoint: 'ep',
      captureUri: join(dir, 'capture'),
      groundTruthUri: join(dir, 'gt'),
      outputUri: join(dir, 'out'),
      scheduleName: `${name}-${round}`,
      windowStart: new Date(START).toISOString(),
      windowEnd: new Date(START + hours * HOUR).toISOString(),
      scheduledTime: new Date(START + (hours + 25) * HOUR).toISOString(),
      cloudwatch: false,
      probabilityAttribute: '0',
    });
    const times = { quality: [] as number[], bias: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      for (const kind of ['quality', 'bias'] as const) {
        (globalThis as { gc?: () => void }).gc?.();
        const started = process.hrtime.bigint();
        const summary =
          kind === 'quality'
            ? await runModelQualityExecution(
                {
                  ...base('mq', round),
                  baselineUri: join(dir, 'mq-baseline'),
                  problemType: 'BinaryClassification',
                },
                { storage, logger: silentLogger },
              )
            : await runBiasExecution(
                {
                  ...base('bias', round),
                  baselineUri: join(dir, 'bias-baseline'),
                  analysisConfigUri: join(dir, 'bias-baseline', 'analysis_config.json'),
                },
                { storage, logger: silentLogger },
              );
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        times[kind].push(seconds);
        console.log(
          `${kind === 'bias' ? 'bias         ' : 'model quality'} round ${round + 1}: ${records.toLocaleString('en-US')} joined records in ${seconds.toFixed(1)} s (${summary.status}, rows ${summary.rowsProfiled}; timings ${JSON.stringify(summary.timings)})`,
        );
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const q = median(times.quality);
    const b = median(times.bias);
    console.log(
      `bias vs model quality over the same ${records.toLocaleString('en-US')} records: median ${b.toFixed(1)} s vs ${q.toFixed(1)} s, ratio ${(b / q).toFixed(2)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchBiasExecution(
    Number(process.argv[2] ?? 1_000_000),
    Number(process.argv[3] ?? 4),
    Number(process.argv[4] ?? 2),
  );
}
