/**
 * From the monitors config and each monitor's baseline to the inputs of alarm planning
 * (`MonitorAlarmInput`): the schedule's period, where reports live, and the thresholds of constraints.json.
 */
import { type ClarifyAnalysis, parseClarifyAnalysis } from '../baseline/clarify-analysis.js';
import { type Constraints, parseConstraints } from '../baseline/constraints.js';
import { CALIBRATION_FILE, parseDriftCalibration } from '../baseline/drift-calibration.js';
import { parseModelQualityConstraints } from '../baseline/model-quality-files.js';
import { wantsCalibration, withDriftMode } from '../baseline/read.js';
import { driftPlan, isCalibratedFeature } from '../checks/baseline-drift.js';
import { defaultAlarmSettings } from '../config/alarms.js';
import { type ClarifyAnalysisConfig, parseClarifyAnalysisConfig } from '../config/clarify.js';
import { type MonitorConfig, scheduleOf } from '../config/monitors.js';
import { nextRuns, type Schedule } from '../config/schedule.js';
import { ConfigError, InputError } from '../core/errors.js';
import { joinUri, type Storage } from '../io/storage.js';
import { ESTIMATED_METRIC_NAMES } from '../metrics/quality/cbpe.js';
import type { MonitorAlarmInput } from './alarm-specs.js';
import { biasDimensionIdentity, biasMetricDimensions } from './clarify-metrics.js';
import type { ScheduleIdentity } from './data-quality-metrics.js';

/** A fixed reference instant, so the computed period never depends on when the sync runs. */
const REFERENCE = new Date('2024-01-01T00:00:00Z');
/**
 * Runs sampled to find the longest gap: 60 covers every SageMaker form and ordinary cron patterns
 * (cron-parser evaluates zones slowly, so the sample stays small). Daylight-saving changes are not
 * sampled: they stretch a daily gap to 25 h, and alarm periods are capped at one day anyway.
 */
const SAMPLE_RUNS = 60;

/**
 * The longest gap in seconds between consecutive runs of a schedule (hourly 3600, daily 86400,
 * `cron(0 S/N ? * * *)` the longest of its gaps); undefined for a one-off `NOW` schedule.
 */
export function scheduleIntervalSeconds(schedule: Schedule): number | undefined {
  if (schedule.kind === 'now') return undefined;
  const runs = nextRuns(schedule, REFERENCE, SAMPLE_RUNS);
  let longest = 0;
  for (let i = 1; i < runs.length; i++) {
    longest = Math.max(longest, ((runs[i] as Date).getTime() - (runs[i - 1] as Date).getTime()) / 1000);
  }
  return longest > 0 ? longest : undefined;
}

/**
 * Drift and completeness thresholds per feature, as the checks apply them (spec §4–§5): nothing for a
 * feature whose metrics are not emitted; a drift threshold when comparison is on and constraints are
 * evaluated (numeric: `comparison_threshold`, string: `categorical_comparison_threshold`, per-feature
 * overrides first; ChiSquared publishes a p-value); the `completeness` constraint when evaluated.
 */
export function dataQualityAlarmFeatures(constraints: Constraints): MonitorAlarmInput['features'] {
  const mc = constraints.monitoring_config;
  const dc = mc.distribution_constraints;
  const out: MonitorAlarmInput['features'] = [];
  for (const f of constraints.features) {
    const emit = (f.overrides.emit_metrics ?? mc.emit_metrics) === 'Enabled';
    if (!emit) continue;
    const evaluate = (f.overrides.evaluate_constraints ?? mc.evaluate_constraints) === 'Enabled';
    const entry: MonitorAlarmInput['features'][number] = { name: f.name };
    // The same plan as the execution's baseline_drift_check, so alarms and violations agree.
    const plan =
      evaluate && dc.perform_comparison === 'Enabled'
        ? driftPlan(f.inferred_type, f.overrides, dc)
        : undefined;
    if (plan && isCalibratedFeature(f.overrides, dc)) {
      // Calibrated thresholds depend on the window's size: the alarm watches the score relative to the
      // threshold the execution applied (feature_baseline_drift_ratio_<f>), which is ≥ 1 exactly at drift.
      entry.driftThreshold = 1;
      entry.driftScore = 'ratio';
    } else if (plan) {
      entry.driftThreshold = plan.threshold;
      entry.driftScore = plan.score === 'p_value' ? 'p-value' : 'distance';
    }
    if (evaluate && f.completeness !== undefined) entry.completeness = f.completeness;
    out.push(entry);
  }
  return out;
}

/** The metric constraints of a model-quality constraints.json (spec §6.3), for alarms. */
export function modelQualityAlarmConstraints(
  text: string,
  file: string,
): NonNullable<MonitorAlarmInput['modelQuality']> {
  return [...parseModelQualityConstraints(text, file).constraints].map(([metric, c]) => ({
    metric,
    threshold: c.threshold,
    comparisonOperator: c.comparison_operator,
  }));
}

