/**
 * What happens to sensitive values (e-mail addresses, card numbers, ... see metrics/sensitive) found in
 * training data and in execution windows: `--pii warn|redact|fail` (config `pii`, default `redact`).
 *
 * - `fail`: a baseline is refused when its training data holds sensitive values (one `InputError`).
 * - `redact`: raw values of a flagged column (a column with any sensitive finding) never reach a report:
 *   - its categorical histogram keeps the counts under salted hashes (`hmac-sha256:<32 hex>`, HMAC-SHA-256
 *     keyed by a random salt per baseline, stored beside it in `sensitive.json`), so the window's histogram
 *     hashed with the same salt is still compared bucket by bucket; a window column flagged when its
 *     baseline column was not has no salt to share and its histogram is left out of the window report;
 *   - a flagged numeric column (e.g. card numbers without separators) keeps counts, mean and spread but
 *     not its min, max or KLL sketch (whose items are values);
 *   - input-problem samples are redacted (every sensitive value in a message is masked).
 * - `warn`: reports findings, changes nothing.
 *
 * The salt sits beside the baseline so that executions can reuse it: whoever can read the baseline prefix
 * can test guesses against the hashes (for small value spaces such as SSNs that is a brute force); what it
 * protects against is values copied in clear into every report and dashboard.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Statistics } from '../baseline/statistics.js';
import type { Violation } from '../checks/data-quality.js';
import { InputError } from '../core/errors.js';
import { IssueLog, type IssueLogJSON } from '../core/issues.js';
import type { ColumnProfileJSON } from '../metrics/profile/column-profile.js';
import type { DatasetProfile, DatasetProfileJSON } from '../metrics/profile/dataset-profile.js';
import { detectSensitive, NOT_SENSITIVE, sensitiveTypes } from '../metrics/sensitive/detectors.js';
import type { SensitiveFindingsJSON } from '../metrics/sensitive/findings.js';
import { maskSensitive } from '../metrics/sensitive/mask.js';
import { type PiiMode, piiModes } from './pii-modes.js';

/** The file beside `statistics.json` holding the baseline's findings and, when redacted, its salt. */
export const SENSITIVE_FILE = 'sensitive.json';

export const HASH_PREFIX = 'hmac-sha256:';

export interface SensitiveBaselineJSON {
  version: 1;
  mode: PiiMode;
  /** Findings per column of the training data (only columns with findings). */
  columns: Record<string, SensitiveFindingsJSON>;
  /** Present when categorical values were hashed. */
  hashed?: { algorithm: 'hmac-sha256'; salt: string; columns: string[] };
  /** The training data the baseline was built from (`driftwatch lineage`); absent in older baselines. */
  training?: { dataset: string; rows: number };
}

export function newSalt(): string {
  return randomBytes(32).toString('hex');
}

export function hashCategory(salt: string, value: string): string {
  return `${HASH_PREFIX}${createHmac('sha256', Buffer.from(salt, 'hex')).update(value, 'utf8').digest('hex').slice(0, 32)}`;
}

/** Columns with any sensitive finding, with their findings. */
export function flaggedColumns(profile: DatasetProfile): Map<string, SensitiveFindingsJSON> {
  const out = new Map<string, SensitiveFindingsJSON>();
  for (const c of profile.columns) if (c.sensitive.any) out.set(c.name, c.sensitive.toJSON());
  return out;
}

/** One line per flagged column, e.g. `"email" 1000 EMAIL_ADDRESS` (types and counts, never values). */
export function describeFindings(columns: ReadonlyMap<string, SensitiveFindingsJSON>): string {
  return [...columns]
    .map(
      ([name, findings]) =>
        `${JSON.stringify(name)}: ${Object.entries(findings)
          .map(([type, n]) => `${n} ${type}`)
          .join(', ')}`,
    )
    .join('; ');
}

