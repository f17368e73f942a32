/** Reading a baseline (a prefix with statistics.json and constraints.json) through Storage. */
import { createHash } from 'node:crypto';
import { ConfigError, InputError } from '../core/errors.js';
import { joinUri, type Storage } from '../io/storage.js';
import { parseSensitiveBaseline, SENSITIVE_FILE, type SensitiveBaselineJSON } from '../security/pii.js';
import { type Constraints, type DriftMode, parseConstraints } from './constraints.js';
import { CALIBRATION_FILE, type DriftCalibration, parseDriftCalibration } from './drift-calibration.js';
import { parseStatistics, type Statistics } from './statistics.js';

/** The text of a file a command names (an analysis config, an analysis.json); unreadable: a ConfigError naming it. */
export async function readNamedFile(storage: Storage, uri: string, what: string): Promise<string> {
  return await storage.readText(uri).catch((error: unknown) => {
    throw new ConfigError(`cannot read the ${what}`, { file: uri }, { cause: error });
  });
}

/**
 * The text and ETag of a baseline file. Missing: a ConfigError saying `missing`; unreadable (an
 * `InputError`): a ConfigError with its message; both name the file.
 */
export async function readBaselineText(
  storage: Storage,
  uri: string,
  missing = 'baseline file not found',
): Promise<{ text: string; etag: string }> {
  const info = await storage.head(uri);
  if (!info) throw new ConfigError(missing, { file: uri });
  try {
    return { text: await storage.readText(uri), etag: info.etag };
  } catch (error) {
    if (error instanceof InputError) throw new ConfigError(error.message, { file: uri }, { cause: error });
    throw error;
  }
}

/** A baseline file parsed by `parse`, with its ETag and SHA-256 (which name the baseline in summaries). */
async function readBaselineFile<T>(
  storage: Storage,
  uri: string,
  parse: (text: string, file: string) => T,
): Promise<T & { etag: string; sha256: string }> {
  const { text, etag } = await readBaselineText(storage, uri);
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  return { ...parse(text, uri), etag, sha256 };
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
  return await readBaselineFile(storage, uri, parseStatistics);
}

/**
 * Reads and validates a `constraints.json` (its ETag and SHA-256 kept).
 * @throws InputError when missing; ConfigError when invalid.
 */
export async function readConstraints(
  storage: Storage,
  uri: string,
): Promise<Constraints & { etag: string; sha256: string }> {
  return await readBaselineFile(storage, uri, parseConstraints);
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

/**
 * The constraints an execution applies when its monitor chooses a drift mode (`driftMode` in the monitors
 * config, `run --drift-mode`), which takes the place of `constraints.json`'s global switch:
 * - absent: the file as it is;
 * - `sagemaker`: SageMaker's rule for every feature (per-feature `drift_mode` overrides too; the
 *   calibration file is not read, so there is no multivariate check either);
 * - `calibrated`: the calibrated rule for every feature without an override of its own. Only a baseline
 *   built for it (`driftwatch baseline --drift-mode calibrated`, whose `constraints.json` asks for
 *   calibration) carries the curves: any other is refused with one `ConfigError` naming its
 *   `constraints.json` and the field, rather than silently judged by SageMaker's rule.
 * `constraintsUri` names the file in that error. Returns `constraints` itself when nothing changes.
 */
export function withDriftMode<C extends Constraints>(
  constraints: C,
  driftMode: DriftMode | undefined,
  constraintsUri: string,
): C {
  if (driftMode === undefined) return constraints;
  if (driftMode === 'calibrated' && !wantsCalibration(constraints)) {
    throw new ConfigError(
      `the monitor asks for driftMode calibrated, but this baseline was not built for it (drift_mode is ${JSON.stringify(constraints.monitoring_config.distribution_constraints.drift_mode ?? 'sagemaker')}, no ${CALIBRATION_FILE}): rebuild it with driftwatch baseline --drift-mode calibrated, or drop driftMode`,
      { file: constraintsUri, field: 'monitoring_config.distribution_constraints.drift_mode' },
    );
  }
  const mc = constraints.monitoring_config;
  return {
    ...constraints,
    monitoring_config: {
      ...mc,
      distribution_constraints: { ...mc.distribution_constraints, drift_mode: driftMode },
    },
    features:
      driftMode === 'sagemaker'
        ? constraints.features.map((f) =>
            f.overrides.drift_mode === undefined
              ? f
              : { ...f, overrides: { ...f.overrides, drift_mode: 'sagemaker' as const } },
          )
        : constraints.features,
  };
}

/** How a baseline is read for an execution. */
export interface ReadBaselineOptions {
  /** The monitor's drift mode, in place of `constraints.json`'s switch (see `withDriftMode`). */
  driftMode?: DriftMode;
}

/** Reads and validates `<prefix>/statistics.json` and `<prefix>/constraints.json`. */
export async function readBaseline(
  storage: Storage,
  prefix: string,
  options: ReadBaselineOptions = {},
): Promise<Baseline> {
  const statisticsUri = joinUri(prefix, 'statistics.json');
  const constraintsUri = joinUri(prefix, 'constraints.json');
  const sensitiveUri = joinUri(prefix, SENSITIVE_FILE);
  const [statistics, read, sensitive] = await Promise.all([
    readStatistics(storage, statisticsUri),
    readConstraints(storage, constraintsUri),
    readSensitive(storage, sensitiveUri),
  ]);
  const constraints = withDriftMode(read, options.driftMode, constraintsUri);
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
  const { calibration, etag, sha256 } = await readBaselineFile(storage, calibrationUri, (text, file) => ({
    calibration: parseDriftCalibration(text, file),
  }));
  files.push({ uri: calibrationUri, etag, sha256 });
  return { ...base, calibration };
}
