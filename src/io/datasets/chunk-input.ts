/**
 * The byte input of a row parser (csv.ts): chunks pulled from a stream, appended to the unparsed rest of the
 * previous buffer, and a UTF-8 BOM at the start of the object dropped (even when it is split across chunks).
 */
import type { Readable } from 'node:stream';

const EMPTY = Buffer.alloc(0);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export class ChunkInput {
  readonly #chunks: AsyncIterator<Buffer | Uint8Array | string>;
  #bomChecked = false;
  /** Bytes taken from the stream so far. */
  bytes = 0;
  /** The stream has ended: the buffer `extend` returned last holds all that is left. */
  eof = false;

  constructor(stream: Readable) {
    this.#chunks = stream[Symbol.asyncIterator]();
  }

  /**
   * `rest` (the unparsed start of a row) followed by new input. Reads until the new input is at least as
   * large as the rest, so a row spanning many chunks is re-scanned a logarithmic number of times, and stops
   * once rest and new input pass `maxBytes` (the caller fails the row) or at the end of the stream.
   */
  async extend(rest: Buffer, maxBytes: number): Promise<Buffer> {
    const parts: Buffer[] = rest.length > 0 ? [rest] : [];
    let added = 0;
    do {
      const { value, done } = await this.#chunks.next();
      if (done) {
        this.eof = true;
        break;
      }
      const chunk =
        typeof value === 'string' ? Buffer.from(value) : Buffer.isBuffer(value) ? value : Buffer.from(value);
      if (chunk.length === 0) continue;
      parts.push(chunk);
      this.bytes += chunk.length;
      added += chunk.length;
    } while (added < rest.length && rest.length + added <= maxBytes);
    let buf = parts.length === 1 ? parts[0]! : parts.length === 0 ? EMPTY : Buffer.concat(parts);
    if (!this.#bomChecked) {
      // A UTF-8 BOM at the start of the object, possibly split across chunks. Until 3 bytes are in, they
      // stay unparsed: none of them is a line feed, so no row can end before the next load.
      const prefix = Math.min(3, buf.length);
      if (buf.subarray(0, prefix).equals(BOM.subarray(0, prefix)) && prefix < 3 && !this.eof) {
        // Undecided: wait for more bytes.
      } else {
        this.#bomChecked = true;
        if (prefix === 3 && buf.subarray(0, 3).equals(BOM)) buf = buf.subarray(3);
      }
    }
    return buf;
  }
}
