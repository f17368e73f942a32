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
const REST_BITS = 53 - P; // 39

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

/** 53-bit hash of a number's float64 bits (0 and -0 hash alike). */
export function hashNumber(x: number): number {
  f64[0] = x === 0 ? 0 : x;
  let h1 = Math.imul(u32[0]! ^ 0x9e3779b9, 0x85ebca6b);
  let h2 = Math.imul(u32[1]! ^ 0xc2b2ae35, 0x27d4eb2f);
  h1 ^= h1 >>> 15;
  h2 ^= h2 >>> 13;
  h1 = Math.imul(h1 ^ h2, 2654435761);
  h2 = Math.imul(h2 ^ (h1 >>> 16), 1597334677);
  h1 ^= h1 >>> 16;
  h2 ^= h2 >>> 15;
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export interface HllState {
  p: number;
  /** Exact hashes while few, else base64 registers. */
  exact?: number[];
  registers?: string;
}

export class HyperLogLog {
  #registers: Uint8Array | undefined;
  #exact: Set<number> | undefined = new Set();
  readonly exactLimit: number;

  constructor(exactLimit = 2048) {
    this.exactLimit = exactLimit;
  }

  /** Adds a 53-bit hash (from `hashString` / `hashNumber`). */
  addHash(hash: number): void {
    if (this.#exact) {
      this.#exact.add(hash);
      if (this.#exact.size > this.exactLimit) this.#toRegisters();
      return;
    }
    this.#addToRegisters(this.#registers!, hash);
  }

  #addToRegisters(registers: Uint8Array, hash: number): void {
    const index = hash % M;
    const rest = Math.floor(hash / M); // 39 bits
    // rank = position of the leftmost 1 in a 39-bit word, 1-based; 40 when rest is 0.
    const rank = rest === 0 ? REST_BITS + 1 : REST_BITS - Math.floor(Math.log2(rest));
    if (rank > registers[index]!) registers[index] = rank;
  }

  #toRegisters(): void {
    const registers = new Uint8Array(M);
    for (const h of this.#exact ?? []) this.#addToRegisters(registers, h);
    this.#registers = registers;
    this.#exact = undefined;
  }

  merge(other: HyperLogLog): this {
    if (this.#exact && other.#exact) {
      for (const h of other.#exact) this.#exact.add(h);
      if (this.#exact.size > this.exactLimit) this.#toRegisters();
      return this;
    }
    if (this.#exact) this.#toRegisters();
    const mine = this.#registers!;
    if (other.#exact) {
      for (const h of other.#exact) this.#addToRegisters(mine, h);
    } else {
      const theirs = other.#registers!;
      for (let i = 0; i < M; i++) if (theirs[i]! > mine[i]!) mine[i] = theirs[i]!;
    }
    return this;
  }

  /** Estimated number of distinct values. Exact while fewer than `exactLimit` distinct hashes were seen. */
  estimate(): number {
    if (this.#exact) return this.#exact.size;
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

  toJSON(): HllState {
    if (this.#exact) return { p: P, exact: [...this.#exact] };
    return { p: P, registers: Buffer.from(this.#registers!).toString('base64') };
  }

  static fromJSON(state: HllState): HyperLogLog {
    if (state.p !== P) throw new RangeError(`unsupported HyperLogLog precision ${state.p}`);
    const hll = new HyperLogLog();
    if (state.exact) {
      for (const h of state.exact) hll.addHash(h);
    } else if (state.registers) {
      const bytes = Buffer.from(state.registers, 'base64');
      if (bytes.length !== M) throw new RangeError('HyperLogLog registers have the wrong length');
      hll.#exact = undefined;
      hll.#registers = new Uint8Array(bytes);
    }
    return hll;
  }
}
