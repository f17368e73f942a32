/**
 * Deequ's value classification (spec §3.2), as a single scan that also parses the number.
 *
 * - Integral:   ^(-|\+)? ?\d+$
 * - Fractional: ^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$
 * - Boolean:    ^(true|false)$
 * - String: anything else; Unknown: null / empty.
 *
 * `classifyText` returns the class and leaves the parsed value in `parsed.value` (NaN unless numeric).
 * A numeric literal that overflows (`1e309`) is still Fractional by the pattern; its value is ±Infinity and
 * callers exclude it from numeric statistics (and report it).
 */
import { decimalValue } from './parse-decimal.js';

export enum ValueClass {
  Unknown = 0,
  Integral = 1,
  Fractional = 2,
  Boolean = 3,
  String = 4,
}

export type InferredType = 'Integral' | 'Fractional' | 'String' | 'Unknown' | 'Boolean';

/** Out-parameter of `classifyText`, so the hot path allocates nothing. */
export const parsed = { value: Number.NaN };

const DIGIT_0 = 48;
const DIGIT_9 = 57;
/** Significant digits held exactly in a double, then digits held in a second part (19 in all). */
const LEAD_DIGITS = 15;
const MAX_DIGITS = 19;

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

/**
 * The number a Deequ-numeric text denotes, exactly as `Number()` reads it (NaN when the text is not
 * Integral or Fractional by the patterns above). `-0` stays `-0` here; `classifyText` folds it to 0.
 */
export function parseDecimal(text: string): number {
  const cls = scanNumber(text);
  return cls === ValueClass.Integral || cls === ValueClass.Fractional ? rawValue : Number.NaN;
}

let rawValue = Number.NaN;

/** Classifies `text` (see the patterns above) and leaves its value in `parsed.value` (-0 read as 0). */
export function classifyText(text: string): ValueClass {
  const cls = scanNumber(text);
  const v = rawValue;
  parsed.value = v === 0 ? 0 : v;
  if (cls === ValueClass.String && (text === 'true' || text === 'false')) return ValueClass.Boolean;
  return cls;
}

/** One scan: the class by Deequ's patterns and the exact value (with its sign, -0 kept) in `rawValue`. */
function scanNumber(text: string): ValueClass {
  const n = text.length;
  rawValue = Number.NaN;
  if (n === 0) return ValueClass.Unknown;
  let i = 0;
  let c = text.charCodeAt(0);
  let negative = false;
  if (c === 45 /* - */ || c === 43 /* + */) {
    negative = c === 45;
    i++;
  }
  if (i < n && text.charCodeAt(i) === 32) i++;
  // Significant digits: the first 15 in `lead` (exact), up to 4 more in `rest`; `dropped` counts beyond.
  let lead = 0;
  let rest = 0;
  let digits = 0;
  let dropped = 0;
  let fractionDigits = 0;
  const intStart = i;
  for (; i < n; i++) {
    c = text.charCodeAt(i);
    if (!isDigit(c)) break;
    if (digits === 0 && c === DIGIT_0) continue;
    if (digits < LEAD_DIGITS) lead = lead * 10 + (c - DIGIT_0);
    else if (digits < MAX_DIGITS) rest = rest * 10 + (c - DIGIT_0);
    else dropped++;
    digits++;
  }
  if (i === intStart) return ValueClass.String;
  let cls = ValueClass.Integral;
  let exponent = 0;
  if (i < n) {
    c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      i++;
      const start = i;
      for (; i < n; i++) {
        c = text.charCodeAt(i);
        if (!isDigit(c)) break;
        fractionDigits++;
        if (digits === 0 && c === DIGIT_0) continue;
        if (digits < LEAD_DIGITS) lead = lead * 10 + (c - DIGIT_0);
        else if (digits < MAX_DIGITS) rest = rest * 10 + (c - DIGIT_0);
        else dropped++;
        digits++;
      }
      if (i === start) return ValueClass.String;
      cls = ValueClass.Fractional;
    }
    if (i < n) {
      if (c !== 69 /* E */ && c !== 101 /* e */) return ValueClass.String;
      i++;
      let expNegative = false;
      if (i < n && (text.charCodeAt(i) === 45 || text.charCodeAt(i) === 43)) {
        expNegative = text.charCodeAt(i) === 45;
        i++;
      }
      const start = i;
      for (; i < n; i++) {
        c = text.charCodeAt(i);
        if (!isDigit(c)) break;
        if (exponent < 1e15) exponent = exponent * 10 + (c - DIGIT_0);
      }
      if (i === start || i !== n) return ValueClass.String;
      if (expNegative) exponent = -exponent;
      cls = ValueClass.Fractional;
    }
  }
  let v = Number.NaN;
  if (dropped === 0) {
    const restDigits = digits > LEAD_DIGITS ? digits - LEAD_DIGITS : 0;
    // The digits after the decimal point lower the exponent; `dropped` digits are never here.
    v = decimalValue(lead, rest, restDigits, exponent - fractionDigits);
  }
  if (Number.isNaN(v)) {
    // More than 19 significant digits, or a product too close to call: the engine decides.
    v = Number(numberText(text));
    rawValue = v;
    return cls;
  }
  rawValue = negative ? -v : v;
  return cls;
}

/** The text without the optional space after the sign (which `Number()` does not accept). */
function numberText(text: string): string {
  const c = text.charCodeAt(0);
  const signed = c === 45 || c === 43;
  const space = signed ? 1 : 0;
  return text.charCodeAt(space) === 32 ? text.slice(0, space) + text.slice(space + 1) : text;
}

/** Classifies a typed value (from JSON, Arrow, Parquet). */
export function classifyValue(value: unknown): ValueClass {
  switch (typeof value) {
    case 'string':
      return classifyText(value);
    case 'number':
      if (Number.isNaN(value)) {
        parsed.value = Number.NaN;
        return ValueClass.Unknown;
      }
      parsed.value = value === 0 ? 0 : value;
      return Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER
        ? ValueClass.Integral
        : ValueClass.Fractional;
    case 'boolean':
      parsed.value = Number.NaN;
      return ValueClass.Boolean;
    case 'bigint':
      parsed.value = Number(value);
      return ValueClass.Integral;
    default:
      parsed.value = Number.NaN;
      return value === null || value === undefined ? ValueClass.Unknown : ValueClass.String;
  }
}

/** Deequ's column type from per-class counts (spec §3.2). */
export function inferColumnType(counts: {
  integral: number;
  fractional: number;
  boolean: number;
  string: number;
}): InferredType {
  const { integral, fractional, boolean, string } = counts;
  if (string > 0) return 'String';
  if (boolean > 0) return integral > 0 || fractional > 0 ? 'String' : 'Boolean';
  if (fractional > 0) return 'Fractional';
  if (integral > 0) return 'Integral';
  return 'Unknown';
}
