/**
 * One error base class with a stable string `code` and an optional `cause`.
 * Subclasses exist only where a caller branches on them:
 * - `ConfigError`: a bad config, baseline or argument. Permanent: a job fails without retry.
 * - `InputError`: input data that cannot be read at all (a missing object, an unreadable file). Permanent.
 * - `TransientError`: a fault worth retrying (throttling, 5xx, connection reset).
 * - `PublicationPendingError`: an earlier attempt's metrics may be on their way; a worker delays the job.
 * Data problems inside readable input (a malformed line, a wrong column count) are never errors: they are
 * counted and reported as findings.
 */
export class DriftwatchError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration, baseline or argument problem. `file` and `field` name where it is. */
export class ConfigError extends DriftwatchError {
  readonly file: string | undefined;
  readonly field: string | undefined;
  constructor(message: string, where: { file?: string; field?: string } = {}, options?: { cause?: unknown }) {
    const prefix = [where.file, where.field].filter(Boolean).join(': ');
    super('E_CONFIG', prefix ? `${prefix}: ${message}` : message, options);
    this.file = where.file;
    this.field = where.field;
  }
}

/** Input that cannot be read at all (not a malformed record: those are findings). */
export class InputError extends DriftwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_INPUT', message, options);
  }
}

/** A fault worth retrying. */
export class TransientError extends DriftwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_TRANSIENT', message, options);
  }
}

/** True for errors that a retry cannot fix. */
export function isPermanent(error: unknown): boolean {
  return error instanceof ConfigError || error instanceof InputError;
}

/**
 * An earlier attempt's publication is in doubt (`publishOnce`): look again at `retryAt` (epoch ms). Not a
 * failure: a worker delays the job until then.
 */
export class PublicationPendingError extends DriftwatchError {
  readonly retryAt: number;
  constructor(message: string, retryAt: number) {
    super('E_PUBLICATION_PENDING', message);
    this.retryAt = retryAt;
  }
}

/** A conditional write found the object already there (used for exactly-once report writes). */
export class AlreadyExistsError extends DriftwatchError {
  constructor(uri: string, options?: { cause?: unknown }) {
    super('E_EXISTS', `${uri} already exists`, options);
  }
}
