/**
 * Clarify baselines for `driftwatch baseline` (spec §9): `--analysis bias` (dataset with
 * predictions + analysis_config.json → analysis.json) and `--analysis attribution` (local
 * attributions table, or a SageMaker explainability analysis.json, → analysis.json).
 */
import { buildAttributionBaseline } from '../../baseline/attribution.js';
import { buildBiasBaseline } from '../../baseline/bias.js';
import { ConfigError } from '../../core/errors.js';
import { IssueLog } from '../../core/issues.js';
import { createStorage } from '../../io/storage.js';
import { ATTRIBUTION_AGG_METHODS, type AttributionAggMethod } from '../../metrics/attribution/agg-methods.js';
import type { BaselineCommandOptions } from './options.js';

function warnIssues(issues: IssueLog): void {
  if (issues.total > 0) {
    process.stderr.write(
      `warning: ${issues.total} input problems: ${JSON.stringify(issues.toJSON().counts)}\n`,
    );
  }
}

export async function biasBaseline(options: BaselineCommandOptions): Promise<void> {
  const analysisConfig = options.analysisConfig as string | undefined;
  if (!analysisConfig) {
    throw new ConfigError('--analysis bias needs --analysis-config <analysis_config.json>', {
      field: '--analysis-config',
    });
  }
  const storage = createStorage();
  const issues = new IssueLog();
  try {
    const r = await buildBiasBaseline(storage, {
      dataset: options.dataset,
      analysisConfig,
      out: options.out,
      header: options.header,
      issues,
      ...(options.format !== undefined ? { format: options.format } : {}),
      ...(typeof options.predictedLabel === 'string' ? { predictedLabel: options.predictedLabel } : {}),
    });
    warnIssues(issues);
    const dropped = Object.fromEntries(r.facets.map((f) => [f.name, f.dropped]));
    const summary = {
      analysis: r.analysisUri,
      rows: r.rows,
      stages: [
        ...(r.analysis.postTraining ? ['post_training'] : []),
        ...(r.analysis.preTraining ? ['pre_training'] : []),
      ],
      facets: r.facets.map((f) => ({ name: f.name, values: f.entries.map((e) => e.valueOrThreshold) })),
      droppedRows: dropped,
      issues: issues.toJSON(),
    };
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(
        `Bias baseline of ${r.rows} rows (${summary.stages.join(', ')}) written:\n  ${r.analysisUri}\n`,
      );
      for (const [f, n] of Object.entries(dropped)) {
        if (n > 0)
          process.stderr.write(
            `warning: ${n} rows left out of facet ${JSON.stringify(f)} (empty facet, label or prediction)\n`,
          );
      }
    }
  } finally {
    storage.destroy();
  }
}

export async function attributionBaseline(options: BaselineCommandOptions): Promise<void> {
  const agg = (options.aggMethod as string | undefined) ?? 'mean_abs';
  if (!ATTRIBUTION_AGG_METHODS.includes(agg as AttributionAggMethod)) {
    throw new ConfigError(`expected one of ${ATTRIBUTION_AGG_METHODS.join(', ')}`, { field: '--agg-method' });
  }
  const expected = options.expectedValue as string | undefined;
  const expectedValue = expected === undefined ? undefined : Number(expected);
  if (expectedValue !== undefined && !Number.isFinite(expectedValue)) {
    throw new ConfigError(`not a number: ${JSON.stringify(expected)}`, { field: '--expected-value' });
  }
  const fromAnalysis = options.fromAnalysis as string | undefined;
  const storage = createStorage();
  const issues = new IssueLog();
  try {
    const r = await buildAttributionBaseline(storage, {
      ...(fromAnalysis !== undefined ? { fromAnalysis } : { attributions: options.dataset }),
      out: options.out,
      aggMethod: agg as AttributionAggMethod,
      header: options.header,
      issues,
      ...(typeof options.labelKey === 'string' ? { labelKey: options.labelKey } : {}),
      ...(expectedValue !== undefined ? { expectedValue } : {}),
      ...(options.format !== undefined ? { format: options.format } : {}),
    });
    warnIssues(issues);
    const labels = Object.fromEntries(
      [...(r.analysis.kernelShap ?? [])].map(([k, v]) => [k, Object.fromEntries(v.globalShapValues)]),
    );
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ analysis: r.analysisUri, records: r.records, aggMethod: agg, labels })}\n`,
      );
    } else {
      process.stdout.write(
        `Attribution baseline (${fromAnalysis !== undefined ? 'from analysis.json' : `${r.records} records, ${agg}`}) written:\n  ${r.analysisUri}\n`,
      );
    }
  } finally {
    storage.destroy();
  }
}
