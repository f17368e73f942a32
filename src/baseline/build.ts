/**
 * Training data → baseline: profile the dataset in one streamed pass, then write
 * `<out>/statistics.json` and `<out>/constraints.json` in SageMaker's shapes (spec §3–4).
 */

import { ConfigError, InputError } from '../core/errors.js';
import { IssueLog } from '../core/issues.js';
import { openDataset, type PlainRowTaker } from '../io/datasets/index.js';
import type { DatasetFormat } from '../io/datasets/objects.js';
import { textStream } from '../io/local-storage.js';
import { joinUri, type Storage } from '../io/storage.js';
import { OrderedDatasetSample } from '../metrics/drift/ordered-sample.js';
import { DatasetProfile } from '../metrics/profile/dataset-profile.js';
import { type ColumnFindings, columnFindings } from '../security/findings-table.js';
import {
  baselineSensitivity,
  flaggedColumns,
  hashProfileCategories,
  protectStatistics,
  refuseSensitiveTrainingData,
  SENSITIVE_FILE,
  type SensitiveBaselineJSON,
} from '../security/pii.js';
import { DEFAULT_PII_MODE, type PiiMode } from '../security/pii-modes.js';
import {
  type Constraints,
  type DriftMode,
  defaultMonitoringConfig,
  renderConstraints,
  suggestConstraints,
} from './constraints.js';
import {
  CALIBRATION_FILE,
  type CalibrateBaselineOptions,
  calibrateBaseline,
  calibrationFeatures,
  type DriftCalibration,
  renderDriftCalibration,
} from './drift-calibration.js';
import {
  type SageMakerType,
  type Statistics,
  statisticsChunks,
  statisticsFromProfile,
} from './statistics.js';

/** Options of {@link buildBaseline}. */
export interface BaselineOptions {
  dataset: string;
  out: string;
  format?: DatasetFormat;
  header?: boolean;
  issues?: IssueLog;
  /** Called every 100,000 rows and once at the end, with rows and bytes read so far. */
  onProgress?: (p: { rowsRead: number; bytesRead: number }) => void;
  /** Column name → type, instead of inference (e.g. a numeric code column that is categorical). */
  typeOverrides?: ReadonlyMap<string, SageMakerType>;
  /** What to do with sensitive values in the training data (security/pii.ts). @defaultValue redact */
  pii?: PiiMode;
  /**
   * `sagemaker` (default): SageMaker's drift rule. `calibrated`: also learn each feature's drift threshold
   * over window sizes from the training data (`driftwatch_calibration.json`) and set
   * `distribution_constraints.drift_mode: calibrated`.
   */
  driftMode?: DriftMode;
  calibration?: CalibrateBaselineOptions & {
    /** Rows kept per column for the resampling (default 200,000; arrival order, evenly spread). */
    sampleCap?: number;
  };
}

/** What {@link buildBaseline} wrote and what it saw. */
export interface BaselineResult {
  statistics: Statistics;
  constraints: Constraints;
  statisticsUri: string;
  constraintsUri: string;
  /** Findings per column and, when redacted, the salt (written as `sensitive.json` beside the files). */
  sensitive: SensitiveBaselineJSON;
  sensitiveUri: string;
  /** The findings per column (types, counts, shares; never values), as `driftwatch scan` prints them. */
  findings: ColumnFindings[];
  rows: number;
  bytesRead: number;
  issues: IssueLog;
  /** With `driftMode: calibrated`: the curves written to `calibrationUri`. */
  calibration?: DriftCalibration;
  calibrationUri?: string;
  /** Human-readable warnings naming columns (all missing, non-finite numbers, truncated categories). */
  warnings: string[];
}

