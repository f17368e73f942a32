/**
 * One data-quality execution (spec §5, §7, §8): list the window's capture objects, profile them with the
 * same code as the baseline, evaluate the checks, write the reports and publish the metrics.
 *
 * It runs in one process (`runExecution`) or split (`listExecutionInputs` → one `profileObjects` per
 * group of objects, in parallel → `completeExecution` merging the partial profiles), as the worker's flows do;
 * `profileObjects` uses worker threads when the objects are large enough.
 *
 * Exactly once: reports are written under `<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/` (deterministic,
 * overwritten by a retry with identical content); metrics are published once (`publishOnce`, a claim, and a
 * marker datum in each PutMetricData call, see once.ts); `execution.json` is written last with a
 * create-only write. A retry after a completed execution returns the stored summary and publishes nothing.
 */
import { renderConstraints } from '../baseline/constraints.js';
import { type Baseline, readBaseline } from '../baseline/read.js';
import { renderStatistics, statisticsFromProfile } from '../baseline/statistics.js';
import { type DataQualityResult, evaluateDataQuality, violationsDocument } from '../checks/data-quality.js';
import { checkMultivariate } from '../checks/multivariate.js';
import { ConfigError } from '../core/errors.js';
import { IssueLog } from '../core/issues.js';
import { joinUri, type ObjectInfo, type Storage } from '../io/storage.js';
import { DatasetProfile, type DatasetProfileJSON } from '../metrics/profile/dataset-profile.js';
import {
  DEFAULT_PII_MODE,
  forgetDroppedCategories,
  protectStatistics,
  protectWindowProfile,
  redactIssues,
  sensitiveDataViolations,
  windowProtection,
} from '../security/pii.js';
import { describeViolations } from './details.js';
import { publishOnce, publishOptions, readStoredSummary, storeSummaryOnce } from './once.js';
import { profileInThreads, splitBySize, threadCount } from './parallel.js';
import { jobWindow, listExecutionInputs, profileExecutionInputs } from './profile-window.js';
import type { DataQualityJob, ExecutionDeps, ExecutionSummary, PartialProfileJSON } from './types.js';

export { jobWindow, listExecutionInputs, profileExecutionInputs };

const pad = (n: number) => String(n).padStart(2, '0');

/** `<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/` of the scheduled time (spec §8.3). */
export function reportPrefix(
  job: Pick<DataQualityJob, 'outputUri' | 'endpoint' | 'scheduleName' | 'scheduledTime'>,
): string {
  const t = new Date(job.scheduledTime);
  if (Number.isNaN(t.getTime()))
    throw new ConfigError(`invalid scheduled time ${job.scheduledTime}`, { field: 'scheduledTime' });
  const hour = `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/${pad(t.getUTCHours())}`;
  return `${joinUri(job.outputUri, job.endpoint, job.scheduleName, hour)}/`;
}

/** The stored summary of a job's execution (data or model quality: same report layout), or undefined. */
export async function readExecutionSummary(
  storage: Storage,
  job: Pick<DataQualityJob, 'outputUri' | 'endpoint' | 'scheduleName' | 'scheduledTime'>,
): Promise<ExecutionSummary | undefined> {
  return await readStoredSummary(storage, reportPrefix(job));
}

function mergePartials(baseline: Baseline, partials: PartialProfileJSON[]) {
  const profile = new DatasetProfile(baseline.statistics.features.map((f) => f.name));
  const issues = new IssueLog();
  let recordsRead = 0;
  const inputs: ExecutionSummary['inputs'] = [];
  let reconstruction: { sum: number; count: number } | undefined;
  for (const p of partials) {
    if (p.reconstruction) {
      reconstruction ??= { sum: 0, count: 0 };
      reconstruction.sum += p.reconstruction.sum;
      reconstruction.count += p.reconstruction.count;
    }
    profile.merge(DatasetProfile.fromJSON(p.profile as DatasetProfileJSON));
    issues.merge(p.issues);
    recordsRead += p.recordsRead;
    inputs.push(...p.objects);
  }
  return { profile, issues, recordsRead, inputs, reconstruction };
}

