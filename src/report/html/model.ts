/**
 * What a report is made from: the files of one hour folder, parsed. `kind` picks the section renderer
 * (`data-quality`, `model-quality`; later kinds add theirs to the registry in sections.ts).
 */
import type { Constraints } from '../../baseline/constraints.js';
import type { Statistics } from '../../baseline/statistics.js';

export interface HourFiles {
  kind: string;
  /** execution.json (the summary), as stored. */
  execution: Record<string, unknown>;
  /** Data quality: the window's statistics.json / constraints.json and the baseline's statistics.json. */
  statistics?: Statistics;
  constraints?: Constraints;
  baselineStatistics?: Statistics;
  /** Model quality: statistics.json and the baseline's statistics.json / constraints.json, as JSON. */
  modelStatistics?: Record<string, unknown>;
  modelBaselineStatistics?: Record<string, unknown>;
  modelConstraints?: Record<string, unknown>;
  /** Attribution: the window's and the baseline's analysis.json, as JSON. */
  clarifyAnalysis?: Record<string, unknown>;
  clarifyBaselineAnalysis?: Record<string, unknown>;
  /** constraint_violations.json. */
  violations?: Array<Record<string, unknown>>;
  /** Files that were expected but could not be read or parsed: shown in the report, never fatal. */
  problems: string[];
}

/** One section kind: renders the body of a report of that kind (escaped HTML). */
export type ReportSection = (files: HourFiles) => string;

export function kindOfExecution(execution: Record<string, unknown>): string {
  if (typeof execution.kind === 'string') return execution.kind;
  if (execution.modelQuality !== undefined) return 'model-quality';
  if (execution.bias !== undefined) return 'bias';
  if (execution.attribution !== undefined) return 'attribution';
  return 'data-quality';
}
