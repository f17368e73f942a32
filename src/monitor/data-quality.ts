/**
 * The data-quality kind (spec §5, §7, §8): the window's capture objects are profiled with the same code as
 * the baseline, checked against its statistics and constraints (checks/data-quality.ts), and reported as
 * SageMaker does (statistics.json, constraints.json, constraint_violations.json).
 *
 * Its inputs can be profiled in parts (`parts`): in worker threads within one process when they are large
 * enough (`deps.threads`), or in parallel part jobs by the worker (jobs/processor.ts); partial profiles merge.
 * The rest of the execution (summary check, reports, publishing, exactly once) is the skeleton's
 * (execution.ts).
 */

import { renderConstraints } from '../baseline/constraints.js';
import type { Baseline } from '../baseline/read.js';
import { renderStatistics, statisticsFromProfile } from '../baseline/statistics.js';
import { type DataQualityResult, evaluateDataQuality } from '../checks/data-quality.js';
import { checkMultivariate } from '../checks/multivariate.js';
import { IssueLog } from '../core/issues.js';
import { partitionBySize } from '../core/partition.js';
import { joinUri, type ObjectInfo } from '../io/storage.js';
import { DatasetProfile, type DatasetProfileJSON } from '../metrics/profile/dataset-profile.js';
import { renderDataQualityViolations } from '../report/execution-files.js';
import {
  forgetDroppedCategories,
  protectProfiledWindow,
  protectStatistics,
  protectWindowProfile,
  sensitiveDataViolations,
  windowProtection,
} from '../security/pii.js';
import { DEFAULT_PII_MODE } from '../security/pii-modes.js';
import { describeViolations } from './details.js';
import { type CollectedInputs, execute, type MonitorKind } from './execution.js';
import { profileInThreads, threadCount } from './parallel.js';
import { inputRefs, listExecutionInputs, profileInputs, readJobBaseline } from './profile-window.js';
import type {
  DataQualityFields,
  DataQualityJob,
  DataQualitySummary,
  ExecutionDeps,
  ExecutionSummaryBase,
  FeatureScore,
  PartialProfileJSON,
} from './types.js';

/** The window's profile, merged from its parts. */
export interface DataQualityCollected extends CollectedInputs {
  profile: DatasetProfile;
  /** Sum and count of the rows' PCA reconstruction errors (a calibrated baseline's multivariate model). */
  reconstruction: { sum: number; count: number } | undefined;
}

