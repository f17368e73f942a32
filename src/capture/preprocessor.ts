/**
 * The record preprocessor (spec §8.6): SageMaker runs a Python `preprocess_handler(inference_record)`;
 * driftwatch runs a JavaScript (ESM) module with the same data contract:
 *
 *   export function preprocess(record) {        // or `export default function (record) { ... }`
 *     const values = record.input.data.split(',');
 *     return { age: values[0], plan: values[1] };  // one row; an array = several rows; null or [] = drop
 *   }
 *
 * `record` is a `CaptureRecord` (input/output payloads with decoded `data`, ids, `inferenceTime`).
 * TypeScript hooks are loaded from their compiled `.js` next to them. A module on S3 is downloaded to a
 * temporary file first. Any load problem is one `ConfigError` naming the file.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../core/errors.js';
import { localPath } from '../io/local-storage.js';
import { createStorage, isS3Uri, type Storage } from '../io/storage.js';
import type { RecordPreprocessor } from './rows.js';

const TS_EXTENSION = /\.(m|c)?ts$/;

async function exists(storage: Storage, uri: string): Promise<boolean> {
  return (await storage.head(uri).catch(() => undefined)) !== undefined;
}

/**
 * Loads a preprocessor module (local path, `file://` URL or `s3://` URI) and returns its `preprocess`
 * export (or its default export).
 */
export async function loadPreprocessor(
  pathOrUri: string,
  options: {
    storage?: Storage;
    /** The module's SHA-256 (hex): loading is refused when its bytes differ. */
    sha256?: string;
    /** Prefixes a module is never loaded from (capture and report prefixes: writable by others). */
    forbiddenPrefixes?: readonly string[];
  } = {},
): Promise<RecordPreprocessor> {
  const where = { file: pathOrUri, field: 'preprocessor' };
  const storage = options.storage ?? createStorage();
  for (const raw of options.forbiddenPrefixes ?? []) {
    const prefix = raw && !raw.endsWith('/') ? `${raw}/` : raw;
    if (prefix && (pathOrUri.startsWith(prefix) || pathOrUri === raw)) {
      throw new ConfigError(
        `a preprocessor is never loaded from a capture or report prefix (${prefix})`,
        where,
      );
    }
  }
  let uri = pathOrUri;
  if (TS_EXTENSION.test(uri)) {
    // A TypeScript hook: use its compiled JavaScript (foo.ts → foo.js, foo.mts → foo.mjs).
    const compiled = uri.replace(TS_EXTENSION, (_m, kind: string | undefined) => `.${kind ?? ''}js`);
    if (!(await exists(storage, compiled))) {
      throw new ConfigError(
        `a TypeScript preprocessor must be compiled to JavaScript first (no ${compiled})`,
        where,
      );
    }
    uri = compiled;
  }
  // Code downloaded from S3 runs with the worker's permissions: only the exact bytes the config names.
  if (isS3Uri(uri) && options.sha256 === undefined) {
    throw new ConfigError(
      `an s3:// preprocessor must be pinned: set preprocessorSha256 to its SHA-256 (sha256sum ${basename(uri)})`,
      { ...where, field: 'preprocessorSha256' },
    );
  }
  let moduleUrl: string;
  let tempDir: string | undefined;
  try {
    if (isS3Uri(uri)) {
      const source = await storage.readText(uri);
      checkPin(source, options.sha256, where);
      tempDir = await mkdtemp(join(tmpdir(), 'dw-preprocessor-'));
      const name = basename(uri).replace(/\.(c?js)$/, '') || 'preprocessor';
      const file = join(tempDir, `${name}.mjs`);
      await writeFile(file, source);
      moduleUrl = pathToFileURL(file).href;
    } else {
      const file = localPath(uri);
      if (!(await exists(storage, file)))
        throw new ConfigError('the preprocessor module does not exist', where);
      if (options.sha256 !== undefined) checkPin(await readFile(file), options.sha256, where);
      moduleUrl = pathToFileURL(file).href;
    }
  } catch (error) {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read the preprocessor module: ${(error as Error).message}`, where, {
      cause: error,
    });
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(moduleUrl)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`cannot load the preprocessor module: ${(error as Error).message}`, where, {
      cause: error,
    });
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
  const fromDefault = loaded.default as { preprocess?: unknown } | undefined;
  const candidate =
    typeof loaded.preprocess === 'function'
      ? loaded.preprocess
      : typeof fromDefault?.preprocess === 'function' // a CommonJS module: `module.exports = { preprocess }`
        ? fromDefault.preprocess
        : loaded.default;
  if (typeof candidate !== 'function') {
    throw new ConfigError(
      'the preprocessor module exports no `preprocess` function (nor a default function)',
      where,
    );
  }
  return candidate as RecordPreprocessor;
}

function checkPin(
  source: string | Uint8Array,
  sha256: string | undefined,
  where: { file: string; field: string },
): void {
  if (sha256 === undefined) return;
  const actual = createHash('sha256').update(source).digest('hex');
  if (actual !== sha256.toLowerCase()) {
    throw new ConfigError(
      `the preprocessor module's SHA-256 is ${actual}, not the pinned ${sha256}: refusing to run it`,
      where,
    );
  }
}
