/**
 * driftwatch as a library: a small, deliberate surface over the code the CLI and the worker run.
 *
 * - Baselines: {@link buildBaseline} (a dataset file or prefix → `statistics.json` + `constraints.json`),
 *   {@link baselineFromRows} (rows in memory or streamed → the same documents),
 *   {@link buildModelQualityBaseline}.
 * - Executions: {@link runDataQualityExecution}, {@link runModelQualityExecution}, {@link runBiasExecution},
 *   {@link runAttributionExecution} (one window of captured traffic → SageMaker's report files, optionally
 *   CloudWatch metrics).
 * - Comparing two datasets: {@link compareDatasets}; one feature: {@link compareNumericFeature},
 *   {@link compareCategoricalFeature}.
 * - Drift tests: the registry {@link DRIFT_TESTS} and each test on exact values or KLL sketches
 *   ({@link WeightedSample}) or on category counts.
 * - Mergeable profiles and sketches: {@link DatasetProfile}, {@link ColumnProfile}, {@link KllSketch},
 *   {@link HyperLogLog}, {@link Moments}.
 * - SageMaker's files: parse and render `statistics.json`, `constraints.json`,
 *   `constraint_violations.json`, model-quality files; read data-capture records.
 * - Storage: the {@link Storage} interface (local paths and `s3://`), {@link createStorage}.
 *
 * Everything else in the package is internal and may change in any release.
 * @packageDocumentation
 */

import { type DriftTestId, type DriftTestSpec, DRIFT_TESTS as REGISTRY } from './metrics/drift/registry.js';

// ---------------------------------------------------------------------------------------------- execution
export {
  type RunOptions,
  runAttributionExecution,
  runBiasExecution,
  runDataQualityExecution,
  runModelQualityExecution,
} from './api/execution.js';
// ---------------------------------------------------------------------------------------------- baselines
export {
  type BaselineOptions,
  type BaselineResult,
  type BaselineUris,
  buildBaseline,
} from './baseline/build.js';
export {
  type Constraints,
  type DriftMode,
  type FeatureConstraint,
  type FeatureOverrides,
  type MonitoringConfig,
  parseConstraints,
  renderConstraints,
  suggestConstraints,
  type Toggle,
} from './baseline/constraints.js';
export {
  buildModelQualityBaseline,
  type ModelQualityBaselineOptions,
  type ModelQualityBaselineResult,
} from './baseline/model-quality.js';
export {
  type ModelQualityConstraints,
  parseModelQualityConstraints,
  renderModelQualityConstraints,
  renderModelQualityStatistics,
} from './baseline/model-quality-files.js';
export {
  type Baseline,
  type ReadBaselineOptions,
  readBaseline,
  readConstraints,
  readStatistics,
} from './baseline/read.js';
export {
  baselineFromRows,
  type Row,
  type RowsBaselineOptions,
  type RowsBaselineResult,
} from './baseline/rows.js';
// ------------------------------------------------------------------------------------- SageMaker's files
export {
  categoriesOf,
  type FeatureStatistics,
  type KllBucket,
  type NumericalStatistics,
  parseStatistics,
  renderStatistics,
  type SageMakerType,
  type Statistics,
  type StringStatistics,
  sketchOf,
  statisticsFromProfile,
} from './baseline/statistics.js';
export { type ReadCaptureOptions, readCaptureRecords } from './capture/read-capture.js';
export type { CaptureEncoding, CapturePayload, CaptureRecord } from './capture/records.js';
export type { CheckType, Violation } from './checks/data-quality.js';
// ------------------------------------------------------------------------------------------- core types
export {
  AlreadyExistsError,
  ConfigError,
  DriftwatchError,
  InputError,
  isPermanent,
  TransientError,
} from './core/errors.js';
export { IssueLog, type IssueLogJSON, type IssueSample } from './core/issues.js';
export type { Cell, ExecutionStatus, Window } from './core/types.js';
export { driftwatchVersion } from './core/version.js';
// -------------------------------------------------------------------------------------------- datasets
export {
  type DatasetOptions,
  openDataset,
  type PlainRowTaker,
  type TabularReader,
} from './io/datasets/index.js';
export type { DatasetFormat } from './io/datasets/objects.js';
// --------------------------------------------------------------------------------------------- storage
export { LocalStorage } from './io/local-storage.js';
export type { S3StorageOptions } from './io/s3-storage.js';
export {
  createStorage,
  isS3Uri,
  joinUri,
  type ObjectInfo,
  type Storage,
  type WriteOptions,
} from './io/storage.js';
// ------------------------------------------------------------------------------------------ drift tests
export { andersonDarling } from './metrics/drift/anderson-darling.js';
export { chiSquareContingency } from './metrics/drift/chi-square.js';
export { cramerVonMises } from './metrics/drift/cramer-von-mises.js';
export { isDrift } from './metrics/drift/decide.js';
export { energyDistance } from './metrics/drift/energy.js';
export {
  compareCategoricalFeature,
  compareNumericFeature,
  type DatasetDriftOptions,
  type DatasetDriftReport,
  DEFAULT_MIN_SAMPLE_SIZE,
  datasetDrift,
  type FeatureDriftOptions,
  type FeatureDriftReport,
  type TestReport,
} from './metrics/drift/feature.js';
export { fisherExact } from './metrics/drift/fisher-exact.js';
export { gTest } from './metrics/drift/g-test.js';
export { hellingerDistance } from './metrics/drift/hellinger.js';
export {
  categoricalHistograms,
  type HistogramPair,
  numericHistograms,
} from './metrics/drift/histogram.js';
export { jensenShannonDistance } from './metrics/drift/jensen-shannon.js';
export { klDivergence } from './metrics/drift/kl-divergence.js';
export { type KsMode, ksTwoSample } from './metrics/drift/ks.js';
export {
  type LinfMethod,
  type LinfResult,
  linfinityCategorical,
  linfinityNumeric,
} from './metrics/drift/linf.js';
export { mannWhitneyU } from './metrics/drift/mann-whitney.js';
export type { PValueCorrection } from './metrics/drift/multiple-testing.js';
export { populationStabilityIndex } from './metrics/drift/psi.js';
export {
  type CategoricalTestFn,
  type CategoryCounts,
  DRIFT_TEST_IDS,
  type DriftTestId,
  type DriftTestSpec,
  driftTestsFor,
  getDriftTest,
  isDriftTestId,
  type NumericTestFn,
  type ScoreKind,
} from './metrics/drift/registry.js';
export {
  EMPTY_SAMPLE,
  isSketch,
  type KllSortedSource,
  type WeightedSample,
  weightedSampleFromKll,
  weightedSampleFromSorted,
  weightedSampleFromValues,
} from './metrics/drift/sample.js';
export { totalVariationDistance } from './metrics/drift/total-variation.js';
export {
  DRIFT_MODES,
  type DriftTestOutcome,
  type DriftTestResult,
  type FeatureKind,
  type InputKind,
  isResult,
} from './metrics/drift/types.js';
export { wassersteinDistance, wassersteinNormalised } from './metrics/drift/wasserstein.js';
export { twoProportionZTest } from './metrics/drift/z-test.js';
export type { MetricConstraint } from './metrics/quality/checks.js';
export type { ProblemType } from './metrics/quality/problem-types.js';
export type { ModelQualityMetrics } from './metrics/quality/statistics.js';
export type { AttributionDetails, AttributionSummary } from './monitor/attribution.js';
export type { BiasDetails, BiasMetricComparison, BiasSummary } from './monitor/bias.js';
export type { AttributionJob, BiasJob } from './monitor/clarify-job.js';
// ----------------------------------------------------------------------------------- comparing datasets
export {
  type CompareDecision,
  type CompareOptions,
  type CompareResult,
  compareDatasets,
} from './monitor/compare.js';
// An execution's constraint_violations.json (data and model quality).
export { renderModelQualityViolations, violationsDocument } from './report/execution-files.js';
export type { PiiMode } from './security/pii-modes.js';