function mergePartials(baseline: Baseline, partials: PartialProfileJSON[]): DataQualityCollected {
  const profile = new DatasetProfile(baseline.statistics.features.map((f) => f.name));
  const issues = new IssueLog();
  let recordsRead = 0;
  const inputs: ExecutionSummaryBase['inputs'] = [];
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

function noDataReason(job: DataQualityJob, collected: DataQualityCollected): string {
  const { inputs, recordsRead: records, issues } = collected;
  if (inputs.length === 0)
    return `No captured data in the window [${job.windowStart}, ${job.windowEnd}) under ${joinUri(job.captureUri, job.endpoint)}.`;
  if (records === 0) {
    const outside = issues.counts.get('outside_window') ?? 0;
    return `No captured record in the window [${job.windowStart}, ${job.windowEnd}): ${inputs.length} capture objects read, ${outside} records outside the window, ${issues.total - outside} unreadable.`;
  }
  return `No rows to analyse: ${records} records read, all unusable (${issues.total} input problems, see issues).`;
}

export const dataQualityKind: MonitorKind<
  DataQualityJob,
  Baseline,
  DataQualityCollected,
  Record<never, never>,
  DataQualityFields
> = {
  type: 'data-quality',
  readBaseline: readJobBaseline,

  async collect(job, baseline, deps, timings) {
    const started = Date.now();
    const objects = await listExecutionInputs(job, deps);
    const listed = Date.now();
    const { collected, threads } = await profileObjects(job, objects, deps, baseline);
    timings.listMs = listed - started;
    timings.profileMs = Date.now() - listed;
    timings.threads = threads;
    return collected;
  },

  parts: {
    listInputs: listExecutionInputs,
    // In worker threads when the objects are large enough (a worker's --threads).
    profile: async (job, objects, deps) =>
      partialOf(
        (await profileObjects(job, objects, deps, await readJobBaseline(deps.storage, job))).collected,
      ),
    merge: (_job, baseline, partials) => mergePartials(baseline, partials),
  },

  check(job, baseline, collected) {
    const { profile } = collected;
    // Sensitive values (security/pii.ts): hashed like the baseline's, or left out of the reports.
    const protection = windowProtection(job.pii ?? DEFAULT_PII_MODE, baseline.sensitive, profile);
    protectWindowProfile(profile, protection);
    const failureReason = profile.itemCount === 0 ? noDataReason(job, collected) : undefined;
    let result: DataQualityResult = { violations: [], features: [] };
    if (!failureReason) {
      result = evaluateDataQuality({
        baseline: baseline.statistics,
        constraints: baseline.constraints,
        current: profile,
        calibration: baseline.calibration,
      });
      result.violations.push(...sensitiveDataViolations(profile, baseline));
      const multivariate = checkMultivariate(baseline.calibration, collected.reconstruction);
      if (multivariate) {
        result.multivariate = multivariate.result;
        if (multivariate.violation) result.violations.push(multivariate.violation);
      }
    }
    const emitMetrics = baseline.constraints.monitoring_config.emit_metrics === 'Enabled';
    const reports = failureReason
      ? []
      : [
          {
            name: 'statistics.json',
            body: renderStatistics(protectStatistics(statisticsFromProfile(profile), protection)),
          },
          { name: 'constraints.json', body: renderConstraints(baseline.constraints) },
          {
            name: 'constraint_violations.json',
            body: renderDataQualityViolations(result.violations),
          },
        ];
    // The metrics read no categories: the window's values of dropped columns can go now.
    forgetDroppedCategories(profile, protection);
    return {
      failureReason,
      violations: result.violations.length,
      reports,
      redactIssues: protection.mode !== 'warn',
      rowsProfiled: profile.itemCount,
      driftedFeatures: result.violations
        .filter((v) => v.constraint_check_type === 'baseline_drift_check')
        .map((v) => v.feature_name),
      fields: {
        violatedChecks: describeViolations(result, baseline, profile),
        featureScores: featureScores(result),
        ...(result.multivariate ? { multivariate: result.multivariate } : {}),
      },
      details: {},
      async publication(status) {
        // Loaded here: the CloudWatch SDK costs ~0.4 s to import, and local runs never need it.
        const { dataQualityPublication } = await import('../alerts/execution-publication.js');
        return dataQualityPublication({ job, profile, result, status, emitMetrics });
      },
    };
  },
};

/**
 * Every feature's drift value against its threshold and its completeness, for the dashboard's features ×
 * time heat map (which reads execution.json only). `value` is the published `feature_baseline_drift_<f>`
 * (a distance: high is drift; or a p-value: low is drift, `score: 'p_value'`).
 */
function featureScores(result: DataQualityResult): FeatureScore[] {
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

/** One data-quality execution in this process (the window profiled in worker threads when large enough). */
export async function runExecution(job: DataQualityJob, deps: ExecutionDeps): Promise<DataQualitySummary> {
  return await execute(dataQualityKind, job, deps);
}

/**
 * Profiles `objects`: in worker threads when they are large enough (`deps.threads`, default 1 = in this
 * thread; see parallel.ts for why), their partial profiles merged. On one thread the profile is used as it
 * is, protected in place (no round trip through the JSON form). The execution uses it for a whole window,
 * the worker for each part of a split one.
 */
async function profileObjects(
  job: DataQualityJob,
  objects: ObjectInfo[],
  deps: ExecutionDeps,
  baseline: Baseline,
): Promise<{ collected: DataQualityCollected; threads: number }> {
  const threads = threadCount(objects, deps.threads);
  if (threads > 1) {
    const partials = await profileInThreads(job, partitionBySize(objects, threads), deps);
    return { collected: mergePartials(baseline, partials), threads };
  }
  const done = await profileInputs(job, objects, deps, baseline);
  const issues = protectProfiledWindow(
    done.profile,
    done.issues,
    job.pii ?? DEFAULT_PII_MODE,
    baseline.sensitive,
  );
  const collected = {
    profile: done.profile,
    issues,
    recordsRead: done.recordsRead,
    inputs: inputRefs(objects),
    reconstruction: done.reconstruction,
  };
  return { collected, threads };
}

/** A part's profile as it is stored for the merge (Redis): protected already, so no raw sensitive value. */
function partialOf(collected: DataQualityCollected): PartialProfileJSON {
  return {
    objects: collected.inputs,
    recordsRead: collected.recordsRead,
    profile: collected.profile.toJSON(),
    issues: collected.issues.toJSON(),
    ...(collected.reconstruction ? { reconstruction: collected.reconstruction } : {}),
  };
}