/** Profiles a whole dataset, streamed. */
export async function profileDataset(
  storage: Storage,
  uri: string,
  options: Pick<BaselineOptions, 'format' | 'header' | 'issues' | 'onProgress'> & {
    /** Also keep an arrival-ordered sample of every column (for calibration). */
    orderedSample?: OrderedDatasetSample;
  } = {},
): Promise<{ profile: DatasetProfile; bytesRead: number }> {
  const reader = await openDataset(storage, uri, {
    format: options.format,
    header: options.header,
    issues: options.issues,
    onProgress: options.onProgress,
  });
  const profile = new DatasetProfile(reader.columns);
  const sample = options.orderedSample;
  let known = reader.columns.length;
  let numbers = new Float64Array(profile.columns.length);
  // A plain CSV row goes into the profile from its bytes (no cell decoded, no string made for a number),
  // unless the rows are sampled too (the sample keeps the cells).
  const take: PlainRowTaker | undefined =
    sample === undefined
      ? (bytes, start, end) => {
          if (profile.countDelimitedCells(bytes, start, end) !== profile.columns.length) return false;
          profile.addDelimitedRow();
          return true;
        }
      : undefined;
  for await (const row of reader.rows(take)) {
    if (reader.columns.length !== known) {
      for (let i = known; i < reader.columns.length; i++) profile.columnIndex(reader.columns[i]!);
      known = reader.columns.length;
    }
    if (sample?.next()) {
      // A kept row's numbers come back from the profile: parsed once.
      if (numbers.length < profile.columns.length) numbers = new Float64Array(profile.columns.length);
      profile.addRow(row, numbers);
      sample.keepCells(row, numbers);
    } else profile.addRow(row);
  }
  // Columns announced after the last row (or by a header with no rows).
  for (let i = profile.columns.length; i < reader.columns.length; i++)
    profile.columnIndex(reader.columns[i]!);
  return { profile, bytesRead: reader.bytesRead() };
}

export function profileWarnings(profile: DatasetProfile): string[] {
  const warnings: string[] = [];
  for (const c of profile.columns) {
    const name = JSON.stringify(c.name);
    if (profile.itemCount > 0 && c.numPresent === 0)
      warnings.push(`column ${name} has no values: its type is Unknown`);
    if (c.nonFinite > 0)
      warnings.push(
        `column ${name} has ${c.nonFinite} numbers too large for a double (e.g. 1e309): left out of its numeric statistics`,
      );
    if (c.inferredType === 'String' && (c.categoriesOverflow > 0 || !c.categoriesComplete)) {
      warnings.push(
        `column ${name} has more than ${c.categoryLimit} distinct values: its categorical counts are truncated`,
      );
    }
    if (c.inferredType === 'String' && c.integral + c.fractional > 0 && c.string > 0) {
      warnings.push(
        `column ${name} mixes numbers (${c.integral + c.fractional}) and text (${c.string}): its type is String`,
      );
    }
  }
  return warnings;
}

/** What {@link baselineFromProfile} derives from a profile: the baseline's documents. */
export interface BaselineDocuments {
  /** The `statistics.json` document. */
  statistics: Statistics;
  /** The suggested `constraints.json` document. */
  constraints: Constraints;
  /** Findings per column and, when redacted, the salt (`sensitive.json` beside the other files). */
  sensitive: SensitiveBaselineJSON;
  /** The findings per column (types, counts, shares; never values), as `driftwatch scan` prints them. */
  findings: ColumnFindings[];
  /** The learnt drift thresholds (`driftwatch_calibration.json`), in `calibrated` drift mode only. */
  calibration?: DriftCalibration;
  /** Human-readable warnings naming columns (all missing, non-finite numbers, truncated categories). */
  warnings: string[];
}

/**
 * The documents SageMaker's baselining job would suggest for a profile (spec §3–4), with sensitive values
 * handled as `pii` says (the categories of redacted columns are hashed in the profile, in place), and in
 * `calibrated` drift mode the thresholds learnt from `orderedSample`. `source` names the data in errors.
 * @throws InputError when the profile has no rows; ConfigError when a type override names no column or
 * when `pii` is `fail` and a column holds sensitive values.
 */
