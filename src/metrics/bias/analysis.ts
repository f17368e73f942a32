/**
 * A whole Clarify bias analysis from streamed rows (spec §9.2–9.5), in two passes as pandas needs
 * the whole column before it can classify it:
 *
 * 1. `BiasColumnScan` per used column, then `resolveBiasSetup` (setup.ts): the selections.
 * 2. {@link BiasAccumulator} (here): per facet, the (y, ŷ[, group]) cells of every facet key (the value
 *    itself for a categorical facet without configured values, else in/out), from which each
 *    entry's {@link BiasCounts} follow as "key k" vs "all the rest" without a second pass. FT keeps a
 *    bounded sample per entry.
 *
 * Missing values (§9.3, container behaviour unconfirmed): a row with an empty label, prediction or
 * facet cell is left out of that facet's analysis and counted in `dropped`; an empty group cell is
 * its own group value `""`. Pure: no I/O.
 */
import { type BiasCounts, cellIndex, emptyBiasCounts } from './counts.js';
import { FlipTestSample } from './flip-test.js';
import { type BiasMetricResult, biasMetrics, computeBiasMetrics } from './metrics.js';
import type { BiasAnalysisSetup, ResolvedSetup } from './setup.js';

interface KeyCells {
  cells: Float64Array; // 4 cells: y·2 + ŷ
  groups: Map<string, Float64Array>;
}

function keyCells(map: Map<string, KeyCells>, key: string): KeyCells {
  let k = map.get(key);
  if (k === undefined) {
    k = { cells: new Float64Array(4), groups: new Map() };
    map.set(key, k);
  }
  return k;
}

function bump(cells: Map<string, Float64Array>, g: string, i: number): void {
  let c = cells.get(g);
  if (c === undefined) {
    c = new Float64Array(4);
    cells.set(g, c);
  }
  c[i] = (c[i] ?? 0) + 1;
}

export interface BiasRow {
  label: string;
  prediction?: string;
  /** Facet cells in setup order. */
  facets: readonly string[];
  group?: string;
  /** FT features (numeric, every column but facet, label and prediction), or a reason they are not. */
  features?: ArrayLike<number> | { error: string };
}

export interface BiasFacetResult {
  name: string;
  entries: {
    valueOrThreshold: string;
    pre: BiasMetricResult[];
    post: BiasMetricResult[];
    /** The counts behind the counts-based metrics (bootstrap, merging). */
    counts: BiasCounts;
  }[];
  /** Rows left out of this facet (empty facet, label or prediction cell). */
  dropped: number;
  /** Fails the whole facet (smclarify raises for it), e.g. a continuous facet without threshold. */
  error?: string;
}

/** Pass 2: counts per facet key; `finish()` gives Clarify's entries. */
export class BiasAccumulator {
  private readonly perFacet: {
    keys: Map<string, KeyCells>;
    total: KeyCells;
    dropped: number;
    ft: Map<string, FlipTestSample>;
  }[];
  private ftError: string | undefined;
  rows = 0;

  constructor(
    readonly setup: BiasAnalysisSetup,
    readonly resolved: ResolvedSetup,
  ) {
    const maxEntries = setup.flipTest?.maxEntries ?? 10;
    this.perFacet = resolved.facets.map(() => ({
      keys: new Map(),
      total: { cells: new Float64Array(4), groups: new Map() },
      dropped: 0,
      ft: new Map(),
    }));
    if (!setup.hasPrediction) this.ftError = 'No predicted labels';
    this.maxFtEntries = maxEntries;
  }

  private readonly maxFtEntries: number;
  private featureCount = -1;

  add(row: BiasRow): void {
    this.rows++;
    const label = this.resolved.label;
    const pred = this.resolved.prediction;
    const y = !('error' in label) && row.label !== '' && label.matches(row.label);
    let yhat = false;
    let missing = row.label === '';
    if (this.setup.hasPrediction) {
      const p = row.prediction ?? '';
      if (p === '') missing = true;
      else if (pred !== undefined && !('error' in pred)) yhat = pred.matches(p);
    }
    const i = (y ? 2 : 0) + (yhat ? 1 : 0);
    const g = this.setup.hasGroup ? (row.group ?? '') : undefined;
    let features: Float64Array | undefined;
    if (this.setup.hasPrediction && this.ftError === undefined) {
      if (row.features === undefined || 'error' in row.features) {
        this.ftError =
          row.features && 'error' in row.features ? row.features.error : 'FlipTest needs the feature columns';
      } else {
        features = Float64Array.from(row.features);
        if (this.featureCount === -1) this.featureCount = features.length;
      }
    }
    this.resolved.facets.forEach((facet, fi) => {
      const acc = this.perFacet[fi];
      if (acc === undefined || facet.error !== undefined) return;
      const key = missing ? undefined : facet.keyOf(row.facets[fi] ?? '');
      if (key === undefined) {
        acc.dropped++;
        return;
      }
      const kc = keyCells(acc.keys, key);
      kc.cells[i] = (kc.cells[i] ?? 0) + 1;
      acc.total.cells[i] = (acc.total.cells[i] ?? 0) + 1;
      if (g !== undefined) {
        bump(kc.groups, g, i);
        bump(acc.total.groups, g, i);
      }
      if (features !== undefined) {
        const entries = facet.entries.slice(0, this.maxFtEntries);
        for (const e of entries) {
          let s = acc.ft.get(e.key);
          if (s === undefined) {
            s = new FlipTestSample(this.featureCount, this.setup.flipTest);
            acc.ft.set(e.key, s);
          }
          s.add(key === e.key, features, yhat);
        }
      }
    });
  }

