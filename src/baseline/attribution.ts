/**
 * Feature-attribution baseline without calling a model (spec §9.9): global values from a supplied
 * table of local attributions (one row per record, one numeric column per feature, e.g. Clarify's
 * `explanations_shap/out.csv` or a user's SHAP export) aggregated with `agg_method`, or a
 * SageMaker-produced explainability `analysis.json` taken as it is.
 * KernelSHAP itself (which needs thousands of model invocations) is not done here.
 */
import { ConfigError } from '../core/errors.js';
import type { IssueLog } from '../core/issues.js';
import type { Cell } from '../core/types.js';
import { openDataset } from '../io/datasets/index.js';
import type { DatasetFormat } from '../io/datasets/objects.js';
import { joinUri, type Storage } from '../io/storage.js';
import type { AttributionAggMethod } from '../metrics/attribution/agg-methods.js';
import { AttributionAggregator } from '../metrics/attribution/aggregate.js';
import { type ClarifyAnalysis, parseClarifyAnalysis, renderClarifyAnalysis } from './clarify-analysis.js';
import { readNamedFile } from './read.js';

export interface AttributionBaselineOptions {
  /** Local attributions table, or a Clarify explainability analysis.json (`fromAnalysis`). */
  attributions?: string;
  fromAnalysis?: string;
  out: string;
  aggMethod?: AttributionAggMethod;
  /** `kernel_shap` key of the produced file. @defaultValue "label0" */
  labelKey?: string;
  expectedValue?: number;
  format?: DatasetFormat;
  header?: boolean;
  issues?: IssueLog;
}

function numberOf(cell: Cell): number | undefined {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  if (typeof cell !== 'string' || cell.trim() === '') return undefined;
  const n = Number(cell);
  return Number.isFinite(n) ? n : undefined;
}

export async function buildAttributionBaseline(
  storage: Storage,
  options: AttributionBaselineOptions,
): Promise<{ analysisUri: string; analysis: ClarifyAnalysis; records: number; skippedCells: number }> {
  const analysisUri = joinUri(options.out, 'analysis.json');
  if (options.fromAnalysis !== undefined) {
    const text = await readNamedFile(storage, options.fromAnalysis, 'analysis.json');
    const analysis = parseClarifyAnalysis(text, options.fromAnalysis);
    if (analysis.kernelShap === undefined || analysis.kernelShap.size === 0) {
      throw new ConfigError('no explanations.kernel_shap: not an explainability analysis.json', {
        file: options.fromAnalysis,
      });
    }
    // Taken as it is: the same bytes, so the file stays exactly SageMaker's.
    await storage.write(analysisUri, text, { contentType: 'application/json' });
    return { analysisUri, analysis, records: 0, skippedCells: 0 };
  }
  if (options.attributions === undefined) {
    throw new ConfigError('give --attributions <table> or --from-analysis <analysis.json>', {
      field: '--attributions',
    });
  }
  const reader = await openDataset(storage, options.attributions, {
    ...(options.format !== undefined ? { format: options.format } : {}),
    header: options.header ?? true,
    ...(options.issues !== undefined ? { issues: options.issues } : {}),
  });
  const agg = new AttributionAggregator(options.aggMethod ?? 'mean_abs');
  let records = 0;
  let skippedCells = 0;
  for await (const row of reader.rows()) {
    records++;
    for (let i = 0; i < row.length; i++) {
      const v = numberOf(row[i]);
      if (v === undefined) {
        skippedCells++;
        options.issues?.add({
          kind: 'non_numeric_attribution',
          source: options.attributions,
          line: records + 1,
          column: reader.columns[i] ?? `column_${i}`,
          message: 'attribution is not a finite number: left out of the aggregate',
        });
        continue;
      }
      agg.add(reader.columns[i] ?? `column_${i}`, v);
    }
  }
  if (records === 0)
    throw new ConfigError('the attributions table has no data rows', { file: options.attributions });
  const analysis: ClarifyAnalysis = {
    version: '1.0',
    kernelShap: new Map([
      [
        options.labelKey ?? 'label0',
        {
          globalShapValues: agg.globalValues(),
          ...(options.expectedValue !== undefined ? { expectedValue: options.expectedValue } : {}),
        },
      ],
    ]),
  };
  await storage.write(analysisUri, renderClarifyAnalysis(analysis), { contentType: 'application/json' });
  return { analysisUri, analysis, records, skippedCells };
}
