/**
 * The one URI parser: `s3://bucket/key` (scheme in any case), `file://` URLs and plain local paths.
 * Anything that looks like a URI (`scheme:`) and does not parse as one of those is a ConfigError, so
 * `S3:/x`, `s3:bucket/x`, a bare `s3://` or `http://…` never become local folders named `S3:`.
 */
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.js';

export type ParsedUri =
  | { kind: 's3'; bucket: string; key: string; uri: string }
  | { kind: 'local'; path: string; uri: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Parses a URI or a local path. `uri` in the result is the canonical form (`s3://` in lower case).
 * @throws ConfigError for an empty string or a URI-looking string that is not a valid s3:// or file:// URI.
 */
export function parseUri(input: string, field = 'uri'): ParsedUri {
  if (typeof input !== 'string' || input.trim() === '')
    throw new ConfigError('must not be empty (an unset variable?)', { field });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (/[\u0000-\u001f\u007f]/.test(input))
    throw new ConfigError('must not contain control characters', { field });
  const scheme = SCHEME.exec(input)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'local', path: input, uri: input };
  if (scheme === 's3') {
    const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/is.exec(input);
    const bucket = match?.[1] ?? '';
    if (!match || !BUCKET.test(bucket))
      throw new ConfigError(`${JSON.stringify(input)} is not a valid s3://bucket/prefix URI`, { field });
    const key = match[2] ?? '';
    return { kind: 's3', bucket, key, uri: `s3://${bucket}${match[2] === undefined ? '' : `/${key}`}` };
  }
  if (scheme === 'file') {
    try {
      const path = fileURLToPath(`file:${input.slice(5)}`);
      return { kind: 'local', path, uri: input };
    } catch (error) {
      throw new ConfigError(
        `${JSON.stringify(input)} is not a valid file:// URL`,
        { field },
        { cause: error },
      );
    }
  }
  throw new ConfigError(
    `${JSON.stringify(input)} has an unsupported scheme '${scheme}:' (use s3://bucket/prefix or a local path)`,
    { field },
  );
}

/** True for an `s3://` URI (any case of the scheme); throws for a malformed URI. */
export function isS3(uri: string): boolean {
  return parseUri(uri).kind === 's3';
}
