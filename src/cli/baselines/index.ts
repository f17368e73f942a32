/**
 * The analyses of `driftwatch baseline` other than data quality: one entry each, its module imported only
 * when that analysis runs. Adding one: a module exporting its function, one line here, one `--analysis`
 * choice in commands/baseline.ts.
 */
import type { BaselineCommandOptions } from './options.js';

export type { BaselineCommandOptions } from './options.js';

type BaselineAnalysis = (options: BaselineCommandOptions) => Promise<void>;

const BASELINE_ANALYSES = {
  'model-quality': async (options) => (await import('./model-quality.js')).modelQualityBaseline(options),
  bias: async (options) => (await import('./clarify.js')).biasBaseline(options),
  attribution: async (options) => (await import('./clarify.js')).attributionBaseline(options),
} as const satisfies Readonly<Record<string, BaselineAnalysis>>;

/** Runs `--analysis <name>` (not data quality). */
export async function runBaselineAnalysis(name: string, options: BaselineCommandOptions): Promise<void> {
  if (!Object.hasOwn(BASELINE_ANALYSES, name))
    throw new Error(`analysis ${name} is not available; known: ${Object.keys(BASELINE_ANALYSES).join(', ')}`);
  await BASELINE_ANALYSES[name as keyof typeof BASELINE_ANALYSES](options);
}
