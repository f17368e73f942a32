/**
 * Bias analysis of a labelled table that already holds predictions (spec §9.9: the baseline the
 * worker can build without calling a model) → Clarify `analysis.json` (§9.5). Used by
 * `driftwatch baseline --analysis bias` and by bias-drift executions (a window's joined rows).
 *
 * The table is read twice (pandas needs a whole column to classify it, §9.3): pass 1 scans the
 * label, prediction, facet columns; pass 2 counts. Memory: the scans' distinct sets (bounded), the
 * counts per facet key and group value, and FT's bounded samples.
 */

import {
  type ClarifyAnalysisConfig,
  type ClarifyScalar,
  parseClarifyAnalysisConfig,
  requireBiasConfig,
} from '../config/clarify.js';
import { ConfigError } from '../core/errors.js';
import type { IssueLog } from '../core/issues.js';
import type { Cell } from '../core/types.js';
import { openDataset } from '../io/datasets/index.js';
import type { DatasetFormat } from '../io/datasets/objects.js';
import { joinUri, type Storage } from '../io/storage.js';
import { BiasAccumulator, type BiasFacetResult } from '../metrics/bias/analysis.js';
import { type BiasAnalysisSetup, BiasColumnScan, resolveBiasSetup } from '../metrics/bias/setup.js';
import { type ClarifyAnalysis, type ClarifyBiasStage, renderClarifyAnalysis } from './clarify-analysis.js';
import { readNamedFile } from './read.js';

/** A table that can be read more than once. */
export interface RereadableTable {
  open(): Promise<{ columns: string[]; rows(): AsyncIterable<Cell[]> }>;
}

/** A cell as pandas' CSV reader would have seen its text. */
export function biasCellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'boolean') return cell ? 'True' : 'False';
  return String(cell);
}

export interface BiasAnalysisResult {
  analysis: ClarifyAnalysis;
  facets: BiasFacetResult[];
  rows: number;
}

function columnIndex(
  columns: readonly string[],
  headers: readonly string[] | undefined,
  attr: string | number,
): number | undefined {
  if (typeof attr === 'number') return attr < columns.length || columns.length === 0 ? attr : undefined;
  const i = columns.indexOf(attr);
  if (i >= 0) return i;
  const h = headers?.indexOf(attr) ?? -1;
  return h >= 0 ? h : undefined;
}

function columnName(columns: readonly string[], headers: readonly string[] | undefined, i: number): string {
  return headers?.[i] ?? columns[i] ?? `column_${i}`;
}

export interface BiasAnalysisOptions {
  config: ClarifyAnalysisConfig;
  /** Where the config came from (errors name it). */
  configFile: string;
  /** Predicted-label column (name or index); default the config's `predicted_label`. */
  predictedLabel?: string | number;
  flipTest?: BiasAnalysisSetup['flipTest'];
}

