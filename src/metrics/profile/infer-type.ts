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

export enum ValueClass {
  Unknown = 0,
  Integral = 1,
  Fractional = 2,
  Boolean = 3,
  String = 4,
}

/** A column's inferred type (Deequ's rules). */
export type InferredType = 'Integral' | 'Fractional' | 'String' | 'Unknown' | 'Boolean';

/** Out-parameter of `classifyText`, so the hot path allocates nothing. */
export const parsed = { value: Number.NaN };

/** 10^i for i in 0…22: each an exact double (Clinger's fast path). */
export const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** 2^53: integers below it are exact doubles (and so is every partial sum while reading their digits). */
export const TWO_53 = 2 ** 53;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

export function classifyText(text: string): ValueClass {
  return classifyRange(text, 0, text.length);
}

/**
 * `classifyText(text.slice(start, end))` without the slice: a CSV cell classified and parsed where it lies
 * in its line (the value in `parsed.value`).
 */
export function classifyRange(text: string, start: number, end: number): ValueClass {
  const n = end;
  parsed.value = Number.NaN;
  if (n === start) return ValueClass.Unknown;
  let i = start;
  let c = text.charCodeAt(start);
  let negative = false;
  if (c === 45 /* - */ || c === 43 /* + */) {
    negative = c === 45;
    i++;
  }
  let spaced = false;
  if (i < n && text.charCodeAt(i) === 32) {
    spaced = true;
    i++;
  }
  const digitsStart = i;
  let intValue = 0;
  for (; i < n; i++) {
    c = text.charCodeAt(i);
    if (!isDigit(c)) break;
    intValue = intValue * 10 + (c - DIGIT_0);
  }
  if (i === digitsStart) {
    if (n - start === 4 ? text.startsWith('true', start) : n - start === 5 && text.startsWith('false', start))
      return ValueClass.Boolean;
    return ValueClass.String;
  }
  if (i === n) {
    // Integral. Exact below 2^53 whatever the digit count (leading zeros); larger ones by Number().
    if (intValue < TWO_53) parsed.value = negative ? -intValue : intValue;
    else parsed.value = numberOf(text, start, end, spaced, digitsStart);
    if (parsed.value === 0) parsed.value = 0; // no -0
    return ValueClass.Integral;
  }
  // Fractional: (\.\d+) | ((\.\d+)?[Ee][-+]?\d+)
  c = text.charCodeAt(i);
  // The digits before and after the point as one integer mantissa: value = mantissa * 10^(exponent - fd).
  let mantissa = intValue;
  let fractionDigits = 0;
  if (c === 46 /* . */) {
    i++;
    const fractionStart = i;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (!isDigit(c)) break;
      mantissa = mantissa * 10 + (c - DIGIT_0);
    }
    fractionDigits = i - fractionStart;
    if (fractionDigits === 0) return ValueClass.String;
    if (i === n) {
      // Clinger's fast path: a mantissa below 2^53 and 10^k (k <= 22) are exact doubles, so their quotient,
      // rounded once, is the correctly rounded value, i.e. identical to Number(text).
      if (mantissa < TWO_53 && fractionDigits <= 22)
        return exactFractional(mantissa / POW10[fractionDigits]!, negative);
      return finishFractional(numberOf(text, start, end, spaced, digitsStart));
    }
    c = text.charCodeAt(i);
  }
  if (c === 69 /* E */ || c === 101 /* e */) {
    i++;
    let exponentNegative = false;
    if (i < n && (text.charCodeAt(i) === 45 || text.charCodeAt(i) === 43)) {
      exponentNegative = text.charCodeAt(i) === 45;
      i++;
    }
    const exponentStart = i;
    let exponent = 0;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (!isDigit(c)) break;
      if (exponent < 1e6) exponent = exponent * 10 + (c - DIGIT_0);
    }
    if (i === exponentStart || i !== n) return ValueClass.String;
    // The same fast path with the power 10^(exponent - fd): one exact multiplication or division.
    const power = (exponentNegative ? -exponent : exponent) - fractionDigits;
    if (mantissa < TWO_53 && power >= -22 && power <= 22) {
      return exactFractional(power >= 0 ? mantissa * POW10[power]! : mantissa / POW10[-power]!, negative);
    }
    return finishFractional(numberOf(text, start, end, spaced, digitsStart));
  }
  return ValueClass.String;
}

function exactFractional(v: number, negative: boolean): ValueClass {
  parsed.value = negative ? (v === 0 ? 0 : -v) : v;
  return ValueClass.Fractional;
}

/** `Number()` of the range, without the space Deequ allows after the sign (`- 5`). */
function numberOf(text: string, start: number, end: number, spaced: boolean, digitsStart: number): number {
  return Number(
    spaced ? text.slice(start, digitsStart - 1) + text.slice(digitsStart, end) : text.slice(start, end),
  );
}

function finishFractional(v: number): ValueClass {
  parsed.value = v === 0 ? 0 : v;
  return ValueClass.Fractional;
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
