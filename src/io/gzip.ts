/**
 * Transparent gzip: a byte stream whose first bytes are gzip's magic number (1f 8b) is decompressed on the
 * fly, any other stream passes through unchanged. Detection by content, not by name: users copy capture
 * files as `.jsonl.gz`, or gzip them and keep the `.jsonl` name. Streaming (zlib's Gunzip): memory is one
 * chunk whatever the expansion ratio; the consumer's own limits (line and row bytes) still apply.
 * A corrupt or truncated gzip stream is an `InputError` naming the object.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../core/errors.js';

const MAGIC_0 = 0x1f;
const MAGIC_1 = 0x8b;

/** True when `bytes` starts with gzip's magic number. */
export function isGzipMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === MAGIC_0 && bytes[1] === MAGIC_1;
}

/** The stream's bytes, gunzipped when they are gzip. `uri` names the object in errors. */
export function gunzipIfCompressed(stream: Readable, uri: string): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    const input = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | Uint8Array | string>;
    let head = Buffer.alloc(0);
    try {
      // Enough bytes to decide (a first chunk of one byte is possible).
      while (head.length < 2) {
        const { value, done } = await input.next();
        if (done) {
          if (head.length > 0) yield head;
          return;
        }
        head = Buffer.concat([head, typeof value === 'string' ? Buffer.from(value) : Buffer.from(value)]);
      }
      if (!isGzipMagic(head)) {
        yield head;
        for (;;) {
          const { value, done } = await input.next();
          if (done) return;
          yield typeof value === 'string'
            ? Buffer.from(value)
            : Buffer.isBuffer(value)
              ? value
              : Buffer.from(value);
        }
      }
      const gunzip = createGunzip();
      const feed = (async () => {
        try {
          if (!gunzip.write(head)) await waitDrain(gunzip);
          for (;;) {
            const { value, done } = await input.next();
            if (done) break;
            const chunk = typeof value === 'string' ? Buffer.from(value) : value;
            if (!gunzip.write(chunk)) await waitDrain(gunzip);
          }
          gunzip.end();
        } catch (error) {
          gunzip.destroy(error as Error);
        }
      })();
      try {
        for await (const chunk of gunzip) yield chunk as Buffer;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (!code.startsWith('Z_')) throw error;
        throw new InputError(`${uri}: cannot decompress (gzip): ${(error as Error).message}`, {
          cause: error,
        });
      } finally {
        gunzip.destroy();
        await feed.catch(() => undefined);
      }
    } finally {
      stream.destroy();
    }
  }
  return Readable.from(bytes(), { objectMode: false });
}

function waitDrain(stream: NodeJS.WritableStream & { destroyed?: boolean }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
