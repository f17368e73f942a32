/**
 * Streaming RFC 4180 CSV reader: quoted fields, doubled quotes, newlines inside quotes, CRLF or LF line
 * ends, a UTF-8 BOM. Cells are the raw text; an empty unquoted field is `null` (missing), a quoted empty
 * field `""` is the empty string. Type inference happens later, in the profile.
 *
 * Lenient where real files are sloppy, and never silent about it: what it accepts and how each finding is
 * reported is listed in csv-issues.ts. A row longer than `maxRowBytes` (an unterminated quote in a large
 * file, or not a CSV) stops the read with one `InputError` naming the file, line and column.
 *
 * Speed: bytes are scanned in a tight loop over the Buffer; cells are cut with `substring` from one
 * latin1 string per buffer (byte offsets = string offsets) and only cells with bytes >= 0x80 are
 * decoded as UTF-8. Buffers that are pure ASCII (checked with SIMD `isAscii`) skip even that test.
 * Memory: one input chunk plus the current row (the input's buffering: chunk-input.ts).
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { InputError } from '../../core/errors.js';
import type { Cell } from '../../core/types.js';
import { ChunkInput } from './chunk-input.js';
import { positionalName, uniqueColumnNames } from './columns.js';
import { type PendingIssue, recordBlankLine, recordPending, recordRagged, rowTooLong } from './csv-issues.js';
import { MAX_COLUMNS, type PlainRowTaker, type RowSource, type SourceContext } from './source.js';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const HIGH = 0x80;
/** `#nextQuote` before the buffer was searched. */
const UNKNOWN = -2;

/** Status of one `parseRow` call. */
const NEED_MORE = 0;
const ROW = 1;
const END = 2;
type ParseStatus = typeof NEED_MORE | typeof ROW | typeof END;

export interface CsvSourceOptions {
  /** First row is the header (default true); otherwise columns are `_c0`, `_c1`, ... */
  header?: boolean;
  /** A row (header included) longer than this fails the read. Default 64 MiB. */
  maxRowBytes?: number;
}

const EMPTY = Buffer.alloc(0);
/** Size of the latin1 string windows cells are cut from, and the room a row start needs left in one. */
const WINDOW_BYTES = 64 * 1024;
const WINDOW_MARGIN = 4 * 1024;

export class CsvSource implements RowSource {
  columns: string[] = [];
  readonly #context: SourceContext;
  readonly #maxRowBytes: number;
  readonly #input: ChunkInput;
  readonly #stream: Readable;
  #buf: Buffer = EMPTY;
  /**
   * latin1 view of `#buf[#strStart, #strEnd)`: one char per byte, so byte offsets index it directly. A
   * window rather than the whole buffer because cells cut from it are V8 slices that keep the whole window
   * alive: a consumer that keeps a few cells (say, as Map keys) keeps a few windows, not whole chunks.
   */
  #str = '';
  #strStart = 0;
  #strEnd = 0;
  #ascii = true;
  #pos = 0;
  /** 1-based line number at `#pos`. */
  #line = 1;
  #eof = false;
  #closed = false;
  /** Columns kept per row; before the header is known, unlimited. */
  #width = Number.MAX_SAFE_INTEGER;
  #row: Cell[] = [];
  #cellCount = 0;
  #rowLine = 1;
  /** Issues found while parsing the current row; recorded only once the row is complete. */
  #pending: PendingIssue[] | undefined;
  /** A row parsed during open (headerless files) that `next()` must return first. */
  #held = false;
  /** Column index reached when the last parse ran out of input (for the too-long-row error). */
  #partialColumn = 0;

  private constructor(stream: Readable, context: SourceContext, maxRowBytes: number) {
    this.#stream = stream;
    this.#input = new ChunkInput(stream);
    this.#context = context;
    this.#maxRowBytes = maxRowBytes;
  }

