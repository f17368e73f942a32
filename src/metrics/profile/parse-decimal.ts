/**
 * Exact decimal → double conversion for the digits of a numeric cell, correctly rounded (round half to
 * even), i.e. equal to `Number(text)` on every input, without building a substring.
 *
 * Method: Clinger's fast path (w ≤ 2^53 and |q| ≤ 22: one exact operation), else the Eisel–Lemire
 * algorithm (D. Lemire, "Number Parsing at a Gigabyte per Second", Software: Practice and Experience
 * 51(8), 2021; fast_float's `compute_float`) with a 128-bit truncated power of five, in 32-bit limbs since
 * JavaScript has no 64-bit integer arithmetic. The rare cases it cannot decide (more than 19 significant
 * digits, or the paper's ambiguous-product case) return NaN and the caller falls back to `Number()`.
 */

const TWO32 = 4294967296;
const TWO52 = 2 ** 52;
const TWO53 = 2 ** 53;
const SMALLEST_Q = -342;
const LARGEST_Q = 308;
/** 10^0 .. 10^22, all exact doubles. */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

let powersOfFive: Uint32Array | undefined;
let powersOfTwo: Float64Array | undefined;

/** 5^q for q in [-342, 308], normalised and truncated to 128 bits (fast_float's table), 4 limbs each, high first. */
function fiveTable(): Uint32Array {
  const t = new Uint32Array((LARGEST_Q - SMALLEST_Q + 1) * 4);
  const one = 1n;
  for (let q = SMALLEST_Q; q <= LARGEST_Q; q++) {
    let c: bigint;
    if (q < 0) {
      const power5 = 5n ** BigInt(-q);
      const z = power5.toString(2).length; // 2^(z-1) < 5^-q < 2^z
      if (q >= -27) c = (one << BigInt(z + 127)) / power5 + one;
      else {
        c = (one << BigInt(2 * z + 128)) / power5 + one;
        while (c >= one << 128n) c >>= one;
      }
    } else {
      c = 5n ** BigInt(q);
      while (c < one << 127n) c <<= one;
      while (c >= one << 128n) c >>= one;
    }
    const i = (q - SMALLEST_Q) * 4;
    t[i] = Number((c >> 96n) & 0xffffffffn);
    t[i + 1] = Number((c >> 64n) & 0xffffffffn);
    t[i + 2] = Number((c >> 32n) & 0xffffffffn);
    t[i + 3] = Number(c & 0xffffffffn);
  }
  return t;
}

/** 2^k for k in [-1074, 971] (built by exact doubling and halving). */
function twoTable(): Float64Array {
  const t = new Float64Array(1074 + 972);
  t[1074] = 1;
  for (let k = 1; k <= 971; k++) t[1074 + k] = t[1073 + k]! * 2;
  for (let k = 1; k <= 1074; k++) t[1074 - k] = t[1075 - k]! / 2;
  return t;
}

// 32 × 32 → 64-bit product, exact (16-bit halves keep every partial sum below 2^53).
let mulHi = 0;
let mulLo = 0;
function mul32(a: number, b: number): void {
  const ah = a >>> 16;
  const al = a & 0xffff;
  const bh = b >>> 16;
  const bl = b & 0xffff;
  const low = al * bl;
  const mid = ah * bl + al * bh + (low >>> 16);
  mulHi = ah * bh + Math.floor(mid / 65536);
  mulLo = (((mid & 0xffff) << 16) | (low & 0xffff)) >>> 0;
}

// 64 × 64 → 128-bit product in four 32-bit limbs r3 (high) .. r0.
let r3 = 0;
let r2 = 0;
let r1 = 0;
let r0 = 0;
function mul64(ah: number, al: number, bh: number, bl: number): void {
  mul32(al, bl);
  const h00 = mulHi;
  r0 = mulLo;
  mul32(al, bh);
  const h01 = mulHi;
  const l01 = mulLo;
  mul32(ah, bl);
  const h10 = mulHi;
  const l10 = mulLo;
  mul32(ah, bh);
  const s1 = h00 + l01 + l10;
  r1 = s1 % TWO32;
  const s2 = h01 + h10 + mulLo + Math.floor(s1 / TWO32);
  r2 = s2 % TWO32;
  r3 = mulHi + Math.floor(s2 / TWO32);
}

/**
 * The double nearest to w × 10^q (ties to even) for 0 < w < 2^64 given as 32-bit halves `wHi`, `wLo`;
 * NaN when undecidable here (the caller uses `Number()`).
 */
