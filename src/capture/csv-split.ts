/**
 * Splitting CSV payload text into cells (RFC 4180: `,` separator, `"` quoting, `""` = a literal quote).
 * Cells are the raw text; an empty cell (quoted or not) is `null` (missing), as Spark's CSV reader does.
 * Lines without a `"` take a fast path (`indexOf` + `slice`, no per-character work).
 * Malformed quoting never throws: an unterminated quote runs to the end of the text and characters
 * after a closing quote are kept; `state.malformed` is set so the caller can count it.
 */
import type { Cell } from '../core/types.js';

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Set by the split functions when the text had unbalanced or misplaced quotes. */
export interface CsvSplitState {
  malformed: boolean;
}

/**
 * Appends the cells of one CSV line to `out` (and returns it). The line must not contain record
 * separators outside quotes; a trailing `\r` is not stripped here.
 *
 * @example splitCsvLine('1,,"a,b"') // ['1', null, 'a,b']
 */
export function splitCsvLine(line: string, out: Cell[] = [], state?: CsvSplitState): Cell[] {
  if (line.indexOf('"') === -1) {
    const n = line.length;
    let start = 0;
    for (;;) {
      const comma = line.indexOf(',', start);
      if (comma === -1) {
        out.push(start === n ? null : line.slice(start));
        return out;
      }
      out.push(comma === start ? null : line.slice(start, comma));
      start = comma + 1;
    }
  }
  readCsvRecord(line, 0, out, state);
  return out;
}

/**
 * Reads one CSV record of `text` starting at `pos`, appending its cells to `out`; quoted fields may span
 * lines. Returns the position just after the record's line ending (`\n` or `\r\n`), or `text.length`.
 */
export function readCsvRecord(text: string, pos: number, out: Cell[], state?: CsvSplitState): number {
  const n = text.length;
  for (;;) {
    let value: string;
    if (pos < n && text.charCodeAt(pos) === QUOTE) {
      value = '';
      let segment = pos + 1;
      for (;;) {
        const q = text.indexOf('"', segment);
        if (q === -1) {
          // Unterminated quote: keep the rest as the value.
          value += text.slice(segment);
          pos = n;
          if (state) state.malformed = true;
          break;
        }
        if (q + 1 < n && text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(segment, q + 1);
          segment = q + 2;
          continue;
        }
        value += text.slice(segment, q);
        pos = q + 1;
        break;
      }
      // Anything between the closing quote and the next separator is kept (lenient, but flagged).
      let tail = pos;
      while (tail < n) {
        const c = text.charCodeAt(tail);
        if (c === COMMA || c === LF || c === CR) break;
        tail++;
      }
      if (tail > pos) {
        value += text.slice(pos, tail);
        if (state) state.malformed = true;
      }
      pos = tail;
    } else {
      let end = pos;
      while (end < n) {
        const c = text.charCodeAt(end);
        if (c === COMMA || c === LF || (c === CR && (end + 1 === n || text.charCodeAt(end + 1) === LF)))
          break;
        if (c === QUOTE && state) state.malformed = true;
        end++;
      }
      value = text.slice(pos, end);
      pos = end;
    }
    out.push(value === '' ? null : value);
    if (pos >= n) return n;
    const c = text.charCodeAt(pos);
    if (c === COMMA) {
      pos++;
      continue;
    }
    if (c === CR) pos++;
    if (pos < n && text.charCodeAt(pos) === LF) pos++;
    return pos;
  }
}

/**
 * The records of a CSV text that may hold several lines (a multi-row payload). Empty lines are skipped
 * (a trailing newline adds no row).
 */
export function splitCsvRows(text: string, state?: CsvSplitState): Cell[][] {
  const rows: Cell[][] = [];
  const n = text.length;
  if (text.indexOf('"') === -1) {
    let start = 0;
    while (start < n) {
      let nl = text.indexOf('\n', start);
      if (nl === -1) nl = n;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === CR) end--;
      if (end > start) rows.push(splitCsvLine(text.slice(start, end)));
      start = nl + 1;
    }
    return rows;
  }
  let pos = 0;
  while (pos < n) {
    const c = text.charCodeAt(pos);
    if (c === LF) {
      pos++;
      continue;
    }
    if (c === CR && (pos + 1 === n || text.charCodeAt(pos + 1) === LF)) {
      pos++;
      continue;
    }
    const row: Cell[] = [];
    pos = readCsvRecord(text, pos, row, state);
    rows.push(row);
  }
  return rows;
}

/** `text` without trailing `\n` / `\r` characters. */
export function trimLineEnd(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== LF && c !== CR) break;
    end--;
  }
  return end === text.length ? text : text.slice(0, end);
}
