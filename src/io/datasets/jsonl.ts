/**
 * JSON Lines reader: each line one flat JSON object, values by key. Columns are the keys in order of first
 * appearance across the whole dataset (one `ColumnRegistry` shared by every object of it); a key absent
 * from a line is missing (null).
 *
 * Untrusted lines: unparsable text, or JSON that is not an object -> `malformed_json` (line skipped);
 * nested objects/arrays -> their JSON text plus `nested_value`; numbers that overflow a double (`1e309`)
 * -> Infinity plus `number_out_of_range`; invalid UTF-8 -> U+FFFD plus `invalid_utf8` (row kept); a line
 * over the length limit -> `line_too_long` (skipped). Keys are only ever Map keys: `__proto__` and
 * `constructor` are ordinary column names (JSON.parse makes them own properties, read by own key).
 */
import type { Readable } from 'node:stream';
import type { Cell } from '../../core/types.js';
import { type Line, readLineBatches } from '../lines.js';
import { jsonText, UNWRITABLE_VALUE } from './cells.js';
import { MAX_COLUMNS, type RowSource, type SourceContext } from './source.js';

/** Column names by first appearance, shared by the objects of one JSONL dataset. */
export class ColumnRegistry {
  readonly names: string[] = [];
  readonly #index = new Map<string, number>();

  /** Index of `name`, adding it when new; -1 when the column limit is reached. */
  indexOf(name: string): number {
    const found = this.#index.get(name);
    if (found !== undefined) return found;
    if (this.names.length >= MAX_COLUMNS) return -1;
    const index = this.names.length;
    this.names.push(name);
    this.#index.set(name, index);
    return index;
  }
}

export interface JsonlSourceOptions {
  /** Longest line read (default 16 MiB); longer lines are skipped with an issue. */
  maxLineBytes?: number;
}

export class JsonlSource implements RowSource {
  readonly #batches: AsyncIterator<Line[]>;
  /** Lines read but not yet decoded (one batch: up to 128 lines of one chunk). */
  #lines: Line[] = [];
  #lineIndex = 0;
  readonly #stream: Readable;
  readonly #context: SourceContext;
  readonly #registry: ColumnRegistry;
  #row: Cell[] = [];
  #bytes = 0;
  #closed = false;

  constructor(
    stream: Readable,
    context: SourceContext,
    registry: ColumnRegistry,
    options: JsonlSourceOptions = {},
  ) {
    this.#stream = stream;
    this.#context = context;
    this.#registry = registry;
    this.#batches = readLineBatches(this.#counted(stream), {
      maxLineBytes: options.maxLineBytes ?? 16 * 1024 * 1024,
    })[Symbol.asyncIterator]();
  }

  get columns(): readonly string[] {
    return this.#registry.names;
  }

  async *#counted(stream: Readable): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
      this.#bytes += bytes.length;
      yield bytes;
    }
  }

  next(): Cell[] | undefined {
    const lines = this.#lines;
    while (this.#lineIndex < lines.length) {
      if (this.#decode(lines[this.#lineIndex++]!)) return this.#row;
    }
    return undefined;
  }

  async fill(): Promise<boolean> {
    if (this.#closed) return false;
    const { value, done } = await this.#batches.next();
    if (done) {
      this.#lines = [];
      return false;
    }
    this.#lines = value;
    this.#lineIndex = 0;
    return true;
  }

  bytesRead(): number {
    return this.#bytes;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream.destroy();
    this.#lines = [];
    void this.#batches.return?.();
  }

  #issue(kind: string, line: number, message: string, column?: string): void {
    this.#context.issues.add({ kind, source: this.#context.uri, line, column, message });
  }

  /** Decodes one line into the row; false when the line yields no row. */
  #decode(line: Line): boolean {
    if (line.tooLong) {
      this.#issue('line_too_long', line.lineNumber, 'line longer than the limit skipped');
      return false;
    }
    if (line.invalidUtf8)
      this.#issue('invalid_utf8', line.lineNumber, 'invalid UTF-8 bytes replaced with U+FFFD');
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.text);
    } catch (error) {
      this.#issue('malformed_json', line.lineNumber, `not valid JSON: ${(error as Error).message}`);
      return false;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      const what = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
      this.#issue('malformed_json', line.lineNumber, `expected a JSON object, found ${what}`);
      return false;
    }
    const object = parsed as Record<string, unknown>;
    const row = this.#row;
    // Every cell starts missing; the row grows with the columns.
    row.length = this.#registry.names.length;
    row.fill(null);
    for (const key of Object.keys(object)) {
      const index = this.#registry.indexOf(key);
      if (index < 0) {
        this.#issue(
          'too_many_columns',
          line.lineNumber,
          `more than ${MAX_COLUMNS} distinct keys; key dropped`,
          key,
        );
        continue;
      }
      row[index] = this.#cell(object[key], key, line.lineNumber);
    }
    return true;
  }

  #cell(value: unknown, key: string, lineNumber: number): Cell {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (!Number.isFinite(value)) {
          this.#issue(
            'number_out_of_range',
            lineNumber,
            'number outside the range of a double read as Infinity',
            key,
          );
        }
        return value;
      case 'object':
        if (value === null) return null;
        this.#issue('nested_value', lineNumber, 'nested value written as JSON text', key);
        return this.#nested(value, key, lineNumber);
      default:
        return null;
    }
  }

  #nested(value: object, key: string, lineNumber: number): Cell {
    const text = jsonText(value);
    if (text !== UNWRITABLE_VALUE) return text;
    this.#issue(
      'nested_too_deep',
      lineNumber,
      'nested value too deep to write as JSON text: read as missing',
      key,
    );
    return null;
  }
}