function statusMessage(status: ExecutionSummary['status'], violations: number, reason?: string): string {
  if (status === 'Failed') return `Failed: ${reason ?? 'Job failed.'}`;
  if (status === 'CompletedWithViolations')
    return `CompletedWithViolations: Job completed successfully with ${violations} violations.`;
  return 'Completed: Job completed successfully with no violations.';
}

/** Merges the partial profiles, checks, writes the reports and publishes the metrics. Idempotent. */
export async function completeExecution(
  job: DataQualityJob,
  partials: PartialProfileJSON[],
  deps: ExecutionDeps,
  options: { timings?: Record<string, number> } = {},
): Promise<ExecutionSummary> {
  const started = Date.now();
  const prefix = reportPrefix(job);
  const existing = await readExecutionSummary(deps.storage, job);
  if (existing) return existing;
  if (job.cloudwatch && !deps.cloudwatch)
    throw new ConfigError('CloudWatch publishing is on but no CloudWatch client was given', {
      field: 'cloudwatch',
    });

  const baseline = await readBaseline(deps.storage, job.baselineUri);
  const { profile, issues, recordsRead, inputs, reconstruction } = mergePartials(baseline, partials);
  // Sensitive values (security/pii.ts): hashed like the baseline's, or left out of the reports.
  const protection = windowProtection(job.pii ?? DEFAULT_PII_MODE, baseline.sensitive, profile);
  protectWindowProfile(profile, protection);
  const failureReason =
    profile.itemCount === 0 ? noDataReason(job, inputs.length, recordsRead, issues) : undefined;
  let result: DataQualityResult = { violations: [], features: [] };
  if (!failureReason) {
    result = evaluateDataQuality({
      baseline: baseline.statistics,
      constraints: baseline.constraints,
      current: profile,
      calibration: baseline.calibration,
    });
    result.violations.push(...sensitiveDataViolations(profile, baseline));
    const multivariate = checkMultivariate(baseline.calibration, reconstruction);
    if (multivariate) {
      result.multivariate = multivariate.result;
      if (multivariate.violation) result.violations.push(multivariate.violation);
    }
  }
  const status: ExecutionSummary['status'] = failureReason
    ? 'Failed'
    : result.violations.length > 0
      ? 'CompletedWithViolations'
      : 'Completed';

  const t0 = Date.now();
  if (!failureReason) {
    await deps.storage.write(
      joinUri(prefix, 'statistics.json'),
      renderStatistics(protectStatistics(statisticsFromProfile(profile), protection)),
      { contentType: 'application/json' },
    );
    await deps.storage.write(joinUri(prefix, 'constraints.json'), renderConstraints(baseline.constraints), {
      contentType: 'application/json',
    });
    await deps.storage.write(
      joinUri(prefix, 'constraint_violations.json'),
      `${JSON.stringify(violationsDocument(result.violations), null, 2)}\n`,
      { contentType: 'application/json' },
    );
  }
  const t1 = Date.now();

  let metricsPublished = 0;
  if (job.cloudwatch && deps.cloudwatch) {
    const cloudwatch = deps.cloudwatch;
    // Loaded here: the CloudWatch SDK costs ~0.4 s to import, and local runs never need it.
    const { dataQualityPublication } = await import('./publish.js');
    metricsPublished = await publishOnce(
      deps.storage,
      prefix,
      cloudwatch,
      dataQualityPublication({
        job,
        profile,
        result,
        status,
        emitMetrics: baseline.constraints.monitoring_config.emit_metrics === 'Enabled',
      }),
      publishOptions(deps, issues),
    );
  }
  const t2 = Date.now();
  forgetDroppedCategories(profile, protection);

  const summary: ExecutionSummary = {
    monitorName: job.monitorName,
    status,
    message: statusMessage(status, result.violations.length, failureReason),
    ...(failureReason ? { failureReason } : {}),
    windowStart: new Date(job.windowStart).toISOString(),
    windowEnd: new Date(job.windowEnd).toISOString(),
    scheduledTime: new Date(job.scheduledTime).toISOString(),
    reportUri: prefix,
    recordsRead,
    rowsProfiled: profile.itemCount,
    violations: result.violations.length,
    driftedFeatures: result.violations
      .filter((v) => v.constraint_check_type === 'baseline_drift_check')
      .map((v) => v.feature_name),
    violatedChecks: describeViolations(result, baseline, profile),
    featureScores: featureScores(result),
    ...(result.multivariate ? { multivariate: result.multivariate } : {}),
    baseline: baseline.files,
    inputs,
    issues: protection.mode === 'warn' ? issues.toJSON() : redactIssues(issues.toJSON()),
    metricsPublished,
    timings: { ...options.timings, checkMs: t0 - started, writeReportsMs: t1 - t0, publishMs: t2 - t1 },
  };
  return await storeSummaryOnce(deps.storage, prefix, summary);
}

