/**
 * Per-column sensitive-data findings: how many of the column's values are of each sensitive type.
 * Mergeable (sums), serialisable, and cheap to update: `add(text)` runs `detectSensitive` once.
 */
import { detectSensitive, NOT_SENSITIVE, type SensitiveType, sensitiveTypes } from './detectors.js';

/** JSON form: only the types that were found, with their counts. */
export type SensitiveFindingsJSON = Partial<Record<SensitiveType, number>>;

export interface SensitiveFinding {
  type: SensitiveType;
  count: number;
}

export class SensitiveFindings {
  readonly #counts = new Float64Array(sensitiveTypes.length);
  /** Values with any finding. */
  total = 0;

  /** Checks one value; returns the type index found or `NOT_SENSITIVE`. */
  add(text: string): number {
    const i = detectSensitive(text);
    if (i !== NOT_SENSITIVE) {
      this.#counts[i]!++;
      this.total++;
    }
    return i;
  }

  /** Counts one value of the type at `index` (already detected). */
  addIndex(index: number): void {
    this.#counts[index]!++;
    this.total++;
  }

  addType(type: SensitiveType, count = 1): void {
    this.#counts[sensitiveTypes.indexOf(type)]! += count;
    this.total += count;
  }

  count(type: SensitiveType): number {
    return this.#counts[sensitiveTypes.indexOf(type)]!;
  }

  get any(): boolean {
    return this.total > 0;
  }

  /** The types found, most frequent first. */
  findings(): SensitiveFinding[] {
    const out: SensitiveFinding[] = [];
    for (let i = 0; i < sensitiveTypes.length; i++) {
      const count = this.#counts[i]!;
      if (count > 0) out.push({ type: sensitiveTypes[i]!, count });
    }
    return out.sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
  }

  merge(other: SensitiveFindings): this {
    for (let i = 0; i < sensitiveTypes.length; i++) this.#counts[i]! += other.#counts[i]!;
    this.total += other.total;
    return this;
  }

  toJSON(): SensitiveFindingsJSON {
    const out: SensitiveFindingsJSON = {};
    for (const f of this.findings()) out[f.type] = f.count;
    return out;
  }

  static fromJSON(json: SensitiveFindingsJSON | undefined): SensitiveFindings {
    const findings = new SensitiveFindings();
    if (!json) return findings;
    for (const type of sensitiveTypes) {
      const count = Object.hasOwn(json, type) ? json[type] : undefined;
      if (typeof count === 'number' && count > 0) findings.addType(type, count);
    }
    return findings;
  }
}
