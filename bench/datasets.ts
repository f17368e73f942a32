/**
 * Dataset-reader benchmark and the shared synthetic CSV generator.
 *
 * `generateCsv` writes a realistic training table (label column first, as SageMaker expects; ~70 % numeric
 * columns: integers, decimals, a few missing values; ~30 % low-cardinality categorical columns). The baseline
 * and execution benchmarks reuse it. `benchReaders` prints the CSV reader's throughput on 1M rows x 20 columns.
 *
 * Run alone: `npm run build && node --expose-gc dist/bench/datasets.js [rows] [cols]`.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IssueLog } from '../src/core/issues.js';
import { mulberry32 } from '../src/core/random.js';
import { openDataset } from '../src/io/datasets/index.js';
import { LocalStorage } from '../src/io/local-storage.js';
import { CATEGORIES, type ColumnKind, generateCell } from './columns.js';

/** Column layout after the label: a repeating mix (for 20 columns: label, 13 numeric, 6 categorical). */
function columnKinds(cols: number): ColumnKind[] {
  // biome-ignore format: one pattern per line reads better
  const pattern: readonly ColumnKind[] = [
    'int', 'float', 'category', 'float', 'int', 'category', 'sparse-float', 'float', 'category', 'int',
  ];
  const kinds: ColumnKind[] = [];
  for (let i = 1; i < cols; i++) kinds.push(pattern[(i - 1) % pattern.length]!);
  return kinds;
}

/**
 * Writes a CSV file with a header (`label,f1,...`) and `rows` data rows of `cols` columns (label included).
 * Deterministic for a given seed. Memory use is constant (rows are written in batches).
 */
export async function generateCsv(path: string, rows: number, cols: number, seed = 42): Promise<void> {
  if (cols < 1) throw new RangeError('cols must be at least 1');
  const random = mulberry32(seed);
  const kinds = columnKinds(cols);
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const header = ['label', ...kinds.map((kind, i) => (kind === 'category' ? `cat_${i + 1}` : `f${i + 1}`))];
  let batch = `${header.join(',')}\n`;
  for (let r = 0; r < rows; r++) {
    let line = random() < 0.3 ? '1' : '0';
    for (let c = 0; c < kinds.length; c++) {
      const cell = generateCell(kinds[c]!, random, CATEGORIES[c % CATEGORIES.length]!);
      line += `,${cell}`;
    }
    batch += `${line}\n`;
    if (batch.length >= 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
}

/** Reads every cell once (touching it so nothing is optimised away); returns rows, cells and elapsed time. */
async function timeCsvRead(
  path: string,
): Promise<{ rows: number; checksum: number; seconds: number; cpuSeconds: number; issues: number }> {
  const issues = new IssueLog();
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  const reader = await openDataset(new LocalStorage(), path, { issues });
  let rows = 0;
  let checksum = 0;
  for await (const row of reader.rows()) {
    rows++;
    for (let i = 0; i < row.length; i++) {
      const cell = row[i];
      if (typeof cell === 'string') checksum += cell.length;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  return { rows, checksum, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, issues: issues.total };
}

export async function benchReaders(rows = 1_000_000, cols = 20): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dw-bench-datasets-'));
  try {
    const path = join(dir, 'train.csv');
    await generateCsv(path, rows, cols);
    const { size } = await stat(path);
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    // One warm-up pass on a slice would hide JIT cost that real runs pay once; report both passes instead.
    const first = await timeCsvRead(path);
    const second = await timeCsvRead(path);
    clearInterval(sampler);
    const mb = size / 1e6;
    for (const [name, run] of [
      ['cold', first],
      ['warm', second],
    ] as const) {
      console.log(
        `datasets: csv ${rows.toLocaleString('en')} rows x ${cols} cols (${mb.toFixed(0)} MB), ${name}: ` +
          `${Math.round(run.rows / run.seconds).toLocaleString('en')} rows/s, ${(mb / run.seconds).toFixed(0)} MB/s ` +
          `(${run.seconds.toFixed(2)} s wall; per CPU second: ${Math.round(run.rows / run.cpuSeconds).toLocaleString('en')} rows/s, ` +
          `${(mb / run.cpuSeconds).toFixed(0)} MB/s; ${run.issues} issues)`,
      );
    }
    console.log(
      `datasets: csv peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (before: ${(rssBefore / 2 ** 20).toFixed(0)} MiB)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const cols = Number(process.argv[3] ?? 20);
  await benchReaders(rows, cols);
}