/** Runs the two passes over `table` and returns Clarify's analysis. */
export async function computeBiasAnalysis(
  table: RereadableTable,
  options: BiasAnalysisOptions,
): Promise<BiasAnalysisResult> {
  const c = options.config;
  requireBiasConfig(c, options.configFile);
  const predictedAttr = options.predictedLabel ?? c.predictedLabel;

  // Pass 1.
  const first = await table.open();
  const need = (attr: string | number, field: string): number => {
    const i = columnIndex(first.columns, c.headers, attr);
    if (i === undefined) {
      throw new ConfigError(
        `no column ${JSON.stringify(attr)} in the data (columns: ${first.columns.slice(0, 20).join(', ')})`,
        { file: options.configFile, field },
      );
    }
    return i;
  };
  const labelCol = need(c.label, 'label');
  const predCol = predictedAttr === undefined ? undefined : need(predictedAttr, 'predicted_label');
  const facetCols = c.facets.map((f, i) => need(f.nameOrIndex, `facet[${i}].name_or_index`));
  const groupCol = c.groupVariable === undefined ? undefined : need(c.groupVariable, 'group_variable');
  const scans = {
    label: new BiasColumnScan(),
    prediction: predCol === undefined ? undefined : new BiasColumnScan(),
    facets: facetCols.map(() => new BiasColumnScan()),
  };
  for await (const row of first.rows()) {
    scans.label.add(biasCellText(row[labelCol]));
    if (predCol !== undefined) scans.prediction?.add(biasCellText(row[predCol]));
    facetCols.forEach((fc, i) => {
      scans.facets[i]?.add(biasCellText(row[fc]));
    });
  }
  const setup: BiasAnalysisSetup = {
    labelValues: c.labelValues,
    facets: c.facets.map((f, i) => ({
      name: columnName(first.columns, c.headers, facetCols[i] ?? 0),
      ...(f.values !== undefined ? { values: f.values } : {}),
    })),
    hasPrediction: predCol !== undefined,
    hasGroup: groupCol !== undefined,
    ...(c.preTraining !== undefined ? { preTraining: c.preTraining } : {}),
    ...(c.postTraining !== undefined ? { postTraining: c.postTraining } : {}),
    ...(options.flipTest !== undefined ? { flipTest: options.flipTest } : {}),
  };
  const resolved = resolveBiasSetup(setup, scans);
  const acc = new BiasAccumulator(setup, resolved);

  // Pass 2.
  const second = await table.open();
  const excluded = new Set([labelCol, ...(predCol !== undefined ? [predCol] : []), ...facetCols]);
  let featureCols: number[] | undefined;
  const facetCells: string[] = facetCols.map(() => '');
  for await (const row of second.rows()) {
    featureCols ??= second.columns.map((_, i) => i).filter((i) => !excluded.has(i));
    let features: Float64Array | { error: string } | undefined;
    if (predCol !== undefined) {
      const f = new Float64Array(featureCols.length);
      for (let k = 0; k < featureCols.length; k++) {
        const cell = row[featureCols[k] ?? 0];
        const v =
          typeof cell === 'number'
            ? cell
            : typeof cell === 'boolean'
              ? Number(cell)
              : cell === 'True' || cell === 'true'
                ? 1
                : cell === 'False' || cell === 'false'
                  ? 0
                  : typeof cell === 'string' && cell.trim() !== ''
                    ? Number(cell)
                    : Number.NaN;
        if (!Number.isFinite(v)) {
          features = { error: 'FlipTest does not support non-numeric columns' };
          break;
        }
        f[k] = v;
      }
      features ??= f;
    }
    for (let i = 0; i < facetCols.length; i++) facetCells[i] = biasCellText(row[facetCols[i] ?? 0]);
    acc.add({
      label: biasCellText(row[labelCol]),
      ...(predCol !== undefined ? { prediction: biasCellText(row[predCol]) } : {}),
      facets: facetCells,
      ...(groupCol !== undefined ? { group: biasCellText(row[groupCol]) } : {}),
      ...(features !== undefined ? { features } : {}),
    });
  }
  const facets = acc.finish();
  for (const f of facets) {
    if (f.error !== undefined) throw new ConfigError(f.error, { file: options.configFile, field: 'facet' });
  }
  const label = columnName(first.columns, c.headers, labelCol);
  const labelValueOrThreshold = 'error' in resolved.label ? '' : resolved.label.valueOrThreshold;
  if ('error' in resolved.label) {
    throw new ConfigError(resolved.label.error, {
      file: options.configFile,
      field: 'label_values_or_threshold',
    });
  }
  const stage = (pick: 'pre' | 'post'): ClarifyBiasStage => ({
    label,
    labelValueOrThreshold,
    facets: new Map(
      facets.map((f) => [
        f.name,
        f.entries.map((e) => ({
          valueOrThreshold: e.valueOrThreshold,
          metrics: pick === 'pre' ? e.pre : e.post,
        })),
      ]),
    ),
  });
  const analysis: ClarifyAnalysis = { version: '1.0' };
  // With `methods`, a stage it does not name is not computed; without, both are (§9.2, unconfirmed).
  const withMethods = c.preTraining !== undefined || c.postTraining !== undefined;
  const wants = (names: string[] | undefined) => (withMethods ? (names?.length ?? 0) > 0 : true);
  if (predCol !== undefined && wants(c.postTraining)) analysis.postTraining = stage('post');
  if (wants(c.preTraining)) analysis.preTraining = stage('pre');
  return { analysis, facets, rows: acc.rows };
}

export interface BiasBaselineOptions {
  dataset: string;
  analysisConfig: string;
  out: string;
  format?: DatasetFormat;
  header?: boolean;
  issues?: IssueLog;
  /** Overrides the config's `predicted_label`. */
  predictedLabel?: string;
}

/** `driftwatch baseline --analysis bias`: dataset + analysis_config.json → `<out>/analysis.json`. */
export async function buildBiasBaseline(
  storage: Storage,
  options: BiasBaselineOptions,
): Promise<BiasAnalysisResult & { analysisUri: string }> {
  const configText = await readNamedFile(storage, options.analysisConfig, 'analysis config');
  const config = parseClarifyAnalysisConfig(configText, options.analysisConfig);
  const table: RereadableTable = {
    open: async () =>
      openDataset(storage, options.dataset, {
        ...(options.format !== undefined ? { format: options.format } : {}),
        header: options.header ?? true,
        ...(options.issues !== undefined ? { issues: options.issues } : {}),
      }),
  };
  // The two passes must not count the same input problems twice: pass 1 reads without the log.
  let opened = 0;
  const once: RereadableTable = {
    open: async () => {
      opened++;
      return opened === 1
        ? openDataset(storage, options.dataset, {
            ...(options.format !== undefined ? { format: options.format } : {}),
            header: options.header ?? true,
          })
        : table.open();
    },
  };
  const predicted = options.predictedLabel;
  const result = await computeBiasAnalysis(once, {
    config,
    configFile: options.analysisConfig,
    ...(predicted !== undefined
      ? { predictedLabel: /^\d+$/.test(predicted) ? Number(predicted) : predicted }
      : {}),
  });
  if (result.rows === 0) {
    throw new ConfigError('the dataset has no data rows', { file: options.dataset });
  }
  const analysisUri = joinUri(options.out, 'analysis.json');
  await storage.write(analysisUri, renderClarifyAnalysis(result.analysis), {
    contentType: 'application/json',
  });
  return { ...result, analysisUri };
}

export type { ClarifyScalar };
