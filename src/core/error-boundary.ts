/**
 * The one error boundary (issue 16): whatever an SDK, the file system or Redis throws becomes a
 * `DriftwatchError` with a one-line message naming the operation, the URI and, for an access error, the IAM
 * action needed. The CLI prints that line (never a stack trace); the job processor keeps it on the job and
 * decides retry or not by the class (`InputError`/`ConfigError` permanent, `TransientError` retried).
 *
 * AWS SDK errors say nothing about the call that failed, so every client driftwatch builds gets
 * `tagAwsErrors`: a middleware that records the command name and its input (bucket, key, namespace) on the
 * error. Pure duck typing here: no SDK import.
 */
import { ConfigError, DriftwatchError, InputError, TransientError } from './errors.js';

/** What `tagAwsErrors` adds to a thrown SDK error. */
interface AwsCallContext {
  service: string;
  operation: string;
  input: Record<string, unknown>;
}

const CALL = Symbol.for('driftwatch.awsCall');

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  [CALL]?: AwsCallContext;
}

interface MiddlewareStackLike {
  add(
    middleware: (
      next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
      context: { commandName?: string; clientName?: string },
    ) => (args: { input: Record<string, unknown> }) => Promise<unknown>,
    options: { step: 'initialize'; name: string },
  ): void;
}

/** Adds the middleware that names the call on every error an SDK client throws (idempotent per client). */
export function tagAwsErrors<T extends { middlewareStack: unknown }>(
  client: T,
  service: 's3' | 'cloudwatch',
): T {
  const stack = client.middlewareStack as MiddlewareStackLike;
  try {
    stack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          if (error !== null && typeof error === 'object' && !(CALL in error)) {
            Object.defineProperty(error, CALL, {
              value: {
                service,
                operation: (context.commandName ?? 'request').replace(/Command$/, ''),
                input: args.input ?? {},
              } satisfies AwsCallContext,
              enumerable: false,
            });
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'driftwatchErrorContext' },
    );
  } catch {
    // Already added to this client.
  }
  return client;
}

/** The IAM action an S3 or CloudWatch operation needs. */
export function iamActionFor(service: string, operation: string): string {
  if (service === 's3') {
    if (operation === 'HeadObject' || operation === 'GetObject') return 's3:GetObject';
    if (operation.startsWith('ListObjects')) return 's3:ListBucket';
    if (/Multipart|UploadPart|PutObject|CopyObject/.test(operation)) return 's3:PutObject';
    return `s3:${operation}`;
  }
  return `${service}:${operation}`;
}

function s3Uri(input: Record<string, unknown>): string | undefined {
  const bucket = typeof input.Bucket === 'string' ? input.Bucket : undefined;
  if (!bucket) return undefined;
  const key =
    typeof input.Key === 'string' ? input.Key : typeof input.Prefix === 'string' ? input.Prefix : '';
  return `s3://${bucket}/${key}`;
}

function s3Arn(service: string, operation: string, input: Record<string, unknown>): string {
  const bucket = typeof input.Bucket === 'string' ? input.Bucket : '*';
  if (iamActionFor(service, operation) === 's3:ListBucket') return `arn:aws:s3:::${bucket}`;
  const key = typeof input.Key === 'string' ? input.Key : '*';
  return `arn:aws:s3:::${bucket}/${key}`;
}

/** What the call was about, for the message: an S3 URI, a namespace, alarm names. */
function callTarget(call: AwsCallContext): string {
  const input = call.input;
  if (call.service === 's3') return s3Uri(input) ?? '';
  if (typeof input.Namespace === 'string') return `namespace ${input.Namespace}`;
  if (typeof input.AlarmName === 'string') return `alarm ${input.AlarmName}`;
  if (Array.isArray(input.AlarmNames)) return `alarms ${input.AlarmNames.slice(0, 3).join(', ')}`;
  return '';
}

