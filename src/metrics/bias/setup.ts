/**
 * Pass 1 of a Clarify bias analysis (spec §9.3; pass 2 is analysis.ts): one {@link BiasColumnScan} per
 * used column (label, predicted label, facets, group) gathers what pandas needs the whole column for
 * (dtype flags, distinct values in first-appearance order, exact up to a bound, the numeric maximum), and
 * {@link resolveBiasSetup} turns the scans into the label / prediction / facet selections. Pure: no I/O.
 */
import {
  type BiasSelector,
  biasSelector,
  type ColumnKind,
  type PandasDtype,
  UNIQUENESS_THRESHOLD,
} from './selection.js';

type Given = string | number | boolean;

const INTEGER = /^[+-]?\d+$/;

/** Distinct values kept per scanned column (beyond it uniqueness is estimated from the bound). */
export const MAX_TRACKED_DISTINCT = 200_000;

/** Pass 1 over one column: what smclarify's `series_datatype` and the interval strings need. */
export class BiasColumnScan {
  private allInt = true;
  private allNum = true;
  private allBool = true;
  private anyEmpty = false;
  nonEmpty = 0;
  max = Number.NEGATIVE_INFINITY;
  /** Distinct non-empty values in first-appearance order (up to {@link MAX_TRACKED_DISTINCT}). */
  readonly distinct = new Set<string>();
  distinctOverflow = false;

  add(cell: string): void {
    if (cell === '') {
      this.anyEmpty = true;
      return;
    }
    this.nonEmpty++;
    if (this.allInt && !INTEGER.test(cell)) this.allInt = false;
    const n = Number(cell);
    const numeric = cell.trim() !== '' && (Number.isFinite(n) || cell.toLowerCase() === 'nan');
    if (!numeric) this.allNum = false;
    else if (n > this.max) this.max = n;
    if (this.allBool && cell !== 'True' && cell !== 'False' && cell !== 'true' && cell !== 'false') {
      this.allBool = false;
    }
    if (this.distinct.size < MAX_TRACKED_DISTINCT) this.distinct.add(cell);
    else if (!this.distinct.has(cell)) this.distinctOverflow = true;
  }

  /** pandas' read_csv dtype (as selection.ts `pandasDtype`, streamed). */
  dtype(): PandasDtype {
    if (this.nonEmpty === 0) return 'float64';
    if (this.allInt) return this.anyEmpty ? 'float64' : 'int64';
    if (this.allNum) return 'float64';
    if (this.allBool && !this.anyEmpty) return 'bool';
    return 'object';
  }

  /** Distinct / non-null; a lower bound once the tracked set overflowed. */
  uniqueness(): number {
    return this.nonEmpty === 0 ? 0 : this.distinct.size / this.nonEmpty;
  }

  /** smclarify `series_datatype` given the configured values (§9.3). */
  kind(given: readonly Given[]): ColumnKind {
    if (given.length > 1) return 'categorical';
    switch (this.dtype()) {
      case 'float64':
        return 'continuous';
      case 'int64':
        return this.distinctOverflow || this.uniqueness() >= UNIQUENESS_THRESHOLD
          ? 'continuous'
          : 'categorical';
      default:
        return 'categorical';
    }
  }
}

export interface BiasFacetConfig {
  name: string;
  /** Configured `value_or_threshold`; undefined = one entry per distinct value (categorical only). */
  values?: readonly Given[];
}

export interface BiasAnalysisSetup {
  labelValues: readonly Given[];
  facets: readonly BiasFacetConfig[];
  /** True when a predicted label is available (post-training metrics). */
  hasPrediction: boolean;
  hasGroup: boolean;
  /** Metric names per stage (default all of the stage). */
  preTraining?: readonly string[];
  postTraining?: readonly string[];
  /** FT: rows kept per group (memory bound), at most this many facet entries get an FT. */
  flipTest?: { maxRowsPerGroup?: number; maxEntries?: number; seed?: number };
}

export interface ResolvedFacet {
  name: string;
  /** Column kind decision, or the error that fails every metric of this facet. */
  error?: string;
  entries: { key: string; valueOrThreshold: string }[];
  /** Row facet cell → key, or undefined (empty cell: dropped). */
  keyOf(cell: string): string | undefined;
}

export interface ResolvedSetup {
  label: BiasSelector | { error: string };
  prediction?: BiasSelector | { error: string };
  facets: ResolvedFacet[];
}

/**
 * Decides label / prediction / facet selections from the pass-1 scans (§9.3). `prediction` scans
 * label ∪ predicted label for the interval's max, as smclarify does.
 */
export function resolveBiasSetup(
  setup: BiasAnalysisSetup,
  scans: { label: BiasColumnScan; prediction?: BiasColumnScan; facets: BiasColumnScan[] },
): ResolvedSetup {
  const labelKind = scans.label.kind(setup.labelValues);
  const label = biasSelector(labelKind, setup.labelValues, scans.label.max, scans.label.dtype());
  let prediction: ResolvedSetup['prediction'];
  if (setup.hasPrediction && scans.prediction !== undefined) {
    const predKind = scans.prediction.kind(setup.labelValues);
    if (predKind !== labelKind) {
      prediction = { error: 'Predicted Label Column series datatype is not the same as Label Column series' };
    } else {
      prediction = biasSelector(
        predKind,
        setup.labelValues,
        Math.max(scans.label.max, scans.prediction.max),
        scans.prediction.dtype(),
      );
    }
  }
  const facets = setup.facets.map((f, i): ResolvedFacet => {
    const scan = scans.facets[i] ?? new BiasColumnScan();
    const given = f.values ?? [];
    const kind = scan.kind(given);
    if (f.values === undefined || f.values.length === 0) {
      if (kind === 'continuous') {
        return {
          name: f.name,
          error: 'Threshold values must be provided for continuous features',
          entries: [],
          keyOf: () => undefined,
        };
      }
      return {
        name: f.name,
        entries: [...scan.distinct].map((v) => ({ key: v, valueOrThreshold: v })),
        keyOf: (cell) => (cell === '' ? undefined : cell),
      };
    }
    const sel = biasSelector(kind, given, scan.max, scan.dtype());
    if ('error' in sel) return { name: f.name, error: sel.error, entries: [], keyOf: () => undefined };
    return {
      name: f.name,
      entries: [{ key: 'd', valueOrThreshold: sel.valueOrThreshold }],
      keyOf: (cell) => (cell === '' ? undefined : sel.matches(cell) ? 'd' : 'a'),
    };
  });
  return { label, prediction, facets };
}
