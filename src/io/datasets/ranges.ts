/**
 * An object's bytes as a stream of ranged reads (`storage.readRange`), one part ahead.
 *
 * Why not one GET streamed to the end: reading a 10 GB training set takes minutes, and a connection reset
 * in the middle of a single GET fails the whole baseline. Ranged reads of `partBytes` are each retried by
 * the storage (the S3 SDK's retry policy), so a reset costs one part, not the run. One part is fetched
 * ahead while the previous one is parsed, which hides the request latency. Memory: two parts.
 */
import { Readable } from 'node:stream';
import { InputError } from '../../core/errors.js';
import type { Storage } from '../storage.js';

/** 8 MiB: large enough that request latency is small next to transfer time, small enough to hold two. */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

/** The bytes [0, size) of `uri`, read in parts of `partBytes`, as a Readable of Buffers. */
export function rangedStream(
  storage: Storage,
  uri: string,
  size: number,
  partBytes = DEFAULT_PART_BYTES,
): Readable {
  return Readable.from(rangedChunks(storage, uri, size, partBytes), { objectMode: true, highWaterMark: 1 });
}

async function* rangedChunks(
  storage: Storage,
  uri: string,
  size: number,
  partBytes: number,
): AsyncGenerator<Buffer> {
  const fetchPart = (start: number): Promise<Uint8Array> =>
    storage.readRange(uri, start, Math.min(size, start + partBytes));
  let next: Promise<Uint8Array> | undefined = size > 0 ? fetchPart(0) : undefined;
  let start = 0;
  try {
    while (next) {
      const part = await next;
      const end = start + part.length;
      if (part.length === 0)
        throw new InputError(`${uri}: object ended at byte ${start} of ${size} (changed while read?)`);
      next = end < size ? fetchPart(end) : undefined;
      start = end;
      yield Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    }
  } finally {
    // Stopped early (the consumer closed the stream, or a read failed): settle the read in flight.
    next?.catch(() => undefined);
  }
}
