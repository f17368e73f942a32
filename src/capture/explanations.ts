/**
 * Local attributions from captured Clarify online-explainability responses (spec §9.9): an
 * endpoint with online explainability answers
 * `{version, predictions {content_type, data}, label_headers?, explanations {kernel_shap: [...]}}`
 * where `kernel_shap[record][feature].attributions[i].attribution[k]` is feature's attribution to
 * model output k (label key `label_headers[k]`, else `label<k>`) and `feature_header` names the
 * feature (else the configured feature names by position, else `feature_<j>`).
 *
 * Whether SageMaker data capture stores this whole response as `endpointOutput` is unconfirmed
 * (§9.10 item 9); driftwatch reads it when it is there. Hostile input: a response that is not such
 * a document, or a non-numeric attribution, is counted (returned `problems`), never thrown.
 */
import type { AttributionAggMethod } from '../metrics/attribution/agg-methods.js';
import { AttributionAggregator } from '../metrics/attribution/aggregate.js';

export interface ExplanationProblem {
  kind: 'not_explanation_json' | 'non_numeric_attribution';
  message: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/** Per label key, the local attributions of a window, aggregated by `agg_method`. */
export class OnlineExplanationCollector {
  readonly labels = new Map<string, AttributionAggregator>();
  records = 0;

  constructor(
    readonly method: AttributionAggMethod,
    readonly featureNames: readonly string[] = [],
  ) {}

  private aggregator(label: string): AttributionAggregator {
    let a = this.labels.get(label);
    if (a === undefined) {
      a = new AttributionAggregator(this.method);
      this.labels.set(label, a);
    }
    return a;
  }

  /** Adds one captured response (already decoded text). Returns the problems found in it. */
  addResponse(text: string): ExplanationProblem[] {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return [{ kind: 'not_explanation_json', message: 'endpointOutput is not JSON' }];
    }
    const explanations = isRecord(doc) ? own(doc, 'explanations') : undefined;
    const shap = isRecord(explanations) ? own(explanations, 'kernel_shap') : undefined;
    if (!Array.isArray(shap)) {
      return [
        { kind: 'not_explanation_json', message: 'endpointOutput has no explanations.kernel_shap list' },
      ];
    }
    const headersRaw = isRecord(doc) ? own(doc, 'label_headers') : undefined;
    const labelHeaders = Array.isArray(headersRaw) ? headersRaw.map((h) => String(h)) : [];
    const problems: ExplanationProblem[] = [];
    for (const record of shap) {
      if (!Array.isArray(record)) {
        problems.push({ kind: 'not_explanation_json', message: 'a kernel_shap record is not a list' });
        continue;
      }
      this.records++;
      record.forEach((feature: unknown, j: number) => {
        if (!isRecord(feature)) {
          problems.push({ kind: 'not_explanation_json', message: 'a kernel_shap feature is not an object' });
          return;
        }
        const header = own(feature, 'feature_header');
        const name = typeof header === 'string' ? header : (this.featureNames[j] ?? `feature_${j}`);
        const attributions = own(feature, 'attributions');
        if (!Array.isArray(attributions)) {
          problems.push({ kind: 'not_explanation_json', message: `feature ${name}: no attributions list` });
          return;
        }
        // Several attribution objects (text tokens) sum into the feature's attribution per output.
        const perOutput: number[] = [];
        for (const a of attributions) {
          const values = isRecord(a) ? own(a, 'attribution') : undefined;
          if (!Array.isArray(values)) continue;
          values.forEach((v: unknown, k: number) => {
            if (typeof v !== 'number' || !Number.isFinite(v)) {
              problems.push({
                kind: 'non_numeric_attribution',
                message: `feature ${name}: attribution is not a finite number`,
              });
              return;
            }
            perOutput[k] = (perOutput[k] ?? 0) + v;
          });
        }
        perOutput.forEach((v, k) => {
          this.aggregator(labelHeaders[k] ?? `label${k}`).add(name, v);
        });
      });
    }
    return problems;
  }
}
