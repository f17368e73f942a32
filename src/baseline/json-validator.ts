/**
 * Hand-written validation of the SageMaker JSON files driftwatch reads (statistics.json, constraints.json,
 * driftwatch_calibration.json): each check fails with one `ConfigError` naming the file and the field.
 */
import { ConfigError } from '../core/errors.js';

/** A parsed JSON value, not yet validated. */
type Json = unknown;

/** Checks one value of a parsed file, at a field path such as `features[3].name`. */
export class Validator {
  constructor(readonly file: string) {}
  fail(field: string, message: string): never {
    throw new ConfigError(message, { file: this.file, field });
  }
  object(value: Json, field: string): Record<string, Json> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(field, `expected an object, got ${describe(value)}`);
    return value as Record<string, Json>;
  }
  array(value: Json, field: string): Json[] {
    if (!Array.isArray(value)) this.fail(field, `expected an array, got ${describe(value)}`);
    return value;
  }
  number(value: Json, field: string, options: { allowNaN?: boolean } = {}): number {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (options.allowNaN && (value === 'NaN' || value === null)) return Number.NaN;
    this.fail(field, `expected a number, got ${describe(value)}`);
  }
  /**
   * An array of finite numbers (a sketch's level, thousands of them): an element's field (`field[j]`) is
   * named only when it fails, not built for every element.
   */
  numbers(value: Json, field: string): number[] {
    const array = this.array(value, field);
    for (let j = 0; j < array.length; j++) {
      const x = array[j];
      if (typeof x !== 'number' || !Number.isFinite(x)) this.number(x, `${field}[${j}]`);
    }
    return array as number[];
  }
  count(value: Json, field: string): number {
    const n = this.number(value, field);
    if (n < 0) this.fail(field, `expected a count >= 0, got ${n}`);
    return n;
  }
  string(value: Json, field: string): string {
    if (typeof value !== 'string') this.fail(field, `expected a string, got ${describe(value)}`);
    return value;
  }
  oneOf<T extends string>(value: Json, field: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(field, `expected one of ${allowed.join(', ')}, got ${describe(value)}`);
    }
    return value as T;
  }
}

function describe(value: Json): string {
  if (value === undefined) return 'nothing (missing)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `JSON.parse`, failing with a `ConfigError` that names the file. */
export function parseJsonFile(text: string, file: string): Json {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`not valid JSON: ${(error as Error).message}`, { file }, { cause: error });
  }
}