async function readBaselineText(storage: Storage, uri: string): Promise<string> {
  try {
    return await storage.readText(uri);
  } catch (error) {
    if (error instanceof InputError)
      throw new ConfigError(`cannot read the baseline: ${error.message}`, { file: uri }, { cause: error });
    throw error;
  }
}

/**
 * One alarm entry per compared facet metric of a bias baseline (both stages, non-null finite values), with
 * the dimensions the execution publishes under (configured facet values, else the baseline entry's value).
 */
export function biasAlarmEntries(
  id: ScheduleIdentity,
  analysis: ClarifyAnalysis,
  config: ClarifyAnalysisConfig,
): NonNullable<MonitorAlarmInput['bias']> {
  const out: NonNullable<MonitorAlarmInput['bias']> = [];
  const seen = new Set<string>();
  for (const stage of ['post_training', 'pre_training'] as const) {
    const s = stage === 'pre_training' ? analysis.preTraining : analysis.postTraining;
    if (s === undefined) continue;
    const dims = biasDimensionIdentity(config, s.label);
    for (const [facet, entries] of s.facets) {
      for (const e of entries) {
        for (const m of e.metrics) {
          if (m.value === null || !Number.isFinite(m.value)) continue;
          const dimensions = biasMetricDimensions(id, dims, { stage, facet, facetValue: e.valueOrThreshold });
          const facetValue = dimensions.find((d) => d.Name === 'FacetValue')?.Value ?? '';
          const subject = `${facet}-${facetValue}-${stage === 'pre_training' ? 'pre' : 'post'}-${m.name}`;
          if (seen.has(subject)) continue;
          seen.add(subject);
          out.push({ metric: m.name, baseline: m.value, dimensions, subject });
        }
      }
    }
  }
  return out;
}

/**
 * The alarm inputs of one configured monitor; reads its baseline `constraints.json` through `storage`.
 * A missing or invalid baseline is a `ConfigError` (the sync stops rather than deleting that monitor's
 * alarms for want of thresholds).
 */
export async function monitorAlarmInput(
  monitor: MonitorConfig,
  storage: Storage,
): Promise<MonitorAlarmInput> {
  const scheduleName = monitor.scheduleName ?? monitor.name;
  const settings = monitor.alarms ?? defaultAlarmSettings();
  const input: MonitorAlarmInput = {
    monitorName: monitor.name,
    type: monitor.type,
    endpoint: monitor.endpoint,
    batch: false,
    scheduleName,
    periodSeconds: scheduleIntervalSeconds(scheduleOf(monitor)),
    reportUri: `${joinUri(monitor.output, monitor.endpoint, scheduleName)}/`,
    settings,
    features: [],
  };
  if (!settings.enabled || input.periodSeconds === undefined) return input;
  // The Clarify kinds' baselines are analysis.json files.
  if (monitor.type === 'bias' || monitor.type === 'attribution') {
    const analysisUri = joinUri(monitor.baseline, 'analysis.json');
    const analysis = parseClarifyAnalysis(await readBaselineText(storage, analysisUri), analysisUri);
    if (monitor.type === 'attribution') {
      const threshold = monitor.attribution?.ndcgThreshold ?? 0.9;
      input.attribution = [...(analysis.kernelShap?.keys() ?? [])].map((label) => ({ label, threshold }));
      return input;
    }
    const configUri = monitor.bias?.analysisConfig ?? joinUri(monitor.baseline, 'analysis_config.json');
    const config = parseClarifyAnalysisConfig(await readBaselineText(storage, configUri), configUri);
    input.bias = biasAlarmEntries(input, analysis, config);
    return input;
  }
  const uri = joinUri(monitor.baseline, 'constraints.json');
  const text = await readBaselineText(storage, uri);
  if (monitor.type === 'data-quality') {
    // The monitor's driftMode decides as it does in its executions (baseline/read.ts withDriftMode).
    const constraints = withDriftMode(parseConstraints(text, uri), monitor.driftMode, uri);
    input.features = dataQualityAlarmFeatures(constraints);
    if (wantsCalibration(constraints)) {
      // A calibrated baseline may carry the multivariate model: its check gets one alarm per monitor.
      const calibrationUri = joinUri(monitor.baseline, CALIBRATION_FILE);
      const calibration = parseDriftCalibration(
        await readBaselineText(storage, calibrationUri),
        calibrationUri,
      );
      if (calibration.multivariate) input.multivariate = true;
    }
    return input;
  }
  const constraints = modelQualityAlarmConstraints(text, uri);
  // With an estimation window the execution also publishes CBPE estimates as `estimated_<metric>`: alarm
  // on them with the same constraint, an early warning before the labels arrive.
  const estimated = new Set<string>(ESTIMATED_METRIC_NAMES);
  const estimates = monitor.modelQuality?.estimationWindow
    ? constraints.filter((c) => estimated.has(c.metric)).map((c) => ({ ...c, prefix: 'estimated_' }))
    : [];
  input.modelQuality = [...constraints, ...estimates];
  return input;
}
