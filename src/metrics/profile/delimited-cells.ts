/**
 * The comma-separated cells of a plain CSV row held as ASCII bytes (a capture line's payloads where they
 * lie in the bytes read; issue 15), found in one pass that also reads the usual numbers on the way: a cell
 * `[-+]?\d+` below 2^53, or `[-+]?\d+\.\d+` whose digits make an integer below 2^53 with at most 22 after
 * the point (Clinger's fast path: the quotient of two exact doubles, rounded once, is `Number()`'s value).
 * Such a cell is Integral or Fractional with exactly the value `classifyText` gives its text (no -0). Every
 * other cell (text, exponents, a space after the sign, longer mantissas) is `OTHER`: its text decides.
 */
import { POW10, TWO_53, ValueClass } from './infer-type.js';

/** A cell whose class and value only its text tells (see the file's comment). */
export const OTHER = 0;

const COMMA = 44;
const MINUS = 45;
const PLUS = 43;
const POINT = 46;
const DIGIT_0 = 48;

/** The cells of the parts of a row scanned last: where each starts and ends, its kind and its number. */
export class DelimitedCells {
  bytes: Buffer | undefined;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** `ValueClass.Integral`, `ValueClass.Fractional` (value in `values`) or `OTHER`. */
  kinds = new Uint8Array(64);
  values = new Float64Array(64);
  /** The number of cells scanned. */
  count = 0;

  /** Whether cell `i` is exactly `text` (compared byte for char: for ASCII text). */
  cellIs(i: number, text: string): boolean {
    const start = this.starts[i]!;
    if (this.ends[i]! - start !== text.length) return false;
    const bytes = this.bytes!;
    for (let k = 0; k < text.length; k++) if (bytes[start + k] !== text.charCodeAt(k)) return false;
    return true;
  }

  /** Scans `bytes[start…end)`, then `bytes[secondStart…secondEnd)` when that is not empty: the cells found. */
  scan(bytes: Buffer, start: number, end: number, secondStart: number, secondEnd: number): number {
    this.bytes = bytes;
    this.count = this.#scan(bytes, start, end, 0);
    if (secondEnd > secondStart) this.count = this.#scan(bytes, secondStart, secondEnd, this.count);
    return this.count;
  }

  #grow(): void {
    const n = this.ends.length * 2;
    const grown = <T extends Int32Array | Uint8Array | Float64Array>(old: T, made: T): T => {
      made.set(old as never);
      return made;
    };
    this.starts = grown(this.starts, new Int32Array(n));
    this.ends = grown(this.ends, new Int32Array(n));
    this.kinds = grown(this.kinds, new Uint8Array(n));
    this.values = grown(this.values, new Float64Array(n));
  }

  /** The cells of `bytes[at…end)` from slot `n` on; the next free slot. */
  #scan(bytes: Buffer, at: number, end: number, n: number): number {
    // The arrays in locals (reloaded when grown), each loop bounded by `end` itself: no sentinel per byte.
    let { starts, ends, kinds, values } = this;
    for (;;) {
      if (n === ends.length) {
        this.#grow();
        ({ starts, ends, kinds, values } = this);
      }
      let i = at;
      let kind = OTHER;
      let value = 0;
      let negative = false;
      if (i < end) {
        const c = bytes[i]!;
        if (c === MINUS || c === PLUS) {
          negative = c === MINUS;
          i++;
        }
      }
      const digits = i;
      let mantissa = 0;
      for (; i < end; i++) {
        const d = bytes[i]! - DIGIT_0;
        if (d < 0 || d > 9) break;
        mantissa = mantissa * 10 + d;
      }
      if (i > digits) {
        if (i === end || bytes[i] === COMMA) {
          if (mantissa < TWO_53) {
            kind = ValueClass.Integral;
            value = negative && mantissa !== 0 ? -mantissa : mantissa;
          }
        } else if (bytes[i] === POINT) {
          const fraction = ++i;
          for (; i < end; i++) {
            const d = bytes[i]! - DIGIT_0;
            if (d < 0 || d > 9) break;
            mantissa = mantissa * 10 + d;
          }
          const fractionDigits = i - fraction;
          if (
            (i === end || bytes[i] === COMMA) &&
            fractionDigits > 0 &&
            fractionDigits <= 22 &&
            mantissa < TWO_53
          ) {
            kind = ValueClass.Fractional;
            const v = mantissa / POW10[fractionDigits]!;
            value = negative && v !== 0 ? -v : v;
          }
        }
      }
      while (i < end && bytes[i] !== COMMA) i++;
      starts[n] = at;
      ends[n] = i;
      kinds[n] = kind;
      values[n] = value;
      n++;
      if (i >= end) return n;
      at = i + 1;
    }
  }
}