export function eiselLemire(wHi: number, wLo: number, q: number): number {
  if (q < SMALLEST_Q) return 0;
  if (q > LARGEST_Q) return Number.POSITIVE_INFINITY;
  if (powersOfFive === undefined) powersOfFive = fiveTable();
  const t = powersOfFive;
  let lz: number;
  let wh = wHi;
  let wl = wLo;
  if (wh !== 0) {
    lz = Math.clz32(wh);
    if (lz > 0) {
      wh = ((wh << lz) | (wl >>> (32 - lz))) >>> 0;
      wl = (wl << lz) >>> 0;
    }
  } else {
    lz = 32 + Math.clz32(wl);
    wh = (wl << (lz - 32)) >>> 0;
    wl = 0;
  }
  const i = (q - SMALLEST_Q) * 4;
  mul64(wh, wl, t[i]!, t[i + 1]!);
  let p3 = r3;
  let p2 = r2;
  let p1 = r1;
  let p0 = r0;
  if ((p2 & 0x1ff) === 0x1ff) {
    const f1 = p1;
    const f0 = p0;
    mul64(wh, wl, t[i + 2]!, t[i + 3]!);
    const lo0 = f0 + r2;
    p0 = lo0 % TWO32;
    const lo1 = f1 + r3 + (lo0 >= TWO32 ? 1 : 0);
    p1 = lo1 % TWO32;
    if (lo1 >= TWO32) {
      p2 += 1;
      if (p2 === TWO32) {
        p2 = 0;
        p3 += 1;
      }
    }
    // The paper's conservative test for a product too close to call.
    if (p1 === 0xffffffff && p0 === 0xffffffff && (q < -27 || q > 55)) return Number.NaN;
  }
  const upper = p3 >>> 31;
  const shift = upper + 9;
  let mh = p3 >>> shift;
  let ml = ((p3 << (32 - shift)) | (p2 >>> shift)) >>> 0;
  let power2 = ((217706 * q) >> 16) + 63 + upper - lz + 1023;
  if (powersOfTwo === undefined) powersOfTwo = twoTable();
  const two = powersOfTwo;
  if (power2 <= 0) {
    const s = -power2 + 1;
    if (s >= 64) return 0;
    if (s >= 32) {
      ml = s - 32 >= 32 ? 0 : mh >>> (s - 32);
      mh = 0;
    } else {
      ml = ((mh << (32 - s)) | (ml >>> s)) >>> 0;
      mh >>>= s;
    }
    let m = mh * TWO32 + ml;
    m = (m + (ml & 1)) / 2;
    return m * two[0]!;
  }
  if (q >= -4 && q <= 23 && p1 === 0 && p0 <= 1 && (ml & 3) === 1) {
    // Exactly halfway between two doubles: round to even (down).
    if ((p2 & ((1 << shift) - 1)) === 0) ml -= 1;
  }
  let m = mh * 2147483648 + (ml >>> 1) + (ml & 1);
  if (m >= TWO53) {
    m = TWO52;
    power2++;
  }
  if (power2 >= 2047) return Number.POSITIVE_INFINITY;
  return m * two[power2 - 1075 + 1074]!;
}

/**
 * ±w × 10^q where w is held as `lead` (the first ≤ 15 significant digits, an exact integer) and `rest`
 * (the next `restDigits` ≤ 4 digits). NaN when undecidable (more than 19 digits are the caller's case).
 */
export function decimalValue(lead: number, rest: number, restDigits: number, q: number): number {
  if (restDigits === 0) {
    if (lead === 0) return 0;
    if (q >= -22 && q <= 22) return q < 0 ? lead / POW10[-q]! : lead * POW10[q]!;
    return eiselLemire(Math.floor(lead / TWO32), lead % TWO32, q);
  }
  const scale = POW10[restDigits]!;
  const leadHi = Math.floor(lead / TWO32);
  const low = (lead % TWO32) * scale + rest;
  const wHi = leadHi * scale + Math.floor(low / TWO32);
  const wLo = low % TWO32;
  if (wHi === 0 && wLo === 0) return 0;
  if (wHi < 2097152 && q >= -22 && q <= 22) {
    const w = wHi * TWO32 + wLo; // < 2^53: exact
    return q < 0 ? w / POW10[-q]! : w * POW10[q]!;
  }
  return eiselLemire(wHi, wLo, q);
}
