/** Sensitive-data findings per column as `scan` and `baseline` print them (types, shares, counts; never values). */
import type { DatasetProfile } from '../metrics/profile/dataset-profile.js';
import { sensitiveTypeInfo } from '../metrics/sensitive/detectors.js';

export interface ColumnFindings {
  column: string;
  values: number;
  findings: Array<{ type: string; macie: boolean; count: number; share: number }>;
}

export function columnFindings(profile: DatasetProfile): ColumnFindings[] {
  return profile.columns
    .filter((c) => c.sensitive.any)
    .map((c) => ({
      column: c.name,
      values: c.numPresent,
      findings: c.sensitive.findings().map((f) => ({
        type: f.type,
        macie: sensitiveTypeInfo[f.type].macie,
        count: f.count,
        share: c.numPresent > 0 ? f.count / c.numPresent : 0,
      })),
    }));
}

/** The findings table (a header and one line per column and type). */
export function findingsTable(columns: readonly ColumnFindings[]): string {
  let out = `${'column'.padEnd(24)} ${'type'.padEnd(28)} ${'share'.padStart(8)} ${'count'.padStart(10)}\n`;
  for (const c of columns) {
    for (const f of c.findings) {
      out += `${JSON.stringify(c.column).slice(0, 24).padEnd(24)} ${f.type.padEnd(28)} ${(f.share * 100).toFixed(2).padStart(7)}% ${String(f.count).padStart(10)}\n`;
    }
  }
  return out;
}
