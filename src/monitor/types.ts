/**
 * One monitoring execution, as the CLI, the worker and the flows see it.
 *
 * Terminology:
 * - monitor: a named entry of the monitors config (endpoint, capture, baseline, output, schedule).
 * - execution: one run of a monitor over one window; identified by (monitor, scheduled time).
 * - partial profile: the profile of some of the window's capture objects; partials merge associatively.
 */

import type { MetricPublisher } from '../alerts/metric-publisher.js';
import type { ViolationDetail } from '../alerts/violation-details.js';
import type { MultivariateResult } from '../checks/multivariate.js';
import type { IssueLogJSON } from '../core/issues.js';
import type { Logger } from '../core/log.js';
import type { ExecutionStatus } from '../core/types.js';
import type { ObjectInfo, Storage } from '../io/storage.js';
import type { DriftMode } from '../metrics/drift/types.js';
import type { CallerIdentityLookup } from '../security/caller-identity.js';
import type { PiiMode } from '../security/pii-modes.js';
import type { ExecutionRequest, RerunPolicy, StoredResultNote } from './stored.js';

/** What every execution (data or model quality) is about. JSON-serialisable; times are ISO-8601 UTC. */
export interface ExecutionJobBase {
  monitorName: string;
  endpoint: string;
  /** Capture variant folder; undefined = every variant under `<capture>/<endpoint>/`. */
  variant?: string;
  /** Capture root: objects are `<capture>/<endpoint>/<variant>/yyyy/mm/dd/hh/*.jsonl`. */
  captureUri: string;
  /** Prefix holding the baseline files. */
  baselineUri: string;
  /** Report root: reports go to `<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/`. */
  outputUri: string;
  scheduleName: string;
  windowStart: string;
  windowEnd: string;
  /** The nominal time of the execution (the report hour and the metric timestamp). */
  scheduledTime: string;
  cloudwatch: boolean;
  /** SSE-KMS key for every object the execution writes (config `sseKmsKeyId`). */
  sseKmsKeyId?: string;
  /** What to do with a result already stored for this window (stored.ts); absent = the worker's defaults. */
  rerun?: RerunPolicy;
}

/** Everything a data-quality execution needs (a BullMQ job payload); the baseline holds `statistics.json` and `constraints.json`. */
export interface DataQualityJob extends ExecutionJobBase {
  preprocessorUri?: string;
  /** The preprocessor module's SHA-256 (hex): required for an s3:// module, checked for any. */
  preprocessorSha256?: string;
  outputColumnsPosition?: 'START' | 'END';
  /** Sensitive values in the reports (security/pii.ts). @defaultValue redact */
  pii?: PiiMode;
  /**
   * The monitor's drift mode, in place of the baseline `constraints.json`'s switch (`baseline/read.ts`
   * `withDriftMode`); absent: as the baseline says.
   */
  driftMode?: DriftMode;
}

/** Progress of an execution, as capture objects are read. */
export interface ExecutionProgress {
  objectsDone: number;
  objectsTotal: number;
  recordsRead: number;
}

export interface ExecutionDeps {
  storage: Storage;
  /** Where the metrics go (`cloudWatchPublisher`, alerts/); required when the job publishes metrics. */
  publisher?: MetricPublisher;
  logger: Logger;
  signal?: AbortSignal;
  /** Names this attempt (job id and attempt, host and pid) in the claims it writes. */
  attempt?: string;
  /** The BullMQ lock token the attempt runs under (kept in its publication claim). */
  lockToken?: string;
  /** How a publication in doubt (an earlier attempt stopped while sending) is waited for (see `publishOnce`). */
  publication?: {
    /** Throw `PublicationPendingError` instead of waiting in place (a worker: the job is delayed). */
    defer?: boolean;
    /** @defaultValue 180000 */
    settleMs?: number;
    /** @defaultValue 15000 */
    pollMs?: number;
  };
  onProgress?: (progress: ExecutionProgress) => void;
  /** Worker threads for profiling (default 1 = this thread only; see parallel.ts for why). */
  threads?: number;
  /**
   * Who runs the execution (STS GetCallerIdentity, security/caller-identity.ts), asked when the execution
   * touches AWS (an s3:// URI or CloudWatch) and recorded in `audit.caller`.
   */
  callerIdentity?: CallerIdentityLookup;
}

/** JSON form of a partial profile (produced by a child job, merged by the parent). */
export interface PartialProfileJSON {
  objects: Array<Pick<ObjectInfo, 'uri' | 'etag' | 'size'>>;
  recordsRead: number;
  profile: unknown;
  issues: IssueLogJSON;
  /** Sum and count of the rows' PCA reconstruction errors (calibrated baselines with a multivariate model). */
  reconstruction?: { sum: number; count: number };
}

/** The summary fields every kind's execution has (`execution.json`). */
export interface ExecutionSummaryBase {
  monitorName: string;
  status: ExecutionStatus;
  /** SageMaker's exit message, e.g. `CompletedWithViolations: Job completed successfully with 3 violations.` */
  message: string;
  failureReason?: string;
  windowStart: string;
  windowEnd: string;
  scheduledTime: string;
  /** Where the reports are (`<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/`). */
  reportUri: string;
  recordsRead: number;
  rowsProfiled: number;
  violations: number;
  /** Feature names with a baseline_drift_check violation. */
  driftedFeatures: string[];
  baseline: Array<{ uri: string; etag: string }>;
  inputs: Array<{ uri: string; etag: string; size: number }>;
  issues: IssueLogJSON;
  metricsPublished: number;
  /** The driftwatch release that wrote the summary (its package.json version), set when it is stored. */
  driftwatchVersion?: string;
  /** Why no metric was published although the job publishes, e.g. `window older than 14 days`. */
  metricsNotPublished?: string;
  /** When it was computed (ISO 8601). */
  computedAt?: string;
  /** The inputs it was computed from (stored.ts compares them on a rerun). */
  request?: ExecutionRequest;
  /** Set when the summary is a stored, earlier result returned instead of computed (stored.ts). */
  storedResult?: StoredResultNote;
  timings: Record<string, number>;
  /** Why report.html could not be rendered (the other reports are fine). */
  reportHtmlError?: string;
}

/**
 * The summary of an execution, stored last as `execution.json` in its report folder: the fields every kind
 * has, plus `Own`, the kind's own fields (e.g. {@link DataQualitySummary}, `ModelQualitySummary`).
 * Without `Own` it is a summary of any kind (as read back from storage).
 */
export type ExecutionSummary<Own extends object = object> = ExecutionSummaryBase & Own;

/** One feature's drift value against its threshold (when decided) and its completeness. */
export interface FeatureScore {
  name: string;
  completeness: number;
  method?: string;
  score?: 'distance' | 'p_value';
  value?: number;
  threshold?: number;
  drift?: boolean;
}

/** A data-quality execution's own summary fields. */
export interface DataQualityFields {
  /** Each violated check with the numbers on-call needs (baseline and current values, what moved). */
  violatedChecks: ViolationDetail[];
  /** Each feature's drift value and threshold (when decided) and completeness (the dashboard's heat map). */
  featureScores: FeatureScore[];
  /** The multivariate check (calibrated baselines with two or more numeric features). */
  multivariate?: MultivariateResult;
}

/** The summary of a data-quality execution. */
export type DataQualitySummary = ExecutionSummary<DataQualityFields>;
