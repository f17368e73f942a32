/**
 * How the benches report a figure measured several times on a shared, noisy machine (issue 15): the
 * minimum, median and maximum of the runs, and the machine's load average next to it. Figures that compare
 * two programs are ratios measured in the same interleaved round (A, B, A, B, ...), never two bests taken
 * at different times.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';

/** `[min, median, max]` of the values (the lower median for an even count). */
export function spread(values: readonly number[]): [number, number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN, Number.NaN];
  const sorted = [...values].sort((a, b) => a - b);
  return [sorted[0]!, sorted[Math.floor((sorted.length - 1) / 2)]!, sorted[sorted.length - 1]!];
}

/** `min / median / max` with a formatter, e.g. `0.61 / 0.64 / 0.70`. */
export function formatSpread(values: readonly number[], format: (x: number) => string): string {
  const [min, median, max] = spread(values);
  return values.length === 1 ? format(median) : `${format(min)} / ${format(median)} / ${format(max)}`;
}

/** The machine's load right now, as `uptime` prints it, with the number of cores. */
export function machineLoad(): string {
  const [one, five, fifteen] = loadavg();
  return `load average ${one!.toFixed(2)}, ${five!.toFixed(2)}, ${fifteen!.toFixed(2)} on ${availableParallelism()} cores`;
}

/**
 * The processor the figures come from (`AMD EPYC, family 26 model 2, 2 cores`): ratios against the bare
 * loop differ from one processor to another (README, Performance), so every bench run names it.
 */
export function machineCpu(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown processor';
  let detail = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm').exec(info)?.[1]?.trim();
    const family = field('cpu family');
    const number = field('model');
    if (family !== undefined && number !== undefined) detail = `, family ${family} model ${number}`;
  } catch {
    // Not Linux: the model name alone.
  }
  return `${model}${detail}, ${availableParallelism()} cores`;
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmtRatio = (n: number): string => n.toFixed(2);
