/**
 * Model-quality benchmark: one execution over a window of N captured binary predictions whose N labels sit
 * in hour folders a day later. Reports throughput and the memory the join and the metrics need, to show
 * the bound stated in `src/capture/ground-truth-join.ts` (hash buckets spilled to local disk, typed arrays
 * for the matched records: no per-record objects kept).
 *
 * Run alone: `npm run build && node --expose-gc dist/bench/quality.js [records] [hours]`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildModelQualityBaseline } from '../src/baseline/model-quality.js';
import { hourPath } from '../src/core/hours.js';
import { silentLogger } from '../src/core/log.js';
import { mulberry32 } from '../src/core/random.js';
import { LocalStorage } from '../src/io/local-storage.js';
import { type ModelQualityDetails, runModelQualityExecution } from '../src/monitor/model-quality.js';

const HOUR = 3_600_000;

async function generate(dir: string, records: number, hours: number): Promise<void> {
  const rng = mulberry32(7);
  const start = Date.UTC(2025, 0, 1);
  const perHour = Math.ceil(records / hours);
  let written = 0;
  for (let h = 0; h < hours && written < records; h++) {
    const n = Math.min(perHour, records - written);
    const cap: string[] = [];
    const gt: string[] = [];
    for (let i = 0; i < n; i++) {
      const label = rng() < 0.4 ? 1 : 0;
      const score =
        Math.round(Math.min(1, Math.max(0, 0.5 + (label - 0.5) * 0.6 + (rng() - 0.5) * 0.8)) * 1e4) / 1e4;
      const id = randomUUID();
      const t = new Date(start + h * HOUR + Math.floor((i * HOUR) / n))
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
      cap.push(
        `{"captureData":{"endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT","data":"${score}","encoding":"CSV"}},"eventMetadata":{"eventId":"${id}","inferenceTime":"${t}"},"eventVersion":"0"}`,
      );
      gt.push(
        `{"groundTruthData":{"data":"${label}","encoding":"CSV"},"eventMetadata":{"eventId":"${id}"},"eventVersion":"0"}`,
      );
    }
    const capDir = join(dir, 'capture', 'ep', 'AllTraffic', hourPath(new Date(start + h * HOUR)));
    const gtDir = join(dir, 'gt', hourPath(new Date(start + h * HOUR + 24 * HOUR)));
    await mkdir(capDir, { recursive: true });
    await mkdir(gtDir, { recursive: true });
    await writeFile(join(capDir, `00-00-000-${randomUUID()}.jsonl`), `${cap.join('\n')}\n`);
    await writeFile(join(gtDir, `${randomUUID()}.jsonl`), `${gt.join('\n')}\n`);
    written += n;
  }
  const base: string[] = ['label,probability'];
  for (let i = 0; i < 5000; i++) {
    const label = rng() < 0.4 ? 1 : 0;
    base.push(
      `${label},${Math.round(Math.min(1, Math.max(0, 0.5 + (label - 0.5) * 0.6 + (rng() - 0.5) * 0.8)) * 1e4) / 1e4}`,
    );
  }
  await writeFile(join(dir, 'validation.csv'), `${base.join('\n')}\n`);
}

export async function benchQuality(records: number, hours: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dw-bench-quality-'));
  const storage = new LocalStorage();
  try {
    await generate(dir, records, hours);
    await buildModelQualityBaseline(storage, {
      dataset: join(dir, 'validation.csv'),
      out: join(dir, 'baseline'),
      problemType: 'BinaryClassification',
      groundTruthAttribute: 'label',
      probabilityAttribute: 'probability',
    });
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    let peakRss = before.rss;
    let peakExternal = before.external + before.arrayBuffers;
    const timer = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
      peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers);
    }, 20);
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const start = new Date(Date.UTC(2025, 0, 1));
    const summary = await runModelQualityExecution(
      {
        monitorName: 'bench',
        endpoint: 'ep',
        captureUri: join(dir, 'capture'),
        groundTruthUri: join(dir, 'gt'),
        baselineUri: join(dir, 'baseline'),
        outputUri: join(dir, 'out'),
        scheduleName: 'bench',
        windowStart: start.toISOString(),
        windowEnd: new Date(start.getTime() + hours * HOUR).toISOString(),
        scheduledTime: new Date(start.getTime() + (hours + 25) * HOUR).toISOString(),
        cloudwatch: false,
        problemType: 'BinaryClassification',
        probabilityAttribute: '0',
      },
      { storage, logger: silentLogger },
    );
    clearInterval(timer);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuSeconds = (process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1e6;
    const d = summary.modelQuality as ModelQualityDetails;
    const mb = (x: number) => `${(x / 1048576).toFixed(0)} MB`;
    console.log(
      `quality: ${records.toLocaleString('en-US')} predictions + labels, ${d.join.matched.toLocaleString('en-US')} matched (${d.join.spilledPartitions} buckets spilled) in ${seconds.toFixed(1)} s ` +
        `(${Math.round(records / seconds).toLocaleString('en-US')} records/s, cpu ${cpuSeconds.toFixed(1)} s; ${summary.status})`,
    );
    console.log(
      `quality: peak heap ${mb(peakHeap)} (+${mb(peakHeap - before.heapUsed)}), peak typed arrays/external ${mb(peakExternal)}, peak rss ${mb(peakRss)}; ` +
        `${((peakHeap - before.heapUsed) / records).toFixed(1)} heap bytes per record; timings ${JSON.stringify(summary.timings)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchQuality(Number(process.argv[2] ?? 1_000_000), Number(process.argv[3] ?? 4));
}