/** The `fail` mode's refusal. */
export function refuseSensitiveTrainingData(
  dataset: string,
  columns: ReadonlyMap<string, SensitiveFindingsJSON>,
): InputError {
  return new InputError(
    `${dataset}: sensitive values in the training data (${describeFindings(columns)}); if it is in your training data, you must remove it (or build with --pii redact or warn)`,
  );
}

/** The sensitive.json of a new baseline. */
export function baselineSensitivity(
  mode: PiiMode,
  columns: ReadonlyMap<string, SensitiveFindingsJSON>,
): SensitiveBaselineJSON {
  const json: SensitiveBaselineJSON = { version: 1, mode, columns: Object.fromEntries(columns) };
  if (mode === 'redact' && columns.size > 0)
    json.hashed = { algorithm: 'hmac-sha256', salt: newSalt(), columns: [...columns.keys()] };
  return json;
}

/** Parses a sensitive.json (a bad file is an error: it decides what reports may contain). */
export function parseSensitiveBaseline(text: string, file: string): SensitiveBaselineJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const j = json as Partial<SensitiveBaselineJSON> | null;
  const ok =
    j !== null &&
    typeof j === 'object' &&
    j.version === 1 &&
    (piiModes as readonly unknown[]).includes(j.mode) &&
    typeof j.columns === 'object' &&
    j.columns !== null &&
    (j.hashed === undefined ||
      (j.hashed.algorithm === 'hmac-sha256' &&
        typeof j.hashed.salt === 'string' &&
        /^[0-9a-f]{32,}$/.test(j.hashed.salt) &&
        Array.isArray(j.hashed.columns) &&
        j.hashed.columns.every((c) => typeof c === 'string')));
  if (!ok) throw new InputError(`${file}: not a driftwatch sensitive-data file (version 1)`);
  const columns: Record<string, SensitiveFindingsJSON> = Object.create(null);
  for (const [name, findings] of Object.entries(j.columns as object)) columns[name] = findings;
  return { ...(j as SensitiveBaselineJSON), columns };
}

/**
 * Replaces the categories of `columns` in `profile` by their salted hashes (counts of equal hashes add).
 * Categories already hashed (a partial profile protected by `protectPartialProfile`) are kept as they are.
 */
export function hashProfileCategories(
  profile: DatasetProfile,
  salt: string,
  columns: Iterable<string>,
): void {
  for (const name of columns) {
    const column = profile.column(name);
    if (!column) continue;
    const hashed = new Map<string, number>();
    for (const [value, count] of column.categories) {
      const h = value.startsWith(HASH_PREFIX) ? value : hashCategory(salt, value);
      hashed.set(h, (hashed.get(h) ?? 0) + count);
    }
    column.categories.clear();
    for (const [h, count] of hashed) column.categories.set(h, count);
  }
}

/**
 * A copy of `stats` whose features in `hash` have hashed categorical buckets and whose features in
 * `drop` have no categorical histogram; numeric features in either lose min, max and their KLL sketch.
 */
export function protectStatistics(
  stats: Statistics,
  options: { salt?: string; hash?: ReadonlySet<string>; drop?: ReadonlySet<string> },
): Statistics {
  return {
    ...stats,
    features: stats.features.map((f) => {
      const hash = options.salt !== undefined && options.hash?.has(f.name) === true;
      const drop = options.drop?.has(f.name) === true;
      if (!hash && !drop) return f;
      const out = { ...f };
      if (f.numerical_statistics) {
        const { distribution: _d, ...rest } = f.numerical_statistics;
        out.numerical_statistics = { ...rest, min: Number.NaN, max: Number.NaN };
      }
      if (f.string_statistics?.distribution) {
        const { distribution, ...rest } = f.string_statistics;
        if (hash && !drop) {
          const counts = new Map<string, number>();
          for (const b of distribution.categorical.buckets) {
            const h = b.value.startsWith(HASH_PREFIX) ? b.value : hashCategory(options.salt!, b.value);
            counts.set(h, (counts.get(h) ?? 0) + b.count);
          }
          out.string_statistics = {
            ...rest,
            distribution: {
              categorical: { buckets: [...counts].map(([value, count]) => ({ value, count })) },
            },
          };
        } else out.string_statistics = rest;
      }
      return out;
    }),
  };
}

