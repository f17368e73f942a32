/**
 * Storage: one small interface over `s3://bucket/key` URIs and local paths (or `file://` URLs).
 * Every reader and writer in driftwatch goes through it, so the whole tool runs on a local folder.
 *
 * URIs name objects; a "prefix" is a URI that names a folder (`s3://b/a/` or `/tmp/out`), and
 * `joinUri(prefix, 'x/y.json')` builds the URI of an object below it.
 */
import type { Readable } from 'node:stream';
import { ConfigError } from '../core/errors.js';
import { relativeKeyProblem } from '../core/names.js';
import { parseUri } from '../core/uri.js';
import { LocalStorage } from './local-storage.js';
import type { S3Storage, S3StorageOptions } from './s3-storage.js';

/** Metadata of a stored object. */
export interface ObjectInfo {
  /** Full URI of the object (`s3://bucket/key` or an absolute local path). */
  uri: string;
  size: number;
  /** S3 ETag (quotes stripped), or for local files `<size>-<mtimeMs>`. */
  etag: string;
  lastModified: Date;
}

/** Options of {@link Storage.write}. */
export interface WriteOptions {
  contentType?: string;
  /** Fail with `AlreadyExistsError` instead of overwriting an existing object. */
  ifNoneMatch?: boolean;
  /** S3: encrypt with SSE-KMS under this key (id, ARN or alias); local files ignore it. */
  sseKmsKeyId?: string;
}

/**
 * `storage` whose every write is encrypted with SSE-KMS under `sseKmsKeyId` (a monitor's `sseKmsKeyId`);
 * `storage` itself when no key is given.
 */
export function withSseKms(storage: Storage, sseKmsKeyId: string | undefined): Storage {
  if (!sseKmsKeyId) return storage;
  return new Proxy(storage, {
    get(target, property, receiver) {
      if (property === 'write')
        return (uri: string, body: string | Uint8Array | Readable, options?: WriteOptions) =>
          target.write(uri, body, { ...options, sseKmsKeyId: options?.sseKmsKeyId ?? sseKmsKeyId });
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * One small interface over `s3://bucket/key` URIs and local paths: every reader and writer in driftwatch
 * goes through it. Implement it to keep data elsewhere.
 */
export interface Storage {
  /** The object's bytes as a stream. Throws `InputError` when it does not exist. */
  readStream(uri: string): Promise<Readable>;
  /** The whole object as UTF-8 text (for small objects: configs, baselines, reports). */
  readText(uri: string): Promise<string>;
  /** Bytes `[start, end)` of the object (random access, e.g. Parquet footers and row groups). */
  readRange(uri: string, start: number, end: number): Promise<Uint8Array>;
  /** Metadata, or undefined when the object does not exist. */
  head(uri: string): Promise<ObjectInfo | undefined>;
  /** Every object below a prefix, recursively, in key order; paginated underneath. */
  list(prefixUri: string): AsyncIterable<ObjectInfo>;
  /**
   * The names of the immediate sub-folders of a prefix (one level, no recursion, sorted), e.g. the variant
   * folders of an endpoint's capture. Optional: without it, callers fall back to `list`.
   */
  listFolders?(prefixUri: string): AsyncIterable<string>;
  /** Writes an object whole (multipart for large streams on S3; temp file + rename locally). */
  write(uri: string, body: string | Uint8Array | Readable, options?: WriteOptions): Promise<ObjectInfo>;
  /** Deletes an object (nothing when it does not exist). */
  delete(uri: string): Promise<void>;
}

/** True for an `s3://` URI (scheme in any case). Throws a ConfigError for a malformed URI (`s3:/x`, `S3:b/x`). */
export function isS3Uri(uri: string): boolean {
  return parseUri(uri).kind === 's3';
}

/**
 * Joins a prefix URI and a relative key with exactly one `/` between them. The result always stays below
 * the prefix: an empty prefix (`--out ''`) and `.`/`..` segments in a part are ConfigErrors.
 */
export function joinUri(prefix: string, ...parts: string[]): string {
  parseUri(prefix, 'output prefix');
  let out = prefix;
  for (const part of parts) {
    if (!part) continue;
    const problem = relativeKeyProblem(part);
    if (problem)
      throw new ConfigError(`${JSON.stringify(part)} ${problem}`, { field: `path below ${prefix}` });
    out = `${out.replace(/\/+$/, '')}/${part.replace(/^\/+/, '')}`;
  }
  return out;
}

/**
 * Routes each URI to the S3 or the local implementation. The S3 implementation (and the AWS SDK) is loaded
 * on the first `s3://` URI, so local runs and worker threads that never touch S3 do not pay for it.
 */
export class RoutingStorage implements Storage {
  readonly local = new LocalStorage();
  #s3: Promise<S3Storage> | undefined;
  #s3Ready: S3Storage | undefined;
  readonly #s3Options: S3StorageOptions;

  constructor(s3Options: S3StorageOptions = {}) {
    this.#s3Options = s3Options;
  }

  s3(): Promise<S3Storage> {
    this.#s3 ??= import('./s3-storage.js').then(({ S3Storage }) => {
      this.#s3Ready = new S3Storage(this.#s3Options);
      return this.#s3Ready;
    });
    return this.#s3;
  }

  async #for(uri: string): Promise<Storage> {
    return isS3Uri(uri) ? await this.s3() : this.local;
  }

  async readStream(uri: string): Promise<Readable> {
    return (await this.#for(uri)).readStream(uri);
  }
  async readText(uri: string): Promise<string> {
    return (await this.#for(uri)).readText(uri);
  }
  async readRange(uri: string, start: number, end: number): Promise<Uint8Array> {
    return (await this.#for(uri)).readRange(uri, start, end);
  }
  async head(uri: string): Promise<ObjectInfo | undefined> {
    return (await this.#for(uri)).head(uri);
  }
  async *list(prefixUri: string): AsyncIterable<ObjectInfo> {
    yield* (await this.#for(prefixUri)).list(prefixUri);
  }
  async *listFolders(prefixUri: string): AsyncIterable<string> {
    yield* isS3Uri(prefixUri) ? (await this.s3()).listFolders(prefixUri) : this.local.listFolders(prefixUri);
  }
  async write(
    uri: string,
    body: string | Uint8Array | Readable,
    options?: WriteOptions,
  ): Promise<ObjectInfo> {
    return (await this.#for(uri)).write(uri, body, options);
  }
  async delete(uri: string): Promise<void> {
    return (await this.#for(uri)).delete(uri);
  }
  destroy(): void {
    this.#s3Ready?.destroy();
  }
}

/** The storage used by the CLI and the worker: S3 settings from the environment (AWS_REGION, AWS_ENDPOINT_URL). */
export function createStorage(options: S3StorageOptions = {}): RoutingStorage {
  return new RoutingStorage(options);
}