  /** Opens the stream and reads the header (or, without a header, the first row to count the columns). */
  static async open(
    stream: Readable,
    context: SourceContext,
    options: CsvSourceOptions = {},
  ): Promise<CsvSource> {
    const source = new CsvSource(stream, context, options.maxRowBytes ?? 64 * 1024 * 1024);
    try {
      await source.#readFirstRow(options.header ?? true);
    } catch (error) {
      source.close();
      throw error;
    }
    return source;
  }

  async #readFirstRow(header: boolean): Promise<void> {
    let status = this.#parseRow();
    while (status === NEED_MORE) {
      await this.#load();
      status = this.#parseRow();
    }
    if (status === END) return;
    if (this.#cellCount > MAX_COLUMNS)
      throw new InputError(
        `${this.#context.uri}: line 1 has ${this.#cellCount} columns, more than the limit of ${MAX_COLUMNS} columns per dataset`,
      );
    const first = this.#row.slice(0, this.#cellCount);
    if (header) {
      this.columns = uniqueColumnNames(
        first.map((cell) => (cell == null ? '' : String(cell))),
        this.#context.uri,
        this.#context.issues,
      );
    } else {
      this.columns = first.map((_, i) => positionalName(i));
      this.#held = true;
    }
    this.#width = this.columns.length;
    this.#row.length = this.#width;
  }

