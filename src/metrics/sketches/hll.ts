/**
 * HyperLogLog distinct-count sketch (Flajolet et al. 2007) with the HLL++ small-range correction
 * (linear counting below 2.5·m) and an exact set below `exactLimit` distinct hashes.
 *
 * - Precision p = 14 → m = 16384 one-byte registers, relative standard error 1.04/sqrt(m) ≈ 0.81%.
 * - Hash: cyrb53 (53-bit) of the value's text, or of the float64 bits for numbers. The low p bits choose the
 *   register; the rank is 1 + the number of leading zeros of the remaining 39 bits.
 * - Mergeable: register-wise max (and set union while both are exact).
 */

const P = 14;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);

/** cyrb53: a fast 53-bit string hash (public domain, bryc). */
export function hashString(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** `addNumbers` reads a double's 32-bit words as (low, high): true on every platform Node ships for but s390x. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The two 32-bit halves `mix` leaves: low (`mixed[0]`) and high (`mixed[1]`, its low 21 bits used). */
const mixed = new Int32Array(2);

/** Mixes a float64's two 32-bit words into `mixed` (read as int32: `Math.imul` and `^` read them so). */
function mix(low: number, high: number): void {
  let h1 = Math.imul(low ^ 0x9e3779b9, 0x85ebca6b);
  let h2 = Math.imul(high ^ 0xc2b2ae35, 0x27d4eb2f);
  h1 ^= h1 >>> 15;
  h2 ^= h2 >>> 13;
  h1 = Math.imul(h1 ^ h2, 2654435761);
  h2 = Math.imul(h2 ^ (h1 >>> 16), 1597334677);
  h1 ^= h1 >>> 16;
  h2 ^= h2 >>> 15;
  mixed[0] = h1;
  mixed[1] = h2;
}

/** 53-bit hash of a number's float64 bits (0 and -0 hash alike). */
export function hashNumber(x: number): number {
  f64[0] = x === 0 ? 0 : x;
  mix(u32[0]!, u32[1]!);
  return 4294967296 * (2097151 & mixed[1]!) + (mixed[0]! >>> 0);
}

/** The JSON form of a {@link HyperLogLog}. */
export interface HllState {
  p: number;
  /** Exact hashes while few, else base64 registers. */
  exact?: number[];
  registers?: string;
}

const EXACT_SLOTS = 4096; // open-addressing table while exact (load factor <= 0.5)
/** The exact table starts small and doubles up to EXACT_SLOTS: a column with few values costs ~0.5 KB, not 32 KB. */
const FIRST_SLOTS = 64;
const EMPTY = -1;

/**
 * Mergeable approximate distinct count (HyperLogLog), exact while fewer than `exactLimit` (default 2048)
 * distinct hashes were seen.
 */
export class HyperLogLog {
  #registers: Uint8Array | undefined;
  /** Exact mode: full 53-bit hashes in an open-addressing table (no allocation per value). */
  #table: Float64Array | undefined = new Float64Array(FIRST_SLOTS).fill(EMPTY);
  #size = 0;
  readonly exactLimit: number;

  constructor(exactLimit = 2048) {
    this.exactLimit = Math.min(exactLimit, EXACT_SLOTS / 2);
  }

  /** Adds a 53-bit hash (from `hashString` / `hashNumber`). */
  addHash(hash: number): void {
    const table = this.#table;
    if (table === undefined) {
      addToRegisters(this.#registers!, hash);
      return;
    }
    if (!insert(table, hash)) return;
    if (++this.#size > this.exactLimit) this.#toRegisters();
    else if (this.#size * 2 > table.length) this.#grow();
  }

  /**
   * Adds `values[0..n)`, exactly as `addHash(hashNumber(x))` for each would. Once in registers mode the hash is
   * computed and the register updated on the value's two 32-bit words in one loop (`mix`, as `hashNumber`
   * does, then `addToRegisters`'s index and rank), without the 53-bit hash as a double in between (issue 15: the
   * distinct count of a numeric column's ~1M values). Infinities and NaN go through `hashNumber`.
   */
  addNumbers(values: Float64Array, n: number): void {
    let i = 0;
    while (i < n && this.#table !== undefined) this.addHash(hashNumber(values[i++]!));
    if (i === n) return;
    if (!LITTLE_ENDIAN) {
      for (; i < n; i++) addToRegisters(this.#registers!, hashNumber(values[i]!));
      return;
    }
    const registers = this.#registers!;
    const words = new Int32Array(values.buffer, values.byteOffset, 2 * n);
    for (; i < n; i++) {
      const low = words[2 * i]!;
      let high = words[2 * i + 1]!;
      if ((high & 0x7ff00000) === 0x7ff00000) {
        addToRegisters(registers, hashNumber(values[i]!));
        continue;
      }
      if (high === -0x80000000 && low === 0) high = 0; // -0 hashes as 0
      mix(low, high);
      const h1 = mixed[0]!;
      // addToRegisters on the hash's halves: low = h1 (mod 2^32), top 21 bits = mixed[1] & 2097151.
      const top = mixed[1]! & 2097151;
      const index = h1 & (M - 1);
      const hi = top >>> P;
      const rank = hi !== 0 ? Math.clz32(hi) - 25 + 1 : 7 + Math.clz32((top << (32 - P)) | (h1 >>> P)) + 1;
      if (rank > registers[index]!) registers[index] = rank;
    }
  }

  #grow(): void {
    const old = this.#table!;
    const table = new Float64Array(old.length * 2).fill(EMPTY);
    for (const h of old) if (h !== EMPTY) insert(table, h);
    this.#table = table;
  }

  /** Adds a string value (hashed with `hashString`). */
  addString(text: string): void {
    this.addHash(hashString(text));
  }

  #exactHashes(): number[] {
    const out: number[] = [];
    if (this.#table) for (const h of this.#table) if (h !== EMPTY) out.push(h);
    return out.sort((a, b) => a - b); // the same order whatever the table's size
  }

  #toRegisters(): void {
    const registers = new Uint8Array(M);
    for (const h of this.#exactHashes()) addToRegisters(registers, h);
    this.#registers = registers;
    this.#table = undefined;
  }

  /** Adds another sketch's values to this one. */
  merge(other: HyperLogLog): this {
    if (other.#table) {
      for (const h of other.#exactHashes()) this.addHash(h);
      return this;
    }
    if (this.#table) this.#toRegisters();
    const mine = this.#registers!;
    const theirs = other.#registers!;
    for (let i = 0; i < M; i++) if (theirs[i]! > mine[i]!) mine[i] = theirs[i]!;
    return this;
  }

  /** Estimated number of distinct values. Exact while fewer than `exactLimit` distinct hashes were seen. */
  estimate(): number {
    if (this.#table) return this.#size;
    const registers = this.#registers!;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = registers[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const raw = (ALPHA * M * M) / sum;
    if (raw <= 2.5 * M && zeros > 0) return M * Math.log(M / zeros);
    return raw;
  }

  /** The JSON form. */
  toJSON(): HllState {
    if (this.#table) return { p: P, exact: this.#exactHashes() };
    return { p: P, registers: Buffer.from(this.#registers!).toString('base64') };
  }

  /** A sketch from its JSON form. */
  static fromJSON(state: HllState): HyperLogLog {
    if (state.p !== P) throw new RangeError(`unsupported HyperLogLog precision ${state.p}`);
    const hll = new HyperLogLog();
    if (state.exact) {
      for (const h of state.exact) {
        if (!Number.isInteger(h) || h < 0 || h >= 2 ** 53)
          throw new RangeError(`invalid HyperLogLog hash ${h}`);
        hll.addHash(h);
      }
    } else if (state.registers) {
      const bytes = Buffer.from(state.registers, 'base64');
      if (bytes.length !== M) throw new RangeError('HyperLogLog registers have the wrong length');
      hll.#table = undefined;
      hll.#registers = new Uint8Array(bytes);
    }
    return hll;
  }
}

/** Inserts `hash` into an open-addressing table (length a power of two); false when already there. */
function insert(table: Float64Array, hash: number): boolean {
  const mask = table.length - 1;
  // hash % table.length for a hash in [0, 2^53) and a power-of-two length, without a floating-point modulo.
  let i = (hash >>> 0) & mask;
  for (;;) {
    const slot = table[i]!;
    if (slot === hash) return false;
    if (slot === EMPTY) break;
    i = (i + 1) & mask;
  }
  table[i] = hash;
  return true;
}

/**
 * Register = low p bits; rank = 1 + leading zeros of the remaining 39 bits (40 when they are all 0).
 * Computed on the hash's 32-bit halves (a hash is an integer in [0, 2^53)): no floating-point modulo.
 */
function addToRegisters(registers: Uint8Array, hash: number): void {
  const low = hash >>> 0; // hash mod 2^32
  const high = (hash - low) / 4294967296; // the top 21 bits (an exact division)
  const index = low & (M - 1);
  const hi = high >>> P; // the rest's top 7 bits: the hash's bits 46..52
  const rank =
    hi !== 0 ? Math.clz32(hi) - 25 + 1 : 7 + Math.clz32(((high << (32 - P)) | (low >>> P)) >>> 0) + 1;
  if (rank > registers[index]!) registers[index] = rank;
}