const QUOTED = /"((?:[^"\\]|\\.){7,254})"|'([^']{7,254})'/g;
const TOKEN = /[^\s"'`,;=()[\]{}<>|]{7,254}/g;

/** `text` with every sensitive value in it masked (quoted strings first, then separate tokens). */
export function redactText(text: string): string {
  const mask = (whole: string, value: string) => {
    const type = detectSensitive(value);
    return type === NOT_SENSITIVE ? whole : whole.replace(value, maskSensitive(value, sensitiveTypes[type]!));
  };
  return text
    .replace(QUOTED, (whole, dq: string | undefined, sq: string | undefined) => mask(whole, dq ?? sq ?? ''))
    .replace(TOKEN, (token) => mask(token, token));
}

/** Input-problem samples with every sensitive value masked. */
export function redactIssues(json: IssueLogJSON): IssueLogJSON {
  return {
    ...json,
    samples: json.samples.map((s) => ({
      ...s,
      message: redactText(s.message),
      ...(s.column !== undefined ? { column: redactText(s.column) } : {}),
    })),
  };
}

/**
 * A partial profile (a part job's result in Redis, a profiling thread's message) made safe to leave the
 * process that profiled it, unless the mode is `warn`: the categories of the baseline's hashed columns
 * become their salted hashes (as the window's reports will have them), and in any other column with
 * findings each sensitive category value becomes its masked form (`[EMAIL_ADDRESS]`,
 * `[CREDIT_CARD_NUMBER ****1111]`; counts of equal masks add). Input-problem samples are redacted.
 * Applied to every partial, split or not, so that a window's results do not depend on how it was profiled.
 * Not covered: the KLL sketch and min/max of a numeric column with findings (card numbers written as bare
 * digits) still travel as numbers.
 */
export function protectPartialProfile<P extends { profile: unknown; issues: IssueLogJSON }>(
  partial: P,
  mode: PiiMode,
  baseline: SensitiveBaselineJSON | undefined,
): P {
  if (mode === 'warn') return partial;
  const json = partial.profile as DatasetProfileJSON;
  const protect = categoryProtection(baseline);
  const columns = json.columns.map((c: ColumnProfileJSON) => {
    const categories = protect(c.name, c.sensitive !== undefined, c.categories);
    return categories ? { ...c, categories: [...categories] } : c;
  });
  return { ...partial, profile: { ...json, columns }, issues: redactIssues(partial.issues) };
}

/**
 * The profile and issues of a window profiled in this process, protected as its partial profile would be
 * by `protectPartialProfile` (the same categories, in the same order), in place: the one-part execution
 * does not round-trip its profile through the JSON form. Returns the issues to report.
 */
export function protectProfiledWindow(
  profile: DatasetProfile,
  issues: IssueLog,
  mode: PiiMode,
  baseline: SensitiveBaselineJSON | undefined,
): IssueLog {
  if (mode === 'warn') return issues;
  const protect = categoryProtection(baseline);
  for (const column of profile.columns) {
    const categories = protect(column.name, column.sensitive.any, column.categories);
    if (!categories) continue;
    column.categories.clear();
    for (const [value, count] of categories) column.categories.set(value, count);
  }
  return IssueLog.fromJSON(redactIssues(issues.toJSON()), issues.maxSamples);
}

/**
 * The categories of a column as they may leave the process: hashed for the baseline's hashed columns,
 * sensitive values masked in columns with findings (counts of equal results add); undefined = unchanged.
 */
function categoryProtection(
  baseline: SensitiveBaselineJSON | undefined,
): (
  name: string,
  flagged: boolean,
  categories: Iterable<readonly [string, number]>,
) => Map<string, number> | undefined {
  const salt = baseline?.hashed?.salt;
  const hash = new Set(salt !== undefined ? (baseline?.hashed?.columns ?? []) : []);
  return (name, flagged, categories) => {
    const hashed = hash.has(name);
    if (!hashed && !flagged) return undefined;
    const counts = new Map<string, number>();
    for (const [value, count] of categories) {
      let safe = value;
      if (hashed) safe = value.startsWith(HASH_PREFIX) ? value : hashCategory(salt!, value);
      else {
        const type = detectSensitive(value);
        if (type !== NOT_SENSITIVE) safe = maskSensitive(value, sensitiveTypes[type]!);
      }
      counts.set(safe, (counts.get(safe) ?? 0) + count);
    }
    return counts;
  };
}

/** What a window's reports may show, from the baseline's sensitive.json and the window's findings. */
export interface WindowProtection {
  mode: PiiMode;
  /** Salt and columns hashed (the baseline's). */
  salt?: string;
  hash: Set<string>;
  /** Flagged in the window but not hashed in the baseline: histogram left out. */
  drop: Set<string>;
}

export function windowProtection(
  mode: PiiMode,
  baseline: SensitiveBaselineJSON | undefined,
  window: DatasetProfile,
): WindowProtection {
  // The baseline's hashed columns are hashed in every mode: their buckets only compare hashed.
  const hash = new Set(baseline?.hashed?.columns ?? []);
  const drop = new Set<string>();
  if (mode !== 'warn') for (const name of flaggedColumns(window).keys()) if (!hash.has(name)) drop.add(name);
  return { mode, ...(hash.size > 0 ? { salt: baseline!.hashed!.salt } : {}), hash, drop };
}

/** Before the checks: hash the window's categories of the baseline's hashed columns. */
export function protectWindowProfile(profile: DatasetProfile, protection: WindowProtection): void {
  if (protection.salt !== undefined) hashProfileCategories(profile, protection.salt, protection.hash);
}

/** After the checks: the window's values of dropped columns no longer appear in summaries. */
export function forgetDroppedCategories(profile: DatasetProfile, protection: WindowProtection): void {
  for (const name of protection.drop) profile.column(name)?.categories.clear();
}

/** The features whose baseline had sensitive values: from sensitive.json, else by detecting on its buckets. */
function baselineFlagged(baseline: {
  statistics: Statistics;
  sensitive?: SensitiveBaselineJSON;
}): Set<string> {
  if (baseline.sensitive) return new Set(Object.keys(baseline.sensitive.columns));
  const out = new Set<string>();
  for (const f of baseline.statistics.features) {
    const buckets = f.string_statistics?.distribution?.categorical.buckets ?? [];
    if (buckets.some((b) => b.value.startsWith(HASH_PREFIX) || detectSensitive(b.value) !== NOT_SENSITIVE))
      out.add(f.name);
  }
  return out;
}

/**
 * `sensitive_data_check`: one violation per window feature holding sensitive values when its baseline had
 * none (a client started sending personal data). Names types and counts, never values.
 */
export function sensitiveDataViolations(
  window: DatasetProfile,
  baseline: { statistics: Statistics; sensitive?: SensitiveBaselineJSON },
): Violation[] {
  const flagged = flaggedColumns(window);
  if (flagged.size === 0) return [];
  const had = baselineFlagged(baseline);
  const out: Violation[] = [];
  for (const [name, findings] of flagged) {
    if (had.has(name)) continue;
    const column = window.column(name)!;
    out.push({
      feature_name: name,
      constraint_check_type: 'sensitive_data_check',
      description: `Sensitive data found: ${Object.entries(findings)
        .map(([type, n]) => `${n} ${type}`)
        .join(', ')} among ${column.numPresent} values; the baseline of this feature had none.`,
    });
  }
  return out;
}