const NETWORK_CODES: Record<string, string> = {
  ECONNRESET: 'connection reset',
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

const FS_CODES: Record<string, [string, 'input' | 'transient' | 'other']> = {
  ENOSPC: ['no space left on device', 'transient'],
  EDQUOT: ['disk quota exceeded', 'transient'],
  EACCES: ['permission denied', 'input'],
  EPERM: ['operation not permitted', 'input'],
  ENOENT: ['no such file or folder', 'input'],
  EISDIR: ['is a folder, not a file', 'input'],
  ENOTDIR: ['a path component is not a folder', 'input'],
  EROFS: ['read-only file system', 'input'],
  EMFILE: ['too many open files', 'transient'],
  ENFILE: ['too many open files', 'transient'],
  EIO: ['input/output error', 'transient'],
  ELOOP: ['too many symbolic links', 'input'],
  ENAMETOOLONG: ['file name too long', 'input'],
};

/** One line of text: line breaks become `; ` (a space after a colon), at most `max` characters. */
export function oneLine(text: string, max = 500): string {
  const flat = text
    .trim()
    .replace(/\s*\n\s*/g, (_m, offset: number) => (text.trim()[offset - 1] === ':' ? ' ' : '; '))
    .replace(/\s{2,}/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function awsError(error: SdkError, call: AwsCallContext | undefined): DriftwatchError | undefined {
  const status = error.$metadata?.httpStatusCode;
  const isSdk = status !== undefined || error.$fault !== undefined || call !== undefined;
  if (!isSdk) return undefined;
  const service = call?.service ?? 'aws';
  const operation = call?.operation ?? 'request';
  const target = call ? callTarget(call) : '';
  const what = `${service === 's3' ? 'S3' : service === 'cloudwatch' ? 'CloudWatch' : 'AWS'} ${operation}${target ? ` ${target}` : ''}`;
  const name = error.name ?? error.code ?? 'Error';
  const statusText = status ? `, HTTP ${status}` : '';
  const cause = { cause: error };
  if (
    name === 'AccessDenied' ||
    name === 'AccessDeniedException' ||
    name === 'AccessDeniedFault' ||
    name === 'Forbidden' ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'ExpiredToken' ||
    name === 'ExpiredTokenException' ||
    name === 'UnrecognizedClientException' ||
    status === 403
  ) {
    const action = iamActionFor(service, operation);
    const resource = service === 's3' ? ` on ${s3Arn(service, operation, call?.input ?? {})}` : '';
    const credentials = /Key|Signature|Token|Unrecognized/.test(name)
      ? ' (the credentials are invalid or expired)'
      : '';
    return new InputError(
      `${what}: access denied (${name}${statusText})${credentials}: the credentials need ${action}${resource}`,
      cause,
    );
  }
  if (name === 'NoSuchBucket') {
    const bucket = typeof call?.input.Bucket === 'string' ? ` '${call.input.Bucket}'` : '';
    return new InputError(`${what}: the bucket${bucket} does not exist (NoSuchBucket)`, cause);
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new InputError(`${what}: not found (${name}${statusText})`, cause);
  }
  const code = error.code ?? '';
  if (NETWORK_CODES[code]) return new TransientError(`${what}: ${NETWORK_CODES[code]} (${code})`, cause);
  if (
    error.$fault === 'server' ||
    (status !== undefined && status >= 500) ||
    status === 429 ||
    /Throttl|SlowDown|RequestTimeout|TimeoutError/.test(name)
  ) {
    return new TransientError(`${what}: ${name}${statusText}: ${oneLine(error.message ?? '', 200)}`, cause);
  }
  return new DriftwatchError(
    'E_AWS',
    `${what}: ${name}${statusText}${error.message && error.message !== name ? `: ${oneLine(error.message, 200)}` : ''}`,
    cause,
  );
}

/**
 * Any thrown value as a `DriftwatchError` with a one-line message. `DriftwatchError`s pass through (their
 * message folded to one line); AWS SDK, file-system, network and Redis errors are named and classed;
 * anything else (a bug) keeps its name and message under `E_INTERNAL`.
 */
export function toDriftwatchError(
  error: unknown,
  context: { operation?: string; uri?: string } = {},
): DriftwatchError {
  if (error instanceof DriftwatchError) {
    if (error.message.includes('\n')) error.message = oneLine(error.message);
    return error;
  }
  const e = (error ?? {}) as SdkError &
    NodeJS.ErrnoException & { address?: string; port?: number; dest?: string };
  const aws = awsError(e, e[CALL]);
  if (aws) return aws;
  const code = typeof e.code === 'string' ? e.code : '';
  const cause = { cause: error };
  if (FS_CODES[code] && (e.path || e.syscall || context.uri)) {
    const [text, kind] = FS_CODES[code];
    const op = context.operation ?? e.syscall;
    const path = e.path ?? context.uri;
    const where = path ? `${path}${e.dest ? ` -> ${e.dest}` : ''}` : '';
    const message = `cannot ${op ? `${op} ` : ''}${where}: ${text} (${code})`;
    return kind === 'transient'
      ? new TransientError(message, cause)
      : kind === 'input'
        ? new InputError(message, cause)
        : new DriftwatchError('E_IO', message, cause);
  }
  if (NETWORK_CODES[code]) {
    const where = e.address ? ` ${e.address}${e.port ? `:${e.port}` : ''}` : '';
    return new TransientError(`${e.syscall ?? 'network'}${where}: ${NETWORK_CODES[code]} (${code})`, cause);
  }
  if (e.name === 'MaxRetriesPerRequestError' || /Connection is closed/.test(e.message ?? '')) {
    return new TransientError(`Redis: ${oneLine(e.message ?? 'connection lost')}`, cause);
  }
  if (/^(NOAUTH|WRONGPASS|NOPERM)/.test(e.message ?? '')) {
    return new ConfigError(`Redis refused the credentials: ${oneLine(e.message ?? '')}`, {
      field: 'REDIS_URL',
    });
  }
  if (e instanceof RangeError && /call stack|Invalid array length|Array buffer allocation/.test(e.message)) {
    return new InputError(`input too large or too deeply nested: ${e.message}`, cause);
  }
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return new DriftwatchError('E_INTERNAL', oneLine(`${name}${e?.message ?? String(error)}`), cause);
}