/**
 * The registry of drift tests, by id: each entry says which feature kinds it applies to, whether it
 * returns a p-value (drift when p ≤ α) or a distance (drift when distance ≥ threshold), its default
 * threshold and the function to call (`numeric` on two {@link WeightedSample}s, `categorical` on two
 * category → count maps). Ids are {@link DRIFT_TEST_IDS}; {@link getDriftTest} throws for an unknown id.
 */
export const DRIFT_TESTS: Readonly<Record<DriftTestId, DriftTestSpec>> = REGISTRY;

// --------------------------------------------------------------------------------- profiles and sketches
export {
  ColumnProfile,
  type ColumnProfileJSON,
  DEFAULT_CATEGORY_LIMIT,
} from './metrics/profile/column-profile.js';
export {
  DatasetProfile,
  type DatasetProfileJSON,
  type DelimitedRowOutput,
} from './metrics/profile/dataset-profile.js';
export type { InferredType } from './metrics/profile/infer-type.js';
export { Moments, type MomentsState } from './metrics/profile/moments.js';
export { type HllState, HyperLogLog, hashNumber, hashString } from './metrics/sketches/hll.js';
export { KLL_DEFAULT_C, KLL_DEFAULT_K, KllSketch, type KllState } from './metrics/sketches/kll.js';
// ---------------------------------------------------------------------------------------------- monitor
export type { ModelQualityDetails, ModelQualitySummary } from './monitor/model-quality.js';
export type { ModelQualityJob } from './monitor/model-quality-job.js';
export type {
  DataQualityFields,
  DataQualityJob,
  DataQualitySummary,
  ExecutionJobBase,
  ExecutionProgress,
  ExecutionSummary,
  ExecutionSummaryBase,
} from './monitor/types.js';
