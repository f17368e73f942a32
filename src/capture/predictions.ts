/**
 * Predictions and labels → the typed arrays of `src/metrics/quality` (spec §6.1).
 *
 * A prediction comes from the captured `endpointOutput` (or a baseline row):
 * - CSV output: `inference_attribute` / `probability_attribute` are 0-based column indexes; a one-column
 *   output needs none. A payload of several rows cannot be joined to one label and is counted.
 * - JSON output: the attributes are JMESPath expressions (`score`, `predictions[0].label`); dotted paths
 *   with `[index]` take a fast path, anything else goes through the `jmespath` library; a bare number `n`
 *   picks the n-th element of a JSON array. A scalar JSON document needs no attribute.
 * - Binary: with `probability_attribute` the score is that probability and, unless `inference_attribute`
 *   is also given, the predicted label is positive when score > `probability_threshold_attribute`
 *   (default 0.5; `>` vs `≥` is unconfirmed). Without a probability the predicted label (0/1) is the score.
 *
 * Labels are compared after `normalizeLabel` (trimmed; numbers in canonical form, so `1.0` = `1`).
 * Every record that cannot be used is counted in the IssueLog: `missing_output`, `multi_row_output`,
 * `missing_attribute`, `invalid_prediction`, `invalid_probability`, `invalid_label`, `unknown_label`,
 * `too_many_classes`.
 */
import jmespath from 'jmespath';
import { ConfigError } from '../core/errors.js';
import type { IssueLog } from '../core/issues.js';
import type { Cell } from '../core/types.js';
import type { ProblemType } from '../metrics/quality/problem-types.js';
import { splitCsvLine } from './csv-split.js';
import type { StoredPrediction } from './ground-truth-join.js';
import type { CapturePayload } from './records.js';
import { snippet } from './records.js';

export interface PredictionSettings {
  problemType: ProblemType;
  /** CSV column index or JSON path of the predicted label/value. */
  inferenceAttribute?: string;
  /** CSV column index or JSON path of the probability of the positive label (binary). */
  probabilityAttribute?: string;
  /** Probability cut-off (binary). @defaultValue 0.5 */
  probabilityThreshold?: number;
  /** @defaultValue '1' */
  positiveLabel?: string;
  /** @defaultValue '0' */
  negativeLabel?: string;
  /** Most distinct classes kept for multiclass (the rest are counted). @defaultValue 1000 */
  maxClasses?: number;
}

export interface Where {
  source: string;
  line?: number;
}

/**
 * The one CSV row of a captured payload (trailing line breaks cut), or undefined after counting
 * `multi_row_input` / `multi_row_output` when it holds several rows: one label cannot be joined to them.
 */
export function singleCsvRow(
  data: string,
  side: 'endpointInput' | 'endpointOutput',
  issues: IssueLog,
  where: Where,
): string | undefined {
  const text = data.replace(/(?:\r?\n)+$/, '');
  if (/\r?\n/.test(text) && !text.includes('"')) {
    issues.add({
      kind: side === 'endpointInput' ? 'multi_row_input' : 'multi_row_output',
      ...where,
      message: `${side} holds several rows; one label cannot be joined to them`,
    });
    return undefined;
  }
  return text;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Trimmed label; a number in canonical form (`1.0` → `1`, `+2e0` → `2`). */
export function normalizeLabel(text: string): string {
  const t = text.trim();
  if (NUMBER_RE.test(t)) {
    const n = Number(t);
    if (Number.isFinite(n)) return String(n);
  }
  return t;
}

/** A finite number from a cell (number, numeric text or boolean), else undefined. */
export function toFiniteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const t = value.trim();
    if (!NUMBER_RE.test(t)) return undefined;
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

const SIMPLE_PATH_RE = /^[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*)*$/;

/** A compiled JSON attribute: a fast evaluator for `a.b[0].c`, else JMESPath. */
export function compileJsonPath(expression: string, field: string): (doc: unknown) => unknown {
  if (/^\d+$/.test(expression)) {
    // A column index (as for CSV): the n-th element of a JSON array, or the key "n" of an object.
    const n = Number(expression);
    return (doc) => {
      if (Array.isArray(doc)) return doc[n];
      if (typeof doc === 'object' && doc !== null && Object.hasOwn(doc, expression))
        return (doc as Record<string, unknown>)[expression];
      return undefined;
    };
  }
  if (SIMPLE_PATH_RE.test(expression)) {
    const steps: Array<string | number> = [];
    for (const part of expression.split('.')) {
      const name = part.replace(/\[.*$/, '');
      steps.push(name);
      for (const m of part.matchAll(/\[(\d+)\]/g)) steps.push(Number(m[1]));
    }
    return (doc) => {
      let cur: unknown = doc;
      for (const step of steps) {
        if (typeof step === 'number') {
          if (!Array.isArray(cur)) return undefined;
          cur = cur[step];
        } else {
          if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, step))
            return undefined;
          cur = (cur as Record<string, unknown>)[step];
        }
      }
      return cur;
    };
  }
  try {
    // Syntax only: `compile` is exported by jmespath.js but missing from its type definitions.
    (jmespath as unknown as { compile(expression: string): unknown }).compile(expression);
  } catch (error) {
    throw new ConfigError(`not a valid JMESPath expression: ${expression}`, { field }, { cause: error });
  }
  return (doc) => {
    try {
      return jmespath.search(doc, expression);
    } catch {
      return undefined;
    }
  };
}

