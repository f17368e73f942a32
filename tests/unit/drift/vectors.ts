/** Loads tests/fixtures/drift/vectors.json (made by generate.py next to it) and rebuilds its samples. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface WeylSpec {
  n: number;
  alpha: number;
  offset: number;
  scale: number;
  shift: number;
  power?: number;
  round_to?: number;
}

export type SampleSpec = number[] | WeylSpec;

export interface RefTest {
  statistic: number;
  p_value?: number | null;
  method?: string;
  [key: string]: unknown;
}

export interface NumericCase {
  baseline: SampleSpec;
  current: SampleSpec;
  expected: Record<string, RefTest>;
}

export interface CategoricalCase {
  baseline: Record<string, number>;
  current: Record<string, number>;
  expected: Record<string, (RefTest & { dof?: number }) | null>;
}

export interface Vectors {
  numpy: string;
  scipy: string;
  numeric: Record<string, NumericCase>;
  categorical: Record<string, CategoricalCase>;
  [key: string]: unknown;
}

const path = fileURLToPath(new URL('../../fixtures/drift/vectors.json', import.meta.url));
export const vectors: Vectors = JSON.parse(readFileSync(path, 'utf8'));

/** Same arithmetic as `weyl()` in generate.py. */
export function weyl(spec: WeylSpec): Float64Array {
  const out = new Float64Array(spec.n);
  const power = Math.trunc(spec.power ?? 1);
  const roundTo = spec.round_to ?? 0;
  for (let i = 0; i < spec.n; i++) {
    const u = pyMod(spec.offset + i * spec.alpha, 1);
    let v = u;
    for (let p = 1; p < power; p++) v = v * u;
    let x = spec.shift + spec.scale * v;
    if (roundTo > 0) x = Math.floor(x / roundTo + 0.5) * roundTo;
    out[i] = x;
  }
  return out;
}

function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

export function materialise(spec: SampleSpec): Float64Array {
  return Array.isArray(spec) ? Float64Array.from(spec) : weyl(spec);
}

export function toMap(counts: Record<string, number>): Map<string, number> {
  return new Map(Object.entries(counts));
}

/** |actual − expected| ≤ rel·|expected| + abs. */
export function close(actual: number, expected: number, rel: number, abs = 0): boolean {
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= rel * Math.abs(expected) + abs;
}
