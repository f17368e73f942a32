/**
 * Bias-analysis benchmark: the computation of a bias-drift window (both passes, every pre- and
 * post-training metric incl. FT on its bounded sample) over N joined rows held as a rereadable
 * table (no capture parsing or ground-truth join: those are model quality's, measured by
 * bench/quality.ts). Prints CPU time, rows/s and heap.
 *
 * Run alone: `npm run build && node --expose-gc dist/bench/bias.js [records]`.
 */
import { pathToFileURL } from 'node:url';
import { computeBiasAnalysis, type RereadableTable } from '../src/baseline/bias.js';
import { parseClarifyAnalysisConfig } from '../src/config/clarify.js';
import { mulberry32 } from '../src/core/random.js';
import type { Cell } from '../src/core/types.js';

function table(records: number): RereadableTable {
  return {
    open: async () => ({
      columns: ['label', 'prediction', 'sex', 'age', 'tenure', 'region'],
      async *rows(): AsyncIterable<Cell[]> {
        const rng = mulberry32(11);
        const row: Cell[] = new Array(6);
        for (let i = 0; i < records; i++) {
          const female = rng() < 0.45;
          const label = rng() < (female ? 0.3 : 0.4) ? '1' : '0';
          const prediction = rng() < (label === '1' ? 0.8 : 0.15) ? '1' : '0';
          row[0] = label;
          row[1] = prediction;
          row[2] = female ? 'F' : 'M';
          row[3] = String(18 + Math.floor(rng() * 60));
          row[4] = String(Math.floor(rng() * 120));
          row[5] = String(Math.floor(rng() * 8));
          yield row;
        }
      },
    }),
  };
}

export async function benchBias(
  records: number,
): Promise<{ seconds: number; rowsPerSecond: number; heapMb: number }> {
  const config = parseClarifyAnalysisConfig(
    JSON.stringify({
      label: 'label',
      label_values_or_threshold: [1],
      facet: [{ name_or_index: 'sex', value_or_threshold: ['F'] }],
      group_variable: 'region',
      predicted_label: 'prediction',
    }),
    'bench-config.json',
  );
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 50);
  const r = await computeBiasAnalysis(table(records), {
    config,
    configFile: 'bench-config.json',
    flipTest: { maxRowsPerGroup: 2000 },
  });
  clearInterval(timer);
  const cpu = process.cpuUsage(cpu0);
  const seconds = (cpu.user + cpu.system) / 1e6;
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  if (r.rows !== records) throw new Error(`expected ${records} rows, got ${r.rows}`);
  return { seconds, rowsPerSecond: records / seconds, heapMb: peak / 2 ** 20 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const records = Number(process.argv[2] ?? 1_000_000);
  const r = await benchBias(records);
  process.stdout.write(
    `bias analysis over ${records} joined rows (all metrics, FT on 2,000 rows per group): ${r.seconds.toFixed(1)} s CPU, ${Math.round(r.rowsPerSecond)} rows/s, peak heap ${r.heapMb.toFixed(0)} MB\n`,
  );
}