function columnIndex(attribute: string | undefined): number | undefined {
  if (attribute === undefined) return undefined;
  return /^\d+$/.test(attribute.trim()) ? Number(attribute.trim()) : Number.NaN;
}

function isJsonPayload(payload: CapturePayload): boolean {
  if (payload.encoding === 'JSON') return true;
  if (payload.encoding === 'CSV') return false;
  const type = payload.contentType.toLowerCase();
  if (type.includes('json')) return true;
  if (type.includes('csv')) return false;
  const first = payload.data.trimStart()[0];
  return first === '{' || first === '[';
}

/** Extracts predictions from captured output payloads, counting what cannot be used. */
export class PredictionExtractor {
  readonly #settings: PredictionSettings;
  readonly #inferencePath: ((doc: unknown) => unknown) | undefined;
  readonly #probabilityPath: ((doc: unknown) => unknown) | undefined;
  readonly #inferenceIndex: number | undefined;
  readonly #probabilityIndex: number | undefined;
  readonly #cells: Cell[] = [];

  constructor(settings: PredictionSettings) {
    this.#settings = settings;
    const { inferenceAttribute, probabilityAttribute } = settings;
    this.#inferencePath =
      inferenceAttribute !== undefined
        ? compileJsonPath(inferenceAttribute, 'inferenceAttribute')
        : undefined;
    this.#probabilityPath =
      probabilityAttribute !== undefined
        ? compileJsonPath(probabilityAttribute, 'probabilityAttribute')
        : undefined;
    this.#inferenceIndex = columnIndex(inferenceAttribute);
    this.#probabilityIndex = columnIndex(probabilityAttribute);
  }

  /** The prediction of one captured output, or undefined after counting why. */
  extract(output: CapturePayload | undefined, issues: IssueLog, where: Where): StoredPrediction | undefined {
    if (output === undefined || (output.data === '' && output.bytes === undefined)) {
      issues.add({
        kind: 'missing_output',
        ...where,
        message: 'no captured endpointOutput (capture mode must include Output)',
      });
      return undefined;
    }
    if (output.bytes !== undefined) {
      issues.add({
        kind: 'invalid_prediction',
        ...where,
        message: 'endpointOutput is binary, not CSV or JSON text',
      });
      return undefined;
    }
    return isJsonPayload(output)
      ? this.#fromJson(output.data, issues, where)
      : this.#fromCsv(output.data, issues, where);
  }

