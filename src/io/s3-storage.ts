/**
 * Storage on S3 through the AWS SDK v3: default credential chain, `AWS_REGION`, `AWS_ENDPOINT_URL`
 * (read by the SDK itself), path-style addressing when asked or when a custom endpoint is set.
 */
import { PassThrough, type Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { tagAwsErrors, toDriftwatchError } from '../core/error-boundary.js';
import { AlreadyExistsError, InputError, TransientError } from '../core/errors.js';
import { parseUri } from '../core/uri.js';
import { type AwsTimeouts, awsRequestHandler } from './aws-http.js';
import type { ObjectInfo, Storage, WriteOptions } from './storage.js';

/** Options of the S3 side of {@link createStorage}. */
export interface S3StorageOptions {
  client?: S3Client;
  region?: string;
  endpoint?: string;
  /** Path-style URLs (`http://host/bucket/key`); defaults to true when a custom endpoint is used. */
  forcePathStyle?: boolean;
  /** Connect, request and idle-socket timeouts. @defaultValue defaultAwsTimeouts (10 s, 60 s, 60 s) */
  timeouts?: Partial<AwsTimeouts>;
  /** Encrypt every object written with SSE-KMS under this key (a write's own `sseKmsKeyId` wins). */
  sseKmsKeyId?: string;
}

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const parsed = parseUri(uri);
  if (parsed.kind !== 's3') throw new InputError(`not an s3:// URI: ${uri}`);
  return { bucket: parsed.bucket, key: parsed.key };
}

/** A body that stalls (idle-socket timeout) or breaks mid-way: transient, naming the object. */
function bodyError(uri: string, error: unknown): TransientError {
  return new TransientError(
    `reading ${uri} failed mid-body: ${(error as Error).message || (error as Error).name}`,
    {
      cause: error,
    },
  );
}

function isBodyFault(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException | undefined;
  return (
    httpStatus(error) === undefined &&
    (e?.name === 'TimeoutError' || /^E[A-Z]+$/.test(e?.code ?? '') || e?.message === 'aborted')
  );
}

/** The body stream, whose errors (a stalled or reset socket) come out as a TransientError naming the object. */
function transientOnBodyError(body: Readable, uri: string): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  body.on('error', (error) => out.destroy(bodyError(uri, error)));
  out.on('close', () => {
    if (!body.destroyed) body.destroy();
  });
  body.pipe(out);
  return out;
}

function stripQuotes(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

export class S3Storage implements Storage {
  readonly client: S3Client;
  readonly #sseKmsKeyId: string | undefined;

  constructor(options: S3StorageOptions = {}) {
    this.#sseKmsKeyId = options.sseKmsKeyId;
    if (options.client) {
      this.client = tagAwsErrors(options.client, 's3');
    } else {
      const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
      const config: S3ClientConfig = {
        maxAttempts: 5,
        requestHandler: awsRequestHandler(options.timeouts),
        forcePathStyle:
          options.forcePathStyle ??
          (endpoint !== undefined || process.env.DRIFTWATCH_S3_PATH_STYLE === 'true'),
      };
      if (options.region ?? process.env.AWS_REGION) config.region = options.region ?? process.env.AWS_REGION;
      else config.region = 'us-east-1';
      if (endpoint) config.endpoint = endpoint;
      this.client = tagAwsErrors(new S3Client(config), 's3');
    }
  }

  async readStream(uri: string): Promise<Readable> {
    const { bucket, key } = parseS3Uri(uri);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return transientOnBodyError(out.Body as Readable, uri);
    } catch (error) {
      throw toDriftwatchError(error);
    }
  }

  /** A small object's text; a body that stalls or breaks mid-way is read again (3 attempts). */
  async readText(uri: string): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        const stream = await this.readStream(uri);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
        return Buffer.concat(chunks).toString('utf8');
      } catch (error) {
        if (!(error instanceof TransientError) || attempt >= 3) throw error;
      }
    }
  }

  async readRange(uri: string, start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array(0);
    const { bucket, key } = parseS3Uri(uri);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
      );
      return await out.Body!.transformToByteArray();
    } catch (error) {
      if (isBodyFault(error)) throw bodyError(uri, error);
      throw toDriftwatchError(error);
    }
  }

  async head(uri: string): Promise<ObjectInfo | undefined> {
    const { bucket, key } = parseS3Uri(uri);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        uri,
        size: out.ContentLength ?? 0,
        etag: stripQuotes(out.ETag),
        lastModified: out.LastModified ?? new Date(0),
      };
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw toDriftwatchError(error);
    }
  }

  async *list(prefixUri: string): AsyncIterable<ObjectInfo> {
    const { bucket, key: prefix } = parseS3Uri(prefixUri);
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const item of out.Contents ?? []) {
        if (!item.Key) continue;
        yield {
          uri: `s3://${bucket}/${item.Key}`,
          size: item.Size ?? 0,
          etag: stripQuotes(item.ETag),
          lastModified: item.LastModified ?? new Date(0),
        };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async *listFolders(prefixUri: string): AsyncIterable<string> {
    const { bucket, key } = parseS3Uri(prefixUri);
    const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          Delimiter: '/',
          ContinuationToken: token,
        }),
      );
      for (const p of out.CommonPrefixes ?? []) {
        if (p.Prefix) yield p.Prefix.slice(prefix.length, -1);
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async write(
    uri: string,
    body: string | Uint8Array | Readable,
    options: WriteOptions = {},
  ): Promise<ObjectInfo> {
    const { bucket, key } = parseS3Uri(uri);
    const kmsKey = options.sseKmsKeyId ?? this.#sseKmsKeyId;
    // The same on PutObject and on CreateMultipartUpload (which is where S3 takes a multipart object's
    // encryption and create-only condition).
    const params = {
      Bucket: bucket,
      Key: key,
      ContentType: options.contentType,
      IfNoneMatch: options.ifNoneMatch ? '*' : undefined,
      ...(kmsKey ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKey } : {}),
    };
    try {
      if (typeof body === 'string' || body instanceof Uint8Array) {
        const out = await this.client.send(new PutObjectCommand({ ...params, Body: body }));
        return { uri, size: Buffer.byteLength(body), etag: stripQuotes(out.ETag), lastModified: new Date() };
      }
      // Multipart for streams of unknown length; parts are retried by the SDK.
      const upload = new Upload({
        client: this.client,
        params: { ...params, Body: body },
        queueSize: 2,
        partSize: 8 * 1024 * 1024,
      });
      const out = await upload.done();
      const info = await this.head(uri);
      return info ?? { uri, size: 0, etag: stripQuotes(out.ETag), lastModified: new Date() };
    } catch (error) {
      if (httpStatus(error) === 412) throw new AlreadyExistsError(uri, { cause: error });
      throw toDriftwatchError(error);
    }
  }

  async delete(uri: string): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  destroy(): void {
    this.client.destroy();
  }
}
