/**
 * The JSON report files an execution writes that a baseline does not (spec §5.1, §6, §9.1): each kind's
 * `constraint_violations.json` and model quality's `estimated_metrics.json`. The files an execution shares
 * with a baseline (`statistics.json`, `constraints.json`, `analysis.json`) keep their SageMaker formats in
 * `baseline/`; `report/html/` renders `report.html`.
 */
import { toJackson } from '../baseline/jackson.js';
import { type JsonTree, jsonObject, writePythonJson } from '../baseline/python-json.js';
import type { AttributionViolation, BiasViolation } from '../checks/bias.js';
import type { Violation } from '../checks/data-quality.js';
import type { ModelQualityViolation } from '../metrics/quality/checks.js';

// ------------------------------------------------------------------------------------------ data quality

/** constraint_violations.json body (spec §5.1): consumers key on type and feature name only. */
export function violationsDocument(violations: readonly Violation[]): { violations: Violation[] } {
  return {
    violations: violations.map((v) => ({
      feature_name: v.feature_name,
      constraint_check_type: v.constraint_check_type,
      description: v.description,
    })),
  };
}

/** The data-quality `constraint_violations.json` text. */
export function renderDataQualityViolations(violations: readonly Violation[]): string {
  return `${JSON.stringify(violationsDocument(violations), null, 2)}\n`;
}

// ------------------------------------------------------------------------------------------ model quality

/** The model-quality `constraint_violations.json` text (spec §6). */
export function renderModelQualityViolations(violations: readonly ModelQualityViolation[]): string {
  return toJackson({
    violations: violations.map((v) => ({
      constraint_check_type: v.constraint_check_type,
      description: v.description,
      metric_name: v.metric_name,
    })),
  });
}

/** Model quality's `estimated_metrics.json` text (CBPE estimates and, when labels joined, the realised metrics). */
export function renderEstimatedMetrics(doc: {
  analysisWindow: unknown;
  estimationWindow: unknown;
  realised: Record<string, number> | null;
}): string {
  const body = {
    version: 1,
    method: 'CBPE (isotonic calibration)',
    analysis_window: doc.analysisWindow ?? null,
    estimation_window: doc.estimationWindow ?? null,
    realised: doc.realised,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

// ------------------------------------------------------------------------------------------ clarify

/** constraint_violations.json body for either Clarify monitor (Python json.dumps(indent=4)). */
export function renderClarifyViolations(
  violations: readonly (BiasViolation | AttributionViolation)[],
): string {
  return writePythonJson(
    jsonObject([
      ['version', '1.0'],
      ['violations', violations.map((v) => jsonObject(Object.entries(v) as [string, JsonTree][]))],
    ]),
  );
}
