/**
 * Retries of CloudWatch calls: exponential backoff with full jitter on throttling, 5xx and network faults;
 * everything else fails at once. When the attempts run out the caller gets a `TransientError` (so a job
 * is retried by BullMQ, and the whole publication happens again), never a swallowed error.
 *
 * Clients should be created with the SDK's own retries off (`maxAttempts: 1`, see `createCloudWatchClient`),
 * so that this layer alone decides how often a call is made.
 */
import { toDriftwatchError } from '../core/error-boundary.js';
import { ConfigError, DriftwatchError, TransientError } from '../core/errors.js';

export interface RetryOptions {
  /** Total attempts per call, including the first. @defaultValue 6 */
  maxAttempts?: number;
  /** Backoff base in milliseconds: attempt n waits a random time in [0, min(max, base·2^(n−1))). @defaultValue 250 */
  baseDelayMs?: number;
  /** Upper bound of one wait, in milliseconds. @defaultValue 20000 */
  maxDelayMs?: number;
  /** Stops waiting and calling; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Told about every failed attempt that will be retried (for logs). */
  onRetry?: (info: { what: string; attempt: number; delayMs: number; error: unknown }) => void;
}

export const DEFAULT_MAX_ATTEMPTS = 6;
const DEFAULT_BASE_DELAY_MS = 250;
const DEFAULT_MAX_DELAY_MS = 20_000;

/** AWS error codes that mean "slow down" (CloudWatch uses `Throttling`; the others are SDK-wide). */
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
]);
const TRANSIENT_CODES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'ERR_HTTP2_STREAM_ERROR',
]);
/** Credentials or permissions: no retry helps, the deployment must be fixed. */
const AUTH_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'MissingAuthenticationToken',
  'IncompleteSignature',
  'CredentialsProviderError',
]);

export type AwsErrorClass = 'retryable' | 'auth' | 'rejected' | 'aborted';

interface AwsLikeError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
  cause?: unknown;
}

/** How a failed AWS call should be handled. */
export function classifyAwsError(error: unknown, depth = 0): AwsErrorClass {
  if (typeof error !== 'object' || error === null) return 'rejected';
  const e = error as AwsLikeError;
  const name = e.name ?? '';
  if (name === 'AbortError') return 'aborted';
  if (THROTTLING_CODES.has(name) || TRANSIENT_CODES.has(name)) return 'retryable';
  if (e.code && NETWORK_CODES.has(e.code)) return 'retryable';
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return 'retryable';
  if (AUTH_CODES.has(name) || status === 401 || status === 403) return 'auth';
  if (e.cause !== undefined && depth < 5) {
    const inner = classifyAwsError(e.cause, depth + 1);
    if (inner !== 'rejected') return inner;
  }
  return 'rejected';
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as AwsLikeError).$metadata?.httpStatusCode;
    return `${error.name}${status ? ` (HTTP ${status})` : ''}: ${error.message}`;
  }
  return String(error);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Calls `fn` until it succeeds, a non-retryable error occurs, or `maxAttempts` calls failed.
 * - retryable (throttling, 429, 5xx, network): wait with full-jitter backoff, then call again; when the
 *   attempts run out, throw `TransientError` (code `E_TRANSIENT`) naming `what` with the last error as cause.
 * - auth (access denied, bad credentials): throw `ConfigError` at once (permanent: no job retry).
 * - anything else (a 4xx validation error): throw `DriftwatchError` with code `E_CLOUDWATCH` at once.
 * - aborted: rethrow the abort.
 */
export async function callWithRetry<T>(
  what: string,
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      const kind = classifyAwsError(error);
      if (kind === 'aborted') throw error;
      if (kind === 'auth') {
        throw new ConfigError(
          `CloudWatch refused ${what}: ${toDriftwatchError(error).message}`,
          {},
          {
            cause: error,
          },
        );
      }
      if (kind === 'rejected') {
        throw new DriftwatchError('E_CLOUDWATCH', `CloudWatch rejected ${what}: ${describe(error)}`, {
          cause: error,
        });
      }
      if (attempt >= maxAttempts) {
        throw new TransientError(`${what} failed after ${attempt} attempts: ${describe(error)}`, {
          cause: error,
        });
      }
      const delayMs = Math.floor(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
      options.onRetry?.({ what, attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

/**
 * Every item of a paginated listing (`NextToken`), page after page, each call through `callWithRetry`.
 * `call` sends the request for the page at `token` (undefined: the first).
 */
export async function allPagesWithRetry<Page extends { NextToken?: string }, Item>(
  what: string,
  call: (token: string | undefined) => Promise<Page>,
  itemsOf: (page: Page) => readonly Item[] | undefined,
  options: RetryOptions = {},
): Promise<Item[]> {
  const items: Item[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await callWithRetry(what, () => call(token), options);
    items.push(...(itemsOf(page) ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return items;
}