  next(): Cell[] | undefined {
    if (this.#held) {
      this.#held = false;
      return this.#row;
    }
    if (this.#closed) return undefined;
    if (this.#take !== undefined && this.#ascii) this.#takePlainRows(this.#take);
    return this.#parseRow() === ROW ? this.#row : undefined;
  }

  #take: PlainRowTaker | undefined;
  /** Where the next quote lies in `#buf` (-1: none; UNKNOWN: not looked for since the last load). */
  #nextQuote = UNKNOWN;

  setPlainRowTaker(take: PlainRowTaker | undefined): void {
    this.#take = take;
  }

  /**
   * Offers the plain rows from `#pos` on (see `PlainRowTaker`) to `take` while it takes them; the first
   * row that is not plain, not complete or declined is left to `#parseRow`. Only for an ASCII buffer.
   */
  #takePlainRows(take: PlainRowTaker): void {
    const b = this.#buf;
    let pos = this.#pos;
    let taken = 0;
    for (;;) {
      const lf = b.indexOf(LF, pos);
      if (lf === -1) break;
      let end = lf;
      if (end > pos && b[end - 1] === CR) end--;
      if (end === pos || end - pos > this.#maxRowBytes) break;
      let quote = this.#nextQuote;
      if (quote === UNKNOWN || (quote !== -1 && quote < pos)) {
        quote = b.indexOf(QUOTE, pos);
        this.#nextQuote = quote;
      }
      if (quote !== -1 && quote < lf) break;
      if (!take(b, pos, end)) break;
      pos = lf + 1;
      taken++;
    }
    if (taken === 0) return;
    this.#pos = pos;
    this.#line += taken;
  }

  async fill(): Promise<boolean> {
    if (this.#held) return true;
    if (this.#eof || this.#closed) {
      // A parse at the end of input always yields a row or END, never NEED_MORE.
      return false;
    }
    await this.#load();
    return true;
  }

  bytesRead(): number {
    return this.#input.bytes;
  }

  #blankLine(line: number): void {
    recordBlankLine(this.#context, line);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#buf = EMPTY;
    this.#str = '';
    this.#stream.destroy();
  }

  /** Appends input after the unparsed rest of the buffer (see `ChunkInput.extend`). */
  async #load(): Promise<void> {
    const rest = this.#buf.subarray(this.#pos);
    // The unparsed rest is the start of one row: past the limit, fail before reading any more of it.
    if (rest.length > this.#maxRowBytes) this.#failTooLong(rest.length);
    const buf = await this.#input.extend(rest, this.#maxRowBytes);
    this.#eof = this.#input.eof;
    this.#buf = buf;
    this.#pos = 0;
    this.#nextQuote = UNKNOWN;
    this.#ascii = isAscii(buf);
    this.#str = '';
    this.#strStart = 0;
    this.#strEnd = 0;
  }

  #failTooLong(bytes: number, complete = false): never {
    const column = this.#columnName(this.#partialColumn);
    throw rowTooLong(this.#context.uri, this.#line, column, this.#maxRowBytes, bytes, complete);
  }

  #text(start: number, end: number, high: boolean, column: number, line: number): string {
    if (!high) {
      if (end <= this.#strEnd) return this.#str.substring(start - this.#strStart, end - this.#strStart);
      return this.#buf.toString('latin1', start, end); // a cell across the window's end (rare)
    }
    const bytes = this.#buf.subarray(start, end);
    if (!isUtf8(bytes)) {
      this.#issue('invalid_utf8', line, column, 'invalid UTF-8 bytes replaced with U+FFFD');
    }
    return bytes.toString('utf8');
  }

  #issue(kind: string, line: number, column: number, message: string): void {
    this.#pending ??= [];
    this.#pending.push({ kind, line, column, message });
  }

  /**
   * Parses one row at `#pos` into `#row`. On NEED_MORE nothing is consumed: the row is parsed again from
   * its start once more input is loaded (issues found meanwhile are dropped and found again).
   */
  #parseRow(): ParseStatus {
    const b = this.#buf;
    const n = b.length;
    const eof = this.#eof;
    let i = this.#pos;
    let line = this.#line;

    // Blank lines between rows carry no data: skip them (counted).
    while (i < n) {
      const c = b[i];
      if (c === LF) {
        this.#blankLine(line);
        line++;
        i++;
      } else if (c === CR && (i + 1 >= n || b[i + 1] === LF)) {
        if (i + 1 >= n && !eof) break; // "\r" at the end of the buffer: need the next byte
        this.#blankLine(line);
        line++;
        i += i + 1 >= n ? 1 : 2; // "\r\n", or a lone "\r" ending the file
      } else {
        break;
      }
    }
    this.#pos = i;
    this.#line = line;
    if (i >= n) {
      if (eof) return END;
      this.#partialColumn = 0;
      return NEED_MORE;
    }
    if (i === n - 1 && b[i] === CR && !eof) {
      this.#partialColumn = 0;
      return NEED_MORE;
    }

    if (i + WINDOW_MARGIN > this.#strEnd && this.#strEnd < n) {
      this.#strStart = i;
      this.#strEnd = Math.min(n, i + WINDOW_BYTES);
      this.#str = b.toString('latin1', i, this.#strEnd);
    }
    this.#pending = undefined;
    const rowStart = i;
    const row = this.#row;
    const width = this.#width;
    // Before the header is known, at most MAX_COLUMNS + 1 cells are kept (the first row is refused past it).
    const keep = Math.min(width, MAX_COLUMNS + 1);
    const ascii = this.#ascii;
    let k = 0;
    for (;;) {
      let value: Cell;
      let j: number;
      if (i < n && b[i] === QUOTE) {
        // Quoted field: up to the next quote that is not doubled.
        const start = i + 1;
        const fieldLine = line;
        let high = false;
        let escaped = false;
        let end: number;
        j = start;
        for (;;) {
          if (j >= n) {
            if (!eof) return this.#needMore(k);
            end = n;
            this.#issue(
              'csv_quote',
              fieldLine,
              k,
              line > fieldLine
                ? `unterminated quoted field closed at the end of the file: it swallowed ${line - fieldLine} line(s) after line ${fieldLine} (a missing closing quote)`
                : 'unterminated quoted field closed at the end of the file',
            );
            break;
          }
          const c = b[j]!;
          if (c === QUOTE) {
            if (j + 1 < n) {
              if (b[j + 1] === QUOTE) {
                escaped = true;
                j += 2;
                continue;
              }
            } else if (!eof) {
              return this.#needMore(k);
            }
            end = j;
            j++;
            break;
          }
          if (c === LF) line++;
          else if (c >= HIGH) high = true;
          j++;
        }
        let text = this.#text(start, end, high, k, fieldLine);
        if (escaped) text = text.replaceAll('""', '"');
        // After the closing quote: a delimiter, a line end or the end of the file.
        if (j < n && b[j] !== COMMA && b[j] !== LF && !(b[j] === CR && (j + 1 >= n || b[j + 1] === LF))) {
          let m = j;
          let junkHigh = false;
          while (m < n) {
            const c = b[m]!;
            if (c === COMMA || c === LF) break;
            if (c >= HIGH) junkHigh = true;
            m++;
          }
          if (m === n && !eof) return this.#needMore(k);
          const junkEnd = m < n && b[m] === LF && b[m - 1] === CR ? m - 1 : m;
          text += this.#text(j, junkEnd, junkHigh, k, line);
          this.#issue('csv_quote', line, k, 'text after the closing quote of a quoted field');
          j = m;
        } else if (j < n && b[j] === CR) {
          if (j + 1 >= n) {
            if (!eof) return this.#needMore(k);
            j++; // trailing "\r" at the end of the file
          } else {
            j++; // "\r\n": j now points at the "\n"
          }
        }
        value = text;
      } else {
        // Unquoted field: up to the next comma or line end.
        j = i;
        let high = false;
        if (ascii) {
          while (j < n) {
            const c = b[j];
            if (c === COMMA || c === LF) break;
            j++;
          }
        } else {
          while (j < n) {
            const c = b[j]!;
            if (c === COMMA || c === LF) break;
            if (c >= HIGH) high = true;
            j++;
          }
        }
        if (j === n && !eof) return this.#needMore(k);
        let end = j;
        if (end > i && b[end - 1] === CR && (j === n || b[j] === LF)) end--;
        value = end === i ? null : this.#text(i, end, high, k, line);
      }
      if (k < keep) row[k] = value;
      k++;
      if (j >= n) {
        i = n;
        break;
      }
      if (b[j] === COMMA) {
        i = j + 1;
        continue;
      }
      // Line feed: the row ends.
      line++;
      i = j + 1;
      break;
    }

    // The limit is exact: a row (without its line end) of maxRowBytes + 1 bytes fails, whatever the chunks.
    let rowEnd = i;
    if (rowEnd > rowStart && b[rowEnd - 1] === LF) rowEnd--;
    if (rowEnd > rowStart && b[rowEnd - 1] === CR) rowEnd--;
    if (rowEnd - rowStart > this.#maxRowBytes) {
      this.#partialColumn = k - 1;
      this.#failTooLong(rowEnd - rowStart, true);
    }
    const rowLine = this.#line;
    this.#pos = i;
    this.#line = line;
    this.#rowLine = rowLine;
    this.#cellCount = k;
    if (this.#pending) this.#flushPending(rowLine);
    if (k !== width && width !== Number.MAX_SAFE_INTEGER) this.#ragged(k, rowLine);
    return ROW;
  }

  #needMore(column: number): ParseStatus {
    this.#partialColumn = column;
    this.#pending = undefined;
    return NEED_MORE;
  }

  #columnName(index: number): string {
    return this.columns[index] ?? positionalName(index);
  }

  #flushPending(rowLine: number): void {
    recordPending(this.#context, this.#pending ?? [], rowLine, (index) => this.#columnName(index));
    this.#pending = undefined;
  }

  #ragged(count: number, line: number): void {
    const width = this.#width;
    if (count < width) {
      for (let c = count; c < width; c++) this.#row[c] = null;
    }
    recordRagged(this.#context, count, width, line);
  }

  /** Line number of the row returned last (1-based; where it starts). */
  get rowLine(): number {
    return this.#rowLine;
  }
}