  /** Counts of one entry: key k is group d, every other key group a. */
  private countsOf(fi: number, key: string): BiasCounts {
    const acc = this.perFacet[fi];
    const out = emptyBiasCounts();
    if (acc === undefined) return out;
    const d = acc.keys.get(key);
    const put = (target: Float64Array, dCells: Float64Array | undefined, all: Float64Array) => {
      for (let y = 0; y < 2; y++) {
        for (let p = 0; p < 2; p++) {
          const j = y * 2 + p;
          const inD = dCells?.[j] ?? 0;
          target[cellIndex(true, y === 1, p === 1)] = inD;
          target[cellIndex(false, y === 1, p === 1)] = (all[j] ?? 0) - inD;
        }
      }
    };
    put(out.cells, d?.cells, acc.total.cells);
    if (this.setup.hasGroup) {
      out.hasGroup = true;
      for (const [g, all] of acc.total.groups) {
        const cells = new Float64Array(8);
        put(cells, d?.groups.get(g), all);
        out.groups.set(g, cells);
      }
    }
    return out;
  }

  finish(): BiasFacetResult[] {
    const preNames = (
      this.setup.preTraining ??
      Object.values(biasMetrics)
        .filter((m) => m.stage === 'pre_training')
        .map((m) => m.name)
    )
      .slice()
      .sort();
    const postNames = this.setup.hasPrediction
      ? (
          this.setup.postTraining ?? [
            ...Object.values(biasMetrics)
              .filter((m) => m.stage === 'post_training')
              .map((m) => m.name),
            'FT',
          ]
        )
          .slice()
          .sort()
      : [];
    const describe = (name: string) =>
      name === 'FT'
        ? 'Flip Test (FT)'
        : ((biasMetrics as Record<string, { description: string }>)[name]?.description ?? name);
    const failAll = (names: string[], error: string): BiasMetricResult[] =>
      names.map((n) => ({ name: n, description: describe(n), value: null, error }));
    return this.resolved.facets.map((facet, fi) => {
      const acc = this.perFacet[fi];
      const dropped = acc?.dropped ?? 0;
      if (facet.error !== undefined) {
        return { name: facet.name, entries: [], dropped, error: facet.error };
      }
      return {
        name: facet.name,
        dropped,
        entries: facet.entries.map((e) => {
          const counts = this.countsOf(fi, e.key);
          const labelError = 'error' in this.resolved.label ? this.resolved.label.error : undefined;
          const counted = (names: string[]) =>
            computeBiasMetrics(counts, names.filter((n) => n !== 'FT') as (keyof typeof biasMetrics)[]);
          const pre = labelError ? failAll(preNames, labelError) : counted(preNames);
          let post: BiasMetricResult[] = [];
          if (postNames.length > 0) {
            const pred = this.resolved.prediction;
            const predError =
              labelError ??
              (pred === undefined ? 'No predicted labels' : 'error' in pred ? pred.error : undefined);
            if (predError) post = failAll(postNames, predError);
            else {
              post = counted(postNames);
              if (postNames.includes('FT')) {
                const s = acc?.ft.get(e.key);
                const ft = this.ftError
                  ? { error: this.ftError }
                  : s === undefined
                    ? { error: `FT not computed: more than ${this.maxFtEntries} facet values (memory bound)` }
                    : s.compute();
                const r: BiasMetricResult =
                  'error' in ft
                    ? { name: 'FT', description: describe('FT'), value: null, error: ft.error }
                    : { name: 'FT', description: describe('FT'), value: ft.value };
                post.push(r);
                post.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
              }
            }
          }
          return { valueOrThreshold: e.valueOrThreshold, pre, post, counts };
        }),
      };
    });
  }
}
