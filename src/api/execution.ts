/**
 * Running one monitoring execution from code: the library's stable entry points over `src/monitor/`
 * (which the CLI and the worker share). A storage, logger and CloudWatch client are optional here.
 */
import { cloudWatchPublisher, type MetricClient } from '../alerts/cloudwatch-publisher.js';
import { type Logger, silentLogger } from '../core/log.js';
import { createStorage, type Storage } from '../io/storage.js';
import {
  type AttributionSummary,
  runAttributionExecution as runAttribution,
} from '../monitor/attribution.js';
import { type BiasSummary, runBiasExecution as runBias } from '../monitor/bias.js';
import type { AttributionJob, BiasJob } from '../monitor/clarify-job.js';
import { runExecution } from '../monitor/data-quality.js';
import {
  type ModelQualitySummary,
  runModelQualityExecution as runModelQuality,
} from '../monitor/model-quality.js';
import type { ModelQualityJob } from '../monitor/model-quality-job.js';
import type {
  DataQualityJob,
  DataQualitySummary,
  ExecutionDeps,
  ExecutionProgress,
} from '../monitor/types.js';

/** Options of {@link runDataQualityExecution}, {@link runModelQualityExecution}, {@link runBiasExecution} and {@link runAttributionExecution}. */
export interface RunOptions {
  /** Where capture, baseline and reports are read and written. @defaultValue `createStorage()` (local paths and `s3://`) */
  storage?: Storage;
  /**
   * A CloudWatch client (`CloudWatchClient` of `@aws-sdk/client-cloudwatch`), needed only when the job
   * has `cloudwatch: true` (the metrics are published there).
   */
  cloudwatch?: MetricClient;
  /** A pino logger for progress and problems. @defaultValue a silent logger */
  logger?: Logger;
  /** Aborts the execution (it then throws the signal's reason). */
  signal?: AbortSignal;
  /** Called as capture objects are read. */
  onProgress?: (progress: ExecutionProgress) => void;
  /**
   * Worker threads for profiling a data-quality window (1 = this thread only).
   * @defaultValue 1 (see the README's performance section: why not one per core)
   */
  threads?: number;
}

function depsOf(options: RunOptions): ExecutionDeps {
  return {
    storage: options.storage ?? createStorage(),
    logger: options.logger ?? silentLogger,
    ...(options.cloudwatch ? { publisher: cloudWatchPublisher(options.cloudwatch) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  };
}

/**
 * Runs one data-quality execution (SageMaker's DataQuality monitoring job): reads the window's capture,
 * profiles it, checks it against the baseline's statistics and constraints, writes `statistics.json`,
 * `constraints.json`, `constraint_violations.json`, `report.html` and, last, `execution.json` under
 * `<outputUri>/<endpoint>/<scheduleName>/yyyy/mm/dd/hh/`, and publishes the CloudWatch metrics when
 * `job.cloudwatch` is true. Idempotent: an execution already stored is returned as it is, nothing redone.
 * @returns the execution summary (as stored in `execution.json`).
 * @throws ConfigError for a bad job or baseline; InputError for a missing baseline.
 */
export async function runDataQualityExecution(
  job: DataQualityJob,
  options: RunOptions = {},
): Promise<DataQualitySummary> {
  return await runExecution(job, depsOf(options));
}

/**
 * Runs one model-quality execution (SageMaker's ModelQuality monitoring job): joins the window's
 * predictions with the ground truth by event id, computes the problem type's metrics, checks them against
 * the baseline's `constraints.json`, writes the reports and `execution.json` like a data-quality
 * execution, and publishes the metrics when `job.cloudwatch` is true. Idempotent as
 * {@link runDataQualityExecution}.
 * @returns the execution summary (as stored in `execution.json`).
 * @throws ConfigError for a bad job or baseline; InputError for a missing baseline.
 */
export async function runModelQualityExecution(
  job: ModelQualityJob,
  options: RunOptions = {},
): Promise<ModelQualitySummary> {
  return await runModelQuality(job, depsOf(options));
}

/**
 * Runs one bias-drift execution (SageMaker Clarify's ModelBiasMonitor job): joins the window's captured
 * requests and predictions with the ground truth, runs the Clarify analysis the baseline's
 * `analysis_config.json` asks for, checks it against the baseline `analysis.json`, writes `analysis.json`
 * (and `constraint_violations.json` when a metric is violated) and `execution.json`, and publishes
 * `bias_metric_<NAME>` when `job.cloudwatch` is true. Idempotent as {@link runDataQualityExecution}.
 * @returns the execution summary (as stored in `execution.json`), with the compared metrics in `bias`.
 * @throws ConfigError for a bad job, baseline or analysis config.
 */
export async function runBiasExecution(job: BiasJob, options: RunOptions = {}): Promise<BiasSummary> {
  return await runBias(job, depsOf(options));
}

/**
 * Runs one feature-attribution-drift execution (SageMaker Clarify's ModelExplainabilityMonitor job):
 * aggregates the window's captured online explanations, compares each label's feature ranking with the
 * baseline's `explanations.kernel_shap` by NDCG, writes the reports and `execution.json`, and publishes
 * the attributions and `attribution_ndcg` when `job.cloudwatch` is true. Idempotent as
 * {@link runDataQualityExecution}.
 * @returns the execution summary (as stored in `execution.json`), with the NDCG per label in `attribution`.
 * @throws ConfigError for a bad job or baseline.
 */
export async function runAttributionExecution(
  job: AttributionJob,
  options: RunOptions = {},
): Promise<AttributionSummary> {
  return await runAttribution(job, depsOf(options));
}
