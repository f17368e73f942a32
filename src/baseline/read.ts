/** Reading a baseline (a prefix with statistics.json and constraints.json) through Storage. */
import { createHash } from 'node:crypto';
import { ConfigError, InputError } from '../core/errors.js';
import { joinUri, type Storage } from '../io/storage.js';
import { parseSensitiveBaseline, SENSITIVE_FILE, type SensitiveBaselineJSON } from '../security/pii.js';
import { type Constraints, parseConstraints } from './constraints.js';
import { CALIBRATION_FILE, type DriftCalibration, parseDriftCalibration } from './drift-calibration.js';
import { parseStatistics, type Statistics } from './statistics.js';

async function readBaselineFile(
  storage: Storage,
  uri: string,
): Promise<{ text: string; etag: string; sha256: string }> {
  const info = await storage.head(uri);
  if (!info) throw new ConfigError('baseline file not found', { file: uri });
  try {
    const text = await storage.readText(uri);
    return { text, etag: info.etag, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
  } catch (error) {
    if (error instanceof InputError) throw new ConfigError(error.message, { file: uri }, { cause: error });
    throw error;
  }
}

/**
 * Reads and validates a `statistics.json` (its ETag and SHA-256 kept, to name the baseline in execution
 * summaries).
 * @throws InputError when missing; ConfigError when invalid.
 */
export async function readStatistics(
  storage: Storage,
  uri: string,
): Promise<Statistics & { etag: string; sha256: string }> {
  const { text, etag, sha256 } = await readBaselineFile(storage, uri);
  return { ...parseStatistics(text, uri), etag, sha256 };
}

/**
 * Reads and validates a `constraints.json` (its ETag and SHA-256 kept).
 * @throws InputError when missing; ConfigError when invalid.
 */
export async function readConstraints(
  storage: Storage,
  uri: string,
): Promise<Constraints & { etag: string; sha256: string }> {
  const { text, etag, sha256 } = await readBaselineFile(storage, uri);
  return { ...parseConstraints(text, uri), etag, sha256 };
}

/** A data-quality baseline as read from its prefix (see {@link readBaseline}). */
export interface Baseline {
  statistics: Statistics;
  constraints: Constraints;
  /** The drift calibration, read when `constraints.json` asks for calibrated drift decisions. */
  calibration?: DriftCalibration;
  /** The files read, with their ETag and the SHA-256 of their bytes (for the audit trail). */
  files: Array<{ uri: string; etag: string; sha256: string }>;
  /** The baseline's `sensitive.json` (findings, and the salt of hashed columns); absent in older baselines. */
  sensitive?: SensitiveBaselineJSON;
}

/** `<prefix>/sensitive.json` when it exists. */
async function readSensitive(
  storage: Storage,
  uri: string,
): Promise<{ json: SensitiveBaselineJSON; etag: string; sha256: string } | undefined> {
  const info = await storage.head(uri);
  if (!info) return undefined;
  try {
    const text = await storage.readText(uri);
    return {
      json: parseSensitiveBaseline(text, uri),
      etag: info.etag,
      sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    };
  } catch (error) {
    if (error instanceof InputError) throw new ConfigError(error.message, { file: uri }, { cause: error });
    throw error;
  }
}

/** Whether a constraints file asks for calibrated drift decisions (globally or for a feature). */
export function wantsCalibration(constraints: Constraints): boolean {
  return (
    constraints.monitoring_config.distribution_constraints.drift_mode === 'calibrated' ||
    constraints.features.some((f) => f.overrides.drift_mode === 'calibrated')
  );
}

/** Reads and validates `<prefix>/statistics.json` and `<prefix>/constraints.json`. */
export async function readBaseline(storage: Storage, prefix: string): Promise<Baseline> {
  const statisticsUri = joinUri(prefix, 'statistics.json');
  const constraintsUri = joinUri(prefix, 'constraints.json');
  const sensitiveUri = joinUri(prefix, SENSITIVE_FILE);
  const [statistics, constraints, sensitive] = await Promise.all([
    readStatistics(storage, statisticsUri),
    readConstraints(storage, constraintsUri),
    readSensitive(storage, sensitiveUri),
  ]);
  const names = new Set(statistics.features.map((f) => f.name));
  constraints.features.forEach((f, i) => {
    if (!names.has(f.name)) {
      throw new ConfigError(`feature ${JSON.stringify(f.name)} is not in ${statisticsUri}`, {
        file: constraintsUri,
        field: `features[${i}].name`,
      });
    }
  });
  const files = [
    { uri: statisticsUri, etag: statistics.etag, sha256: statistics.sha256 },
    { uri: constraintsUri, etag: constraints.etag, sha256: constraints.sha256 },
    ...(sensitive ? [{ uri: sensitiveUri, etag: sensitive.etag, sha256: sensitive.sha256 }] : []),
  ];
  const base: Baseline = {
    statistics,
    constraints,
    files,
    ...(sensitive ? { sensitive: sensitive.json } : {}),
  };
  if (!wantsCalibration(constraints)) return base;
  const calibrationUri = joinUri(prefix, CALIBRATION_FILE);
  const info = await storage.head(calibrationUri);
  if (!info) {
    throw new ConfigError(
      `drift_mode is calibrated but ${CALIBRATION_FILE} is missing (build the baseline with --drift-mode calibrated)`,
      { file: constraintsUri, field: 'monitoring_config.distribution_constraints.drift_mode' },
    );
  }
  const { text, etag, sha256 } = await readBaselineFile(storage, calibrationUri);
  files.push({ uri: calibrationUri, etag, sha256 });
  return { ...base, calibration: parseDriftCalibration(text, calibrationUri) };
}
