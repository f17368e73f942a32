/**
 * A real storage (local files, S3 on moto) with faults a test can place in front of it: hold every call
 * below a prefix until released (to look at a job while it runs), or fail the first calls below a prefix
 * with a `TransientError` (a network blip). Everything else goes straight to the inner storage.
 */
import type { Readable } from 'node:stream';
import { TransientError } from '../../src/core/errors.js';
import { type ObjectInfo, RoutingStorage, type Storage, type WriteOptions } from '../../src/io/storage.js';

interface Fault {
  prefix: string;
  before(uri: string): Promise<void>;
}

export class FaultStorage implements Storage {
  readonly inner: Storage;
  readonly #faults: Fault[] = [];

  constructor(inner: Storage = new RoutingStorage()) {
    this.inner = inner;
  }

  /**
   * Holds calls below `prefix` until `release()`; `reached` resolves when the first one arrives.
   */
  hold(prefix: string): { reached: Promise<string>; release(): void } {
    let reached!: (uri: string) => void;
    let release!: () => void;
    const reachedPromise = new Promise<string>((r) => {
      reached = r;
    });
    const released = new Promise<void>((r) => {
      release = r;
    });
    this.#faults.push({
      prefix,
      before: async (uri) => {
        reached(uri);
        await released;
      },
    });
    return { reached: reachedPromise, release };
  }

  /** The first `times` calls below `prefix` throw a TransientError. */
  failTransiently(prefix: string, times = 1): void {
    let left = times;
    this.#faults.push({
      prefix,
      before: async (uri) => {
        if (left <= 0) return;
        left--;
        throw new TransientError(`simulated network error on ${uri}`);
      },
    });
  }

  async #before(uri: string): Promise<void> {
    for (const fault of this.#faults) if (uri.startsWith(fault.prefix)) await fault.before(uri);
  }

  async readStream(uri: string): Promise<Readable> {
    await this.#before(uri);
    return await this.inner.readStream(uri);
  }
  async readText(uri: string): Promise<string> {
    await this.#before(uri);
    return await this.inner.readText(uri);
  }
  async readRange(uri: string, start: number, end: number): Promise<Uint8Array> {
    await this.#before(uri);
    return await this.inner.readRange(uri, start, end);
  }
  async head(uri: string): Promise<ObjectInfo | undefined> {
    await this.#before(uri);
    return await this.inner.head(uri);
  }
  async *list(prefixUri: string): AsyncIterable<ObjectInfo> {
    await this.#before(prefixUri);
    yield* this.inner.list(prefixUri);
  }
  async *listFolders(prefixUri: string): AsyncIterable<string> {
    await this.#before(prefixUri);
    if (this.inner.listFolders) yield* this.inner.listFolders(prefixUri);
    else throw new Error('the inner storage cannot list folders');
  }
  async write(
    uri: string,
    body: string | Uint8Array | Readable,
    options?: WriteOptions,
  ): Promise<ObjectInfo> {
    await this.#before(uri);
    return await this.inner.write(uri, body, options);
  }
  async delete(uri: string): Promise<void> {
    await this.#before(uri);
    await this.inner.delete(uri);
  }
}