/**
 * Every feature's drift value against its threshold and its completeness, for the dashboard's features ×
 * time heat map (which reads execution.json only). `value` is the published `feature_baseline_drift_<f>`
 * (a distance: high is drift; or a p-value: low is drift, `score: 'p_value'`).
 */
function featureScores(result: DataQualityResult): ExecutionSummary['featureScores'] {
  return result.features.map((f) => ({
    name: f.name,
    completeness: f.completeness,
    ...(f.drift?.decided && Number.isFinite(f.drift.distance)
      ? {
          method: f.drift.method,
          score: f.drift.score,
          value: f.drift.distance,
          threshold: f.drift.threshold,
          drift: f.drift.drift,
        }
      : {}),
  }));
}

function noDataReason(job: DataQualityJob, objects: number, records: number, issues: IssueLog): string {
  if (objects === 0)
    return `No captured data in the window [${job.windowStart}, ${job.windowEnd}) under ${joinUri(job.captureUri, job.endpoint)}.`;
  if (records === 0) {
    const outside = issues.counts.get('outside_window') ?? 0;
    return `No captured record in the window [${job.windowStart}, ${job.windowEnd}): ${objects} capture objects read, ${outside} records outside the window, ${issues.total - outside} unreadable.`;
  }
  return `No rows to analyse: ${records} records read, all unusable (${issues.total} input problems, see issues).`;
}

/**
 * The whole execution in one call. The window is profiled in worker threads when it is large enough
 * (`deps.threads`, default: the machine's cores; 1 = in this thread).
 */
export async function runExecution(job: DataQualityJob, deps: ExecutionDeps): Promise<ExecutionSummary> {
  const existing = await readExecutionSummary(deps.storage, job);
  if (existing) return existing;
  const started = Date.now();
  const baseline = await readBaseline(deps.storage, job.baselineUri);
  const objects = await listExecutionInputs(job, deps);
  const listed = Date.now();
  const { partial, threads } = await profileObjects(job, objects, deps, baseline);
  const profiled = Date.now();
  return await completeExecution(job, [partial], deps, {
    timings: { listMs: listed - started, profileMs: profiled - listed, threads },
  });
}

/**
 * Profiles `objects` into one partial profile: in worker threads when they are large enough
 * (`deps.threads`, default: one per 16 MiB of capture up to the cores; 1 = in this thread).
 * The worker uses it for a whole window and for each part of a split one.
 */
export async function profileObjects(
  job: DataQualityJob,
  objects: ObjectInfo[],
  deps: ExecutionDeps,
  baseline?: Baseline,
): Promise<{ partial: PartialProfileJSON; threads: number }> {
  const threads = threadCount(objects, deps.threads);
  if (threads <= 1) return { partial: await profileExecutionInputs(job, objects, deps, baseline), threads };
  const partials = await profileInThreads(job, splitBySize(objects, threads), deps);
  const merged = mergePartials(baseline ?? (await readBaseline(deps.storage, job.baselineUri)), partials);
  return {
    partial: {
      objects: merged.inputs,
      recordsRead: merged.recordsRead,
      profile: merged.profile.toJSON(),
      issues: merged.issues.toJSON(),
    },
    threads,
  };
}
