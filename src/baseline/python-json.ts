/**
 * JSON as Python's `json` module reads and writes it, for Clarify's files (spec §9.5):
 * - the parser keeps what `JSON.parse` loses: integer vs float literals (smclarify's integer `0`),
 *   object key order and keys such as `__proto__` (objects are entry lists), and it accepts the
 *   bare `Infinity`, `-Infinity` and `NaN` tokens Python writes by default;
 * - the writer is `json.dumps(value, indent=4)`: `": "` and `","` separators, ASCII-only
 *   (`ensure_ascii`), floats in Python `repr` (`0.0`, `1e-05`), no trailing newline.
 */
import { pythonFloatRepr } from '../metrics/bias/selection.js';

export type JsonTree = null | boolean | string | JsonNumber | JsonTree[] | JsonObject;

export interface JsonNumber {
  readonly kind: 'number';
  readonly value: number;
  /** Written without a fraction or exponent (a Python int). */
  readonly integer: boolean;
}

export interface JsonObject {
  readonly kind: 'object';
  readonly entries: [string, JsonTree][];
}

export const jsonFloat = (value: number): JsonNumber => ({ kind: 'number', value, integer: false });
export const jsonInt = (value: number): JsonNumber => ({ kind: 'number', value, integer: true });
export const jsonObject = (entries: [string, JsonTree][]): JsonObject => ({ kind: 'object', entries });

export function isJsonNumber(t: JsonTree): t is JsonNumber {
  return t !== null && typeof t === 'object' && !Array.isArray(t) && t.kind === 'number';
}

export function isJsonObject(t: JsonTree): t is JsonObject {
  return t !== null && typeof t === 'object' && !Array.isArray(t) && t.kind === 'object';
}

/** The last value of `key` (as JSON.parse keeps the last of duplicate keys). */
export function jsonGet(o: JsonObject, key: string): JsonTree | undefined {
  let found: JsonTree | undefined;
  for (const [k, v] of o.entries) if (k === key) found = v;
  return found;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at character ${position}`);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const MAX_DEPTH = 256;

/** Parses JSON text (plus Python's bare non-finite tokens) into a {@link JsonTree}. */
export function parseJsonTree(text: string): JsonTree {
  let i = 0;
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const fail = (m: string): never => {
    throw new JsonSyntaxError(m, i);
  };
  const literal = (word: string): boolean => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return true;
    }
    return false;
  };
  /** After an item of an object or array: true at its `close` (consumed), false after a `,`. */
  const closes = (close: '}' | ']'): boolean => {
    ws();
    if (text[i] === ',') {
      i++;
      return false;
    }
    if (text[i] === close) {
      i++;
      return true;
    }
    return fail(`expected "," or "${close}"`);
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        try {
          return JSON.parse(text.slice(start, i)) as string;
        } catch {
          i = start;
          return fail('invalid string');
        }
      }
      if (c === 0x5c) i += 2;
      else if (c < 0x20) return fail('control character in string');
      else i++;
    }
    return fail('unterminated string');
  };
  const value = (depth: number): JsonTree => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, JsonTree][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return jsonObject(entries);
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        entries.push([k, value(depth + 1)]);
        if (closes('}')) return jsonObject(entries);
      }
    }
    if (c === '[') {
      i++;
      const items: JsonTree[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value(depth + 1));
        if (closes(']')) return items;
      }
    }
    if (c === '"') return str();
    if (literal('null')) return null;
    if (literal('true')) return true;
    if (literal('false')) return false;
    if (literal('NaN')) return jsonFloat(Number.NaN);
    if (literal('Infinity')) return jsonFloat(Number.POSITIVE_INFINITY);
    if (literal('-Infinity')) return jsonFloat(Number.NEGATIVE_INFINITY);
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) return fail('unexpected token');
    i += m[0].length;
    return { kind: 'number', value: Number(m[0]), integer: m[1] === undefined && m[2] === undefined };
  };
  const out = value(0);
  ws();
  if (i !== text.length) fail('unexpected text after the value');
  return out;
}

/** Python `json.dumps` string escaping with `ensure_ascii=True`. */
export function pythonJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[^\x20-\x7e]/g,
    (ch) => `\\u${(ch.charCodeAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

function numberText(n: JsonNumber): string {
  if (n.integer && Number.isSafeInteger(n.value)) return String(n.value);
  if (Number.isNaN(n.value)) return 'NaN';
  if (!Number.isFinite(n.value)) return n.value > 0 ? 'Infinity' : '-Infinity';
  return pythonFloatRepr(n.value);
}

function write(t: JsonTree, level: number, out: string[]): void {
  if (t === null) out.push('null');
  else if (typeof t === 'boolean') out.push(t ? 'true' : 'false');
  else if (typeof t === 'string') out.push(pythonJsonString(t));
  else if (Array.isArray(t)) {
    if (t.length === 0) {
      out.push('[]');
      return;
    }
    const pad = '    '.repeat(level + 1);
    out.push('[');
    t.forEach((item, k) => {
      out.push(k === 0 ? `\n${pad}` : `,\n${pad}`);
      write(item, level + 1, out);
    });
    out.push(`\n${'    '.repeat(level)}]`);
  } else if (t.kind === 'number') out.push(numberText(t));
  else {
    if (t.entries.length === 0) {
      out.push('{}');
      return;
    }
    const pad = '    '.repeat(level + 1);
    out.push('{');
    t.entries.forEach(([k, v], n) => {
      out.push(n === 0 ? `\n${pad}` : `,\n${pad}`);
      out.push(pythonJsonString(k), ': ');
      write(v, level + 1, out);
    });
    out.push(`\n${'    '.repeat(level)}}`);
  }
}

/** `json.dumps(tree, indent=4)` as Python writes it (no trailing newline). */
export function writePythonJson(tree: JsonTree): string {
  const out: string[] = [];
  write(tree, 0, out);
  return out.join('');
}