  #fromCsv(data: string, issues: IssueLog, where: Where): StoredPrediction | undefined {
    const text = singleCsvRow(data, 'endpointOutput', issues, where);
    if (text === undefined) return undefined;
    this.#cells.length = 0;
    const cells = splitCsvLine(text, this.#cells);
    const { inferenceAttribute, probabilityAttribute } = this.#settings;
    for (const [attr, index] of [
      [inferenceAttribute, this.#inferenceIndex],
      [probabilityAttribute, this.#probabilityIndex],
    ] as const) {
      if (attr !== undefined && Number.isNaN(index)) {
        issues.add({
          kind: 'missing_attribute',
          ...where,
          column: attr,
          message: `CSV output needs a column index, not ${snippet(attr)}`,
        });
        return undefined;
      }
    }
    let labelCell: Cell;
    let scoreCell: Cell;
    if (this.#inferenceIndex !== undefined) labelCell = cells[this.#inferenceIndex];
    if (this.#probabilityIndex !== undefined) scoreCell = cells[this.#probabilityIndex];
    if (this.#inferenceIndex === undefined && this.#probabilityIndex === undefined) {
      if (cells.length !== 1) {
        issues.add({
          kind: 'missing_attribute',
          ...where,
          message: `CSV output has ${cells.length} columns: set inference_attribute or probability_attribute`,
        });
        return undefined;
      }
      if (
        this.#settings.problemType === 'BinaryClassification' &&
        toFiniteNumber(cells[0]) !== undefined &&
        !this.#isLabel(cells[0])
      )
        scoreCell = cells[0];
      else labelCell = cells[0];
    }
    return this.#finish(labelCell, scoreCell, issues, where);
  }

  #fromJson(data: string, issues: IssueLog, where: Where): StoredPrediction | undefined {
    let doc: unknown;
    try {
      doc = JSON.parse(data);
    } catch {
      issues.add({
        kind: 'invalid_prediction',
        ...where,
        message: `endpointOutput is not JSON: ${snippet(data)}`,
      });
      return undefined;
    }
    let label: unknown;
    let score: unknown;
    if (this.#inferencePath) label = this.#inferencePath(doc);
    if (this.#probabilityPath) score = this.#probabilityPath(doc);
    if (!this.#inferencePath && !this.#probabilityPath) {
      if (scalarText(doc) === undefined) {
        issues.add({
          kind: 'missing_attribute',
          ...where,
          message: 'JSON output is not a scalar: set inference_attribute or probability_attribute',
        });
        return undefined;
      }
      label = doc;
    }
    return this.#finish(label, score, issues, where);
  }

  /** True when a single CSV value is one of the binary labels (then it is a label, not a probability). */
  #isLabel(cell: Cell): boolean {
    if (typeof cell !== 'string') return false;
    const t = normalizeLabel(cell);
    return (
      t === normalizeLabel(this.#settings.positiveLabel ?? '1') ||
      t === normalizeLabel(this.#settings.negativeLabel ?? '0')
    );
  }

  #finish(
    labelRaw: unknown,
    scoreRaw: unknown,
    issues: IssueLog,
    where: Where,
  ): StoredPrediction | undefined {
    const { inferenceAttribute, probabilityAttribute } = this.#settings;
    let label: string | undefined;
    let score: number | undefined;
    if (inferenceAttribute !== undefined || labelRaw !== undefined) {
      label = scalarText(labelRaw);
      if (label === undefined || label.trim() === '') {
        issues.add({
          kind: 'missing_attribute',
          ...where,
          column: inferenceAttribute,
          message: `no predicted value at ${snippet(inferenceAttribute ?? 'the output')}`,
        });
        return undefined;
      }
    }
    if (probabilityAttribute !== undefined || scoreRaw !== undefined) {
      if (scoreRaw === undefined || scoreRaw === null) {
        issues.add({
          kind: 'missing_attribute',
          ...where,
          column: probabilityAttribute,
          message: `no probability at ${snippet(probabilityAttribute)}`,
        });
        return undefined;
      }
      score = toFiniteNumber(scoreRaw);
      if (score === undefined) {
        issues.add({
          kind: 'invalid_probability',
          ...where,
          column: probabilityAttribute,
          message: `probability is not a finite number: ${snippet(scoreRaw)}`,
        });
        return undefined;
      }
    }
    return { label, score };
  }
}

/** The binary reading of a prediction: predicted 0/1 and a score; undefined after counting why. */
export function binaryPrediction(
  prediction: StoredPrediction,
  settings: PredictionSettings,
  issues: IssueLog,
  where: Where,
): { predicted: 0 | 1; score: number } | undefined {
  const positive = normalizeLabel(settings.positiveLabel ?? '1');
  const negative = normalizeLabel(settings.negativeLabel ?? '0');
  let predicted: 0 | 1 | undefined;
  if (prediction.label !== undefined) {
    const t = normalizeLabel(prediction.label);
    if (t === positive) predicted = 1;
    else if (t === negative) predicted = 0;
    else {
      issues.add({
        kind: 'unknown_label',
        ...where,
        message: `predicted label ${snippet(prediction.label)} is neither ${positive} nor ${negative}`,
      });
      return undefined;
    }
  }
  if (prediction.score !== undefined) {
    predicted ??= prediction.score > (settings.probabilityThreshold ?? 0.5) ? 1 : 0;
    return { predicted, score: prediction.score };
  }
  if (predicted === undefined) {
    issues.add({ kind: 'missing_attribute', ...where, message: 'no predicted label or probability' });
    return undefined;
  }
  return { predicted, score: predicted };
}