export function baselineFromProfile(
  profile: DatasetProfile,
  source: string,
  options: Pick<BaselineOptions, 'typeOverrides' | 'pii' | 'driftMode' | 'calibration'> = {},
  orderedSample?: OrderedDatasetSample,
): BaselineDocuments {
  if (profile.itemCount === 0)
    throw new InputError(
      `${source}: no data rows to build a baseline from (an empty file, a header-only CSV or empty JSON Lines)`,
    );
  for (const name of options.typeOverrides?.keys() ?? []) {
    if (!profile.column(name))
      throw new ConfigError(`no column ${JSON.stringify(name)} in ${source}`, { field: '--type' });
  }
  const mode = options.pii ?? DEFAULT_PII_MODE;
  const flagged = flaggedColumns(profile);
  const findings = columnFindings(profile);
  if (mode === 'fail' && flagged.size > 0) throw refuseSensitiveTrainingData(source, flagged);
  // The training data it was built from, for `driftwatch lineage` (training dataset → baseline → executions).
  const sensitive = {
    ...baselineSensitivity(mode, flagged),
    training: { dataset: source, rows: profile.itemCount },
  };
  // Hashed before statistics and constraints are derived: histograms and `domains` hold no raw value.
  if (sensitive.hashed) hashProfileCategories(profile, sensitive.hashed.salt, sensitive.hashed.columns);
  const hashed = new Set(sensitive.hashed?.columns ?? []);
  const statistics = protectStatistics(statisticsFromProfile(profile, options.typeOverrides), {
    salt: sensitive.hashed?.salt,
    hash: hashed,
  });
  const monitoringConfig = defaultMonitoringConfig();
  if (options.driftMode === 'calibrated') monitoringConfig.distribution_constraints.drift_mode = 'calibrated';
  const constraints = suggestConstraints(profile, monitoringConfig, options.typeOverrides);
  let calibration: DriftCalibration | undefined;
  if (orderedSample) {
    calibration = calibrateBaseline(
      calibrationFeatures(statistics),
      (name) => profile.columnIndexOf(name),
      orderedSample,
      options.calibration,
    );
  }
  return {
    statistics,
    constraints,
    sensitive,
    findings,
    ...(calibration ? { calibration } : {}),
    warnings: profileWarnings(profile),
  };
}

/** The URIs of a baseline's files. */
export interface BaselineUris {
  /** `<out>/statistics.json`. */
  statisticsUri: string;
  /** `<out>/constraints.json`. */
  constraintsUri: string;
  /** `<out>/sensitive.json`. */
  sensitiveUri: string;
  /** `<out>/driftwatch_calibration.json`, in `calibrated` drift mode only. */
  calibrationUri?: string;
}

/**
 * Writes a baseline's files below `out`: `sensitive.json` first (statistics.json never exists with hashed
 * values and no salt beside it), the calibration next (constraints.json that asks for calibration never
 * exists without its curves), then `statistics.json` and `constraints.json`.
 */
export async function writeBaseline(
  storage: Storage,
  out: string,
  documents: Pick<BaselineDocuments, 'statistics' | 'constraints' | 'sensitive' | 'calibration'>,
): Promise<BaselineUris> {
  const statisticsUri = joinUri(out, 'statistics.json');
  const constraintsUri = joinUri(out, 'constraints.json');
  const sensitiveUri = joinUri(out, SENSITIVE_FILE);
  await storage.write(sensitiveUri, `${JSON.stringify(documents.sensitive, null, 2)}\n`, {
    contentType: 'application/json',
  });
  let calibrationUri: string | undefined;
  if (documents.calibration) {
    calibrationUri = joinUri(out, CALIBRATION_FILE);
    await storage.write(calibrationUri, renderDriftCalibration(documents.calibration), {
      contentType: 'application/json',
    });
  }
  // Streamed: a wide dataset's statistics.json is never one string in memory (10,000 columns: 14 MB).
  await storage.write(statisticsUri, textStream(statisticsChunks(documents.statistics)), {
    contentType: 'application/json',
  });
  await storage.write(constraintsUri, renderConstraints(documents.constraints), {
    contentType: 'application/json',
  });
  return { statisticsUri, constraintsUri, sensitiveUri, ...(calibrationUri ? { calibrationUri } : {}) };
}

/**
 * Profiles a training dataset (a file, or every data object below a prefix; CSV, JSON Lines, Arrow,
 * Parquet; local or `s3://`) in one streamed pass and writes the baseline below `options.out`:
 * `statistics.json`, `constraints.json` and `sensitive.json` (and the drift calibration in `calibrated`
 * mode), as SageMaker's baselining job would suggest them (spec §3–4).
 * @throws InputError when the dataset cannot be read or has no rows; ConfigError for a bad option.
 */
export async function buildBaseline(storage: Storage, options: BaselineOptions): Promise<BaselineResult> {
  const issues = options.issues ?? new IssueLog();
  const calibrated = options.driftMode === 'calibrated';
  const orderedSample = calibrated ? new OrderedDatasetSample(options.calibration?.sampleCap) : undefined;
  const { profile, bytesRead } = await profileDataset(storage, options.dataset, {
    ...options,
    issues,
    orderedSample,
  });
  const documents = baselineFromProfile(profile, options.dataset, options, orderedSample);
  const uris = await writeBaseline(storage, options.out, documents);
  return { ...documents, ...uris, rows: profile.itemCount, bytesRead, issues };
}
