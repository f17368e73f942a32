/**
 * Turns typed values (JSON, Arrow, Parquet) into `Cell`s with one convention for every format:
 * numbers stay numbers (BigInt -> number), booleans stay booleans, dates and timestamps become ISO-8601
 * text, binary becomes base64 text, and nested values (objects, arrays, structs, lists, maps) become their
 * JSON text. Everything that is not a plain scalar is reported once per column and object, so a String
 * column made of JSON text is never a surprise.
 */
import type { IssueLog } from '../../core/issues.js';
import type { Cell } from '../../core/types.js';

/**
 * What `jsonText` returns for a value it cannot write: nested deeper than the stack allows (a JSON line
 * nested 5,000 deep), or with a cycle. Never `String(value)`, which recurses through nested arrays too.
 */
export const UNWRITABLE_VALUE = '[nested value too deep to write]';

/** JSON.stringify that also writes BigInt (as a number when exact, else as a string) and never throws. */
export function jsonText(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
      if (v instanceof Uint8Array)
        return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
      return v;
    });
    return text ?? UNWRITABLE_VALUE;
  } catch {
    return UNWRITABLE_VALUE;
  }
}

/** Converts the values of one column of one object, reporting each kind of conversion once. */
export class CellConverter {
  #reported = 0;

  constructor(
    private readonly issues: IssueLog,
    private readonly source: string,
    private readonly column: string,
  ) {}

  convert(value: unknown): Cell {
    switch (typeof value) {
      case 'number':
      case 'string':
      case 'boolean':
        return value;
      case 'undefined':
        return null;
      case 'bigint': {
        const n = Number(value);
        if (!Number.isSafeInteger(n))
          this.#report(PRECISION, 'precision_loss', 'integers beyond 2^53 rounded to the nearest double');
        return n;
      }
      case 'object':
        return this.#object(value);
      default:
        this.#report(NESTED, 'nested_value', `${typeof value} values written as text`);
        return String(value);
    }
  }

  #object(value: object | null): Cell {
    if (value === null) return null;
    if (value instanceof Date) {
      const time = value.getTime();
      if (Number.isNaN(time)) {
        this.#report(BAD_DATE, 'invalid_date', 'invalid dates read as missing');
        return null;
      }
      return value.toISOString();
    }
    if (value instanceof Uint8Array) {
      this.#report(BINARY, 'binary_value', 'binary values written as base64 text');
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    }
    this.#report(NESTED, 'nested_value', 'nested values (objects, lists, structs) written as JSON text');
    const toJSON = (value as { toJSON?: () => unknown }).toJSON;
    return jsonText(typeof toJSON === 'function' ? toJSON.call(value) : value);
  }

  #report(bit: number, kind: string, message: string): void {
    if (this.#reported & bit) return;
    this.#reported |= bit;
    this.issues.add({
      kind,
      source: this.source,
      column: this.column,
      message: `column ${JSON.stringify(this.column)}: ${message}`,
    });
  }
}

const NESTED = 1;
const BINARY = 2;
const PRECISION = 4;
const BAD_DATE = 8;
