/**
 * Synthetic training data and SageMaker-style captured traffic, for the demo, tests and benchmarks.
 * Deterministic (seeded). Features: the label/prediction first (SageMaker's rule: outputs first), then
 * numeric and categorical inputs. `drift` shifts chosen features from a given time on.
 */
import { randomUUID } from 'node:crypto';
import { mulberry32, normalSampler } from '../core/random.js';
import type { Storage } from '../io/storage.js';
import { joinUri } from '../io/storage.js';

export interface DriftSpec {
  /** Features that shift (by name) and how: numeric mean shift in std units, or categorical reweighting. */
  numericShift?: Record<string, number>;
  categorical?: Record<string, Record<string, number>>;
}

interface FeatureDef {
  name: string;
  kind: 'int' | 'float' | 'cat';
  mean?: number;
  std?: number;
  digits?: number;
  categories?: Record<string, number>;
}

/** The demo model's inputs (after the `prediction` output column). */
export const DEMO_FEATURES: FeatureDef[] = [
  { name: 'age', kind: 'int', mean: 42, std: 12 },
  { name: 'income', kind: 'float', mean: 58_000, std: 15_000, digits: 2 },
  { name: 'tenure_months', kind: 'int', mean: 30, std: 10 },
  { name: 'sessions_per_week', kind: 'float', mean: 5, std: 1.5, digits: 3 },
  { name: 'basket_value', kind: 'float', mean: 80, std: 20, digits: 2 },
  { name: 'support_calls', kind: 'int', mean: 2, std: 1 },
  { name: 'plan', kind: 'cat', categories: { basic: 0.5, silver: 0.35, gold: 0.15 } },
  { name: 'region', kind: 'cat', categories: { north: 0.25, south: 0.25, east: 0.25, west: 0.25 } },
  { name: 'device', kind: 'cat', categories: { ios: 0.45, android: 0.45, web: 0.1 } },
];

export const DEMO_COLUMNS = ['prediction', ...DEMO_FEATURES.map((f) => f.name)];

function pick(categories: Record<string, number>, u: number): string {
  let acc = 0;
  const entries = Object.entries(categories);
  for (const [value, p] of entries) {
    acc += p;
    if (u < acc) return value;
  }
  return entries[entries.length - 1]![0];
}

/** A row generator: returns the CSV cells of one row (prediction first). */
export function rowGenerator(seed: number): (drift?: DriftSpec) => string[] {
  const rand = mulberry32(seed);
  const normal = normalSampler(rand);
  return (drift) => {
    const cells: string[] = new Array(DEMO_FEATURES.length + 1);
    let z = 0;
    for (let i = 0; i < DEMO_FEATURES.length; i++) {
      const f = DEMO_FEATURES[i]!;
      if (f.kind === 'cat') {
        const cats = drift?.categorical?.[f.name] ?? f.categories!;
        cells[i + 1] = pick(cats, rand());
      } else {
        const shift = drift?.numericShift?.[f.name] ?? 0;
        const x = f.mean! + f.std! * (normal() + shift);
        z += (x - f.mean!) / f.std! / 3;
        cells[i + 1] = f.kind === 'int' ? String(Math.max(0, Math.round(x))) : x.toFixed(f.digits ?? 3);
      }
    }
    cells[0] = (1 / (1 + Math.exp(-z))).toFixed(4);
    return cells;
  };
}

/** Writes a training CSV with a header (prediction first). */
export async function writeTrainingCsv(storage: Storage, uri: string, rows: number, seed = 1): Promise<void> {
  const next = rowGenerator(seed);
  const lines = [DEMO_COLUMNS.join(',')];
  for (let i = 0; i < rows; i++) lines.push(next().join(','));
  await storage.write(uri, `${lines.join('\n')}\n`);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** One SageMaker capture line with CSV payloads. */
export function captureLine(cells: string[], time: Date, eventId: string, inferenceId?: string): string {
  const input = cells.slice(1).join(',');
  const record = {
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: input, encoding: 'CSV' },
      endpointOutput: {
        observedContentType: 'text/csv; charset=utf-8',
        mode: 'OUTPUT',
        data: cells[0],
        encoding: 'CSV',
      },
    },
    eventMetadata: {
      eventId,
      ...(inferenceId ? { inferenceId } : {}),
      inferenceTime: `${time.toISOString().slice(0, 19)}Z`,
    },
    eventVersion: '0',
  };
  return JSON.stringify(record);
}

export interface CaptureGenerationOptions {
  captureUri: string;
  endpoint: string;
  variant?: string;
  start: Date;
  hours: number;
  recordsPerHour: number;
  /** Files per hour (SageMaker writes one every few minutes). */
  filesPerHour?: number;
  seed?: number;
  /** Drift applied from this time on. */
  driftFrom?: Date;
  drift?: DriftSpec;
}

/** Writes `<capture>/<endpoint>/<variant>/yyyy/mm/dd/hh/<MM>-<SS>-<mmm>-<uuid>.jsonl` files hour by hour. */
export async function writeCaptureHours(
  storage: Storage,
  options: CaptureGenerationOptions,
): Promise<number> {
  const next = rowGenerator(options.seed ?? 2);
  const filesPerHour = options.filesPerHour ?? 4;
  let written = 0;
  for (let h = 0; h < options.hours; h++) {
    const hourStart = options.start.getTime() + h * 3_600_000;
    const perFile = Math.ceil(options.recordsPerHour / filesPerHour);
    for (let f = 0; f < filesPerHour; f++) {
      const lines: string[] = [];
      const fileStart = hourStart + (f * 3_600_000) / filesPerHour;
      for (let i = 0; i < perFile && f * perFile + i < options.recordsPerHour; i++) {
        const t = new Date(fileStart + (i * 3_600_000) / filesPerHour / perFile);
        const drifting = options.driftFrom !== undefined && t >= options.driftFrom;
        const cells = next(drifting ? options.drift : undefined);
        lines.push(captureLine(cells, t, randomUUID()));
      }
      if (lines.length === 0) continue;
      const t0 = new Date(fileStart);
      const folder = `${t0.getUTCFullYear()}/${pad(t0.getUTCMonth() + 1)}/${pad(t0.getUTCDate())}/${pad(t0.getUTCHours())}`;
      const name = `${pad(t0.getUTCMinutes())}-${pad(t0.getUTCSeconds())}-${pad(t0.getUTCMilliseconds(), 3)}-${randomUUID()}.jsonl`;
      await storage.write(
        joinUri(options.captureUri, options.endpoint, options.variant ?? 'AllTraffic', folder, name),
        `${lines.join('\n')}\n`,
      );
      written += lines.length;
    }
  }
  return written;
}
