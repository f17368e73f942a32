/**
 * Matched (prediction, label) pairs accumulated into the typed arrays of `src/metrics/quality` (spec §6.1):
 * one collector per problem type, and the score collector of the CBPE estimate.
 */
import type { IssueLog } from '../core/issues.js';
import type { ModelQualityData } from '../metrics/quality/statistics.js';
import type { StoredPrediction } from './ground-truth-join.js';
import {
  binaryPrediction,
  normalizeLabel,
  type PredictionSettings,
  toFiniteNumber,
  type Where,
} from './predictions.js';
import { snippet } from './records.js';

class Growable<T extends Float64Array | Uint8Array | Int32Array> {
  length = 0;
  constructor(
    public data: T,
    readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(Math.max(1024, this.data.length * 2));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

const f64 = (): Growable<Float64Array> => new Growable(new Float64Array(0), (n) => new Float64Array(n));
const u8 = (): Growable<Uint8Array> => new Growable(new Uint8Array(0), (n) => new Uint8Array(n));
const i32 = (): Growable<Int32Array> => new Growable(new Int32Array(0), (n) => new Int32Array(n));

/** Accumulates matched (prediction, label) pairs into typed arrays, by problem type. */
export class QualityCollector {
  readonly #settings: PredictionSettings;
  readonly #issues: IssueLog;
  readonly #a = f64();
  readonly #b = f64();
  readonly #actual8 = u8();
  readonly #pred8 = u8();
  readonly #actual32 = i32();
  readonly #pred32 = i32();
  readonly #classes = new Map<string, number>();
  readonly #positive: string;
  readonly #negative: string;
  #finished = false;
  count = 0;

  constructor(settings: PredictionSettings, issues: IssueLog) {
    this.#settings = settings;
    this.#issues = issues;
    this.#positive = normalizeLabel(settings.positiveLabel ?? '1');
    this.#negative = normalizeLabel(settings.negativeLabel ?? '0');
  }

  #classIndex(label: string, where: Where): number | undefined {
    let index = this.#classes.get(label);
    if (index === undefined) {
      if (this.#classes.size >= (this.#settings.maxClasses ?? 1000)) {
        this.#issues.add({
          kind: 'too_many_classes',
          ...where,
          message: `more than ${this.#settings.maxClasses ?? 1000} distinct labels; ${snippet(label)} not counted`,
        });
        return undefined;
      }
      index = this.#classes.size;
      this.#classes.set(label, index);
    }
    return index;
  }

  /** Adds one matched pair; false (and counted) when it cannot be used. */
  add(prediction: StoredPrediction, actualText: string, where: Where): boolean {
    switch (this.#settings.problemType) {
      case 'Regression': {
        const predicted = toFiniteNumber(prediction.label ?? prediction.score);
        if (predicted === undefined) {
          this.#issues.add({
            kind: 'invalid_prediction',
            ...where,
            message: `predicted value is not a number: ${snippet(prediction.label)}`,
          });
          return false;
        }
        const actual = toFiniteNumber(actualText);
        if (actual === undefined) {
          this.#issues.add({
            kind: 'invalid_label',
            ...where,
            message: `label is not a number: ${snippet(actualText)}`,
          });
          return false;
        }
        this.#a.push(predicted);
        this.#b.push(actual);
        break;
      }
      case 'BinaryClassification': {
        const t = normalizeLabel(actualText);
        const actual = t === this.#positive ? 1 : t === this.#negative ? 0 : undefined;
        if (actual === undefined) {
          this.#issues.add({
            kind: 'unknown_label',
            ...where,
            message: `label ${snippet(actualText)} is neither ${this.#positive} nor ${this.#negative}`,
          });
          return false;
        }
        const p = binaryPrediction(prediction, this.#settings, this.#issues, where);
        if (!p) return false;
        this.#actual8.push(actual);
        this.#pred8.push(p.predicted);
        this.#a.push(p.score);
        break;
      }
      case 'MulticlassClassification': {
        if (prediction.label === undefined) {
          this.#issues.add({
            kind: 'missing_attribute',
            ...where,
            message: 'no predicted label (set inference_attribute)',
          });
          return false;
        }
        const a = this.#classIndex(normalizeLabel(actualText), where);
        const p = a === undefined ? undefined : this.#classIndex(normalizeLabel(prediction.label), where);
        if (a === undefined || p === undefined) return false;
        this.#actual32.push(a);
        this.#pred32.push(p);
        break;
      }
      default: {
        const never: never = this.#settings.problemType;
        throw new Error(`unknown problem type ${String(never)}`);
      }
    }
    this.count++;
    return true;
  }

  /** The collected arrays (views, not copies). Multiclass classes are renumbered in label order. Call once. */
  finish(): ModelQualityData {
    if (this.#finished) throw new Error('QualityCollector.finish() called twice');
    this.#finished = true;
    switch (this.#settings.problemType) {
      case 'Regression':
        return { problemType: 'Regression', predicted: this.#a.view(), actual: this.#b.view() };
      case 'BinaryClassification':
        return {
          problemType: 'BinaryClassification',
          actual: this.#actual8.view(),
          predicted: this.#pred8.view(),
          scores: this.#a.view(),
          negativeLabel: this.#settings.negativeLabel ?? '0',
          positiveLabel: this.#settings.positiveLabel ?? '1',
        };
      case 'MulticlassClassification': {
        const labels = [...this.#classes.keys()].sort(compareLabels);
        const remap = new Int32Array(labels.length);
        labels.forEach((label, i) => {
          remap[this.#classes.get(label) as number] = i;
        });
        const actual = this.#actual32.view();
        const predicted = this.#pred32.view();
        for (let i = 0; i < actual.length; i++) {
          actual[i] = remap[actual[i] as number] as number;
          predicted[i] = remap[predicted[i] as number] as number;
        }
        return { problemType: 'MulticlassClassification', actual, predicted, classes: labels };
      }
      default: {
        const never: never = this.#settings.problemType;
        throw new Error(`unknown problem type ${String(never)}`);
      }
    }
  }
}

/** Numbers in numeric order before other labels in code-point order. */
export function compareLabels(a: string, b: string): number {
  const x = toFiniteNumber(a);
  const y = toFiniteNumber(b);
  if (x !== undefined && y !== undefined) return x - y;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Scores and predicted labels (1/0) of every prediction in a window (binary), for CBPE. */
export class ScoreCollector {
  readonly #scores = f64();
  readonly #predicted = u8();
  add(predicted: 0 | 1, score: number): void {
    this.#scores.push(score);
    this.#predicted.push(predicted);
  }
  get count(): number {
    return this.#scores.length;
  }
  finish(): { scores: Float64Array; predicted: Uint8Array } {
    return { scores: this.#scores.view(), predicted: this.#predicted.view() };
  }
}
