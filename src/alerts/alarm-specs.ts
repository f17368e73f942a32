/**
 * CloudWatch alarms for on-call, provisioned from the monitors config and kept in sync.
 *
 * Terminology:
 * - desired alarm: an alarm the config and the baselines call for (`desiredAlarms`, here).
 * - managed alarm, plan: see alarm-plan.ts. An alarm's description (what fired, what to do, where the
 *   reports and the runbook are): alarm-descriptions.ts.
 *
 * Alarms per monitor (names are `<prefix>-<monitor>-<kind>[-<subject>]`, rendered CloudWatch-safe):
 * | kind                | metric                                   | statistic | fires when                  | missing data |
 * | `drift`             | `feature_baseline_drift_<f>`             | Maximum   | > constraint threshold      | notBreaching |
 * |   (ChiSquared)      |   (holds the p-value)                    | Minimum   | < constraint threshold      | notBreaching |
 * | `completeness`      | `feature_completeness_<f>` (0..1)        | Minimum   | < completeness − tolerance  | notBreaching |
 * | `multivariate`      | `multivariate_drift_ratio`               | Maximum   | ≥ 1 (outside the band)      | notBreaching |
 * | `model`             | `<metric>` (model-metrics namespace)     | Average   | constraint's operator       | notBreaching |
 * | `stopped-reporting` | `driftwatch_execution_completed`         | Maximum   | < 1 (failed or no execution)| breaching    |
 * Dimensions are the ones the execution publishes (data-quality-metrics.ts), the period matches the
 * schedule (its longest gap between executions, rounded up to a minute, at most a day).
 *
 * Idempotent: an alarm is written only when one of the fields driftwatch sets differs (see
 * `alarmDifferences`, alarm-plan.ts), so a second sync with the same inputs changes nothing.
 */
import type { ComparisonOperator, Dimension, Statistic, Tag } from '@aws-sdk/client-cloudwatch';
import type { AlarmSettings } from '../config/alarms.js';
import { type ComparisonOperator as ConstraintOperator, OPERATOR_SYMBOLS } from '../metrics/comparison.js';
import { driftComparisonOperator } from '../metrics/drift/decide.js';
import { describeAlarm, quoted } from './alarm-descriptions.js';
import { biasDriftMetricName, NDCG_METRIC, ndcgDimensions } from './clarify-metrics.js';
import {
  EXECUTION_HEARTBEAT_METRIC,
  FEATURE_METRIC_PREFIXES,
  type MonitorType,
  MULTIVARIATE_METRICS,
  metricNamespace,
  modelQualityMetricName,
  type ScheduleIdentity,
  scheduleDimensions,
} from './data-quality-metrics.js';
import { featureMetricName, MAX_NAME_LENGTH, safeNamePart } from './metric-names.js';

export const MANAGED_BY_TAG_KEY = 'managed-by';
export const MANAGED_BY_TAG_VALUE = 'driftwatch';
export const PREFIX_TAG_KEY = 'driftwatch-prefix';
export const MONITOR_TAG_KEY = 'driftwatch-monitor';
export const KIND_TAG_KEY = 'driftwatch-alarm-kind';

/** CloudWatch: Period × EvaluationPeriods may not exceed 7 days. */
const MAX_EVALUATION_SECONDS = 7 * 86_400;
/** Longest alarm period driftwatch uses. */
const MAX_PERIOD_SECONDS = 86_400;

export type AlarmKind =
  | 'drift'
  | 'completeness'
  | 'multivariate'
  | 'model'
  | 'bias'
  | 'attribution'
  | 'stopped-reporting';

export interface MonitorAlarmInput extends ScheduleIdentity {
  monitorName: string;
  type: MonitorType;
  /**
   * Seconds between two scheduled executions (the longest gap when they are irregular): hourly 3600,
   * daily 86400. Undefined for one-off (NOW) schedules, which get no alarms.
   */
  periodSeconds: number | undefined;
  /** Where this monitor's reports live: `<output>/<endpoint>/<schedule>/` (for the descriptions). */
  reportUri: string;
  settings: AlarmSettings;
  /**
   * From the baseline's constraints.json: the drift threshold and completeness of each feature.
   * `driftScore` says what `feature_baseline_drift_<f>` holds: a distance (fires at or above the
   * threshold, the default) or a p-value (fires at or below it): `driftComparisonOperator` of decide.ts.
   * `ratio` (calibrated drift): the alarm watches `feature_baseline_drift_ratio_<f>` (score relative to
   * the calibrated threshold the execution applied) at or above `driftThreshold` (1).
   */
  features: Array<{
    name: string;
    driftThreshold?: number;
    driftScore?: 'distance' | 'p-value' | 'ratio';
    completeness?: number;
  }>;
  /**
   * The baseline has a multivariate model (`driftwatch_calibration.json` → `multivariate`): one alarm on
   * `multivariate_drift_ratio` ≥ 1, the multivariate_drift_check's decision.
   */
  multivariate?: boolean;
  /** From a model-quality constraints.json: one entry per constrained metric. */
  modelQuality?: Array<{
    metric: string;
    threshold: number;
    comparisonOperator: ConstraintOperator;
    prefix?: string;
  }>;
  /**
   * From a bias baseline analysis.json and its analysis config: one entry per compared facet metric, with
   * the dimensions the execution publishes `bias_drift_<NAME>` under.
   */
  bias?: Array<{ metric: string; baseline: number; dimensions: Dimension[]; subject: string }>;
  /** Attribution monitors: one entry per baseline label key, alarmed on `attribution_ndcg` < threshold. */
  attribution?: Array<{ label: string; threshold: number }>;
}

/** The PutMetricAlarm fields driftwatch sets (and compares). */
export interface AlarmSpec {
  AlarmName: string;
  AlarmDescription: string;
  ActionsEnabled: boolean;
  AlarmActions: string[];
  OKActions: string[];
  InsufficientDataActions: string[];
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
  Statistic: Statistic;
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: number;
  ComparisonOperator: ComparisonOperator;
  TreatMissingData: 'breaching' | 'notBreaching' | 'ignore' | 'missing';
}

export interface DesiredAlarm {
  monitorName: string;
  kind: AlarmKind;
  /** The feature (drift, completeness) or metric (model) the alarm watches. */
  subject?: string;
  spec: AlarmSpec;
  tags: Tag[];
}

/** CloudWatch alarm period for a schedule interval: whole minutes, 1 minute to 1 day. */
export function alarmPeriodSeconds(intervalSeconds: number): number {
  const minutes = Math.ceil(intervalSeconds / 60);
  return Math.min(MAX_PERIOD_SECONDS, Math.max(60, minutes * 60));
}

function clampEvaluationPeriods(periods: number, period: number): number {
  return Math.max(1, Math.min(Math.ceil(periods), Math.floor(MAX_EVALUATION_SECONDS / period)));
}

const KIND_LABEL: Record<AlarmKind, string> = {
  drift: 'drift',
  completeness: 'completeness',
  multivariate: 'multivariate',
  model: 'model',
  bias: 'bias',
  attribution: 'attribution',
  'stopped-reporting': 'stopped-reporting',
};

/** `<prefix>-<monitor>-<kind>[-<subject>]`, each part CloudWatch-safe, at most 255 characters. */
export function alarmName(prefix: string, monitorName: string, kind: AlarmKind, subject?: string): string {
  const head = `${safeNamePart(prefix, 64)}-${safeNamePart(monitorName, 100)}-${KIND_LABEL[kind]}`;
  if (subject === undefined) return head;
  return `${head}-${safeNamePart(subject, MAX_NAME_LENGTH - head.length - 1)}`;
}

/** The alarms one monitor needs (none when disabled or for one-off schedules). */
export function desiredAlarms(monitor: MonitorAlarmInput): DesiredAlarm[] {
  const s = monitor.settings;
  if (!s.enabled || monitor.periodSeconds === undefined || !(monitor.periodSeconds > 0)) return [];
  const prefix = s.namePrefix;
  const period = alarmPeriodSeconds(monitor.periodSeconds);
  const evaluationPeriods = clampEvaluationPeriods(s.evaluationPeriods, period);
  const tags = (kind: AlarmKind): Tag[] => [
    { Key: MANAGED_BY_TAG_KEY, Value: MANAGED_BY_TAG_VALUE },
    { Key: PREFIX_TAG_KEY, Value: prefix },
    { Key: MONITOR_TAG_KEY, Value: safeNamePart(monitor.monitorName, 256) },
    { Key: KIND_TAG_KEY, Value: kind },
  ];
  const common = {
    ActionsEnabled: true,
    AlarmActions: [...s.alarmActions],
    OKActions: [...s.okActions],
    InsufficientDataActions: [] as string[],
  };
  /** One alarm on one metric (all of driftwatch's alarms take the whole evaluation window to fire). */
  const alarm = (a: {
    kind: AlarmKind;
    subject?: string;
    /** What breached, and what to do (the description, see `describeAlarm`). */
    what: string;
    todo: string;
    namespace: string;
    metric: string;
    dimensions: Dimension[];
    statistic: Statistic;
    threshold: number;
    operator: ComparisonOperator;
    evaluationPeriods?: number;
    missingData?: AlarmSpec['TreatMissingData'];
  }): DesiredAlarm => {
    const periods = a.evaluationPeriods ?? evaluationPeriods;
    return {
      monitorName: monitor.monitorName,
      kind: a.kind,
      ...(a.subject !== undefined ? { subject: a.subject } : {}),
      tags: tags(a.kind),
      spec: {
        ...common,
        AlarmName: alarmName(prefix, monitor.monitorName, a.kind, a.subject),
        AlarmDescription: describeAlarm(monitor, a.kind, a.what, a.todo),
        Namespace: a.namespace,
        MetricName: a.metric,
        Dimensions: a.dimensions,
        Statistic: a.statistic,
        Period: period,
        EvaluationPeriods: periods,
        DatapointsToAlarm: periods,
        Threshold: a.threshold,
        ComparisonOperator: a.operator,
        TreatMissingData: a.missingData ?? 'notBreaching',
      },
    };
  };
  const out: DesiredAlarm[] = [];
  const disabled = new Set(s.disabledFeatures);

  if (monitor.type === 'data-quality') {
    const namespace = metricNamespace('data-quality', monitor);
    for (const f of monitor.features) {
      if (disabled.has(f.name)) continue;
      if (s.drift && f.driftThreshold !== undefined && Number.isFinite(f.driftThreshold)) {
        const pValue = f.driftScore === 'p-value';
        // The report's decision (decide.ts): a score exactly at the threshold is drift, and alarms.
        const operator = driftComparisonOperator(pValue ? 'p_value' : 'distance');
        out.push(
          alarm({
            kind: 'drift',
            subject: f.name,
            what: `feature ${quoted(f.name)} drifted from the baseline: ${pValue ? 'p-value' : f.driftScore === 'ratio' ? 'drift score / calibrated threshold' : 'drift distance'} ${OPERATOR_SYMBOLS[operator]} ${f.driftThreshold} (baseline_drift_check).`,
            todo: 'open the report of that hour, compare the moved categories/quantiles in the summary with recent upstream changes; if the shift is expected, re-baseline.',
            namespace,
            metric: featureMetricName(
              f.driftScore === 'ratio'
                ? FEATURE_METRIC_PREFIXES.baselineDriftRatio
                : FEATURE_METRIC_PREFIXES.baselineDrift,
              f.name,
            ),
            dimensions: scheduleDimensions(monitor, f.name),
            statistic: pValue ? 'Minimum' : 'Maximum',
            threshold: f.driftThreshold,
            operator,
          }),
        );
      }
      if (s.completeness && f.completeness !== undefined && Number.isFinite(f.completeness)) {
        const threshold = f.completeness - s.completenessTolerance;
        if (threshold > 0) {
          out.push(
            alarm({
              kind: 'completeness',
              subject: f.name,
              what: `feature ${quoted(f.name)} has more missing values than the baseline allows: completeness < ${threshold} (completeness_check).`,
              todo: 'check the report for the share of nulls and the capture for the producer sending empty values (schema change, upstream outage).',
              namespace,
              metric: featureMetricName(FEATURE_METRIC_PREFIXES.completeness, f.name),
              dimensions: scheduleDimensions(monitor, f.name),
              statistic: 'Minimum',
              threshold,
              operator: 'LessThanThreshold',
            }),
          );
        }
      }
    }
  }

  if (monitor.type === 'data-quality' && monitor.multivariate && s.multivariate) {
    out.push(
      alarm({
        kind: 'multivariate',
        what: 'the features moved together differently from the baseline: the mean PCA reconstruction error left its band, multivariate_drift_ratio >= 1 (multivariate_drift_check).',
        todo: 'open the report of that hour: the multivariate section gives the error and the band; look for a changed relation between features (a joined source, a unit or sign change in one of them) even when no single feature drifted.',
        namespace: metricNamespace('data-quality', monitor),
        metric: MULTIVARIATE_METRICS.ratio,
        dimensions: scheduleDimensions(monitor),
        statistic: 'Maximum',
        threshold: 1,
        operator: 'GreaterThanOrEqualToThreshold',
      }),
    );
  }

  if (monitor.type === 'model-quality' && s.modelQuality) {
    const namespace = metricNamespace('model-quality', monitor);
    const only = s.modelQualityMetrics ? new Set(s.modelQualityMetrics) : undefined;
    for (const c of monitor.modelQuality ?? []) {
      if (only && !only.has(c.metric)) continue;
      if (!Number.isFinite(c.threshold)) continue;
      const metricName = modelQualityMetricName(c.metric, c.prefix);
      out.push(
        alarm({
          kind: 'model',
          subject: metricName,
          what: `model metric ${metricName} ${OPERATOR_SYMBOLS[c.comparisonOperator]} ${c.threshold} (the baseline constraint).`,
          todo: 'read the model-quality report (confusion matrix or errors), check ground-truth delays and recent model or data changes; roll back or retrain.',
          namespace,
          metric: metricName,
          dimensions: scheduleDimensions(monitor),
          statistic: 'Average',
          threshold: c.threshold,
          operator: c.comparisonOperator,
        }),
      );
    }
  }

  if (monitor.type === 'bias') {
    const namespace = metricNamespace('bias', monitor);
    for (const b of monitor.bias ?? []) {
      out.push(
        alarm({
          kind: 'bias',
          subject: b.subject,
          what: `bias metric ${b.metric} of ${quoted(b.subject)} is farther from 0 than the baseline's ${b.baseline} (bias_drift_check; bias_metric_${b.metric} holds the value).`,
          todo: 'open analysis.json and constraint_violations.json of that hour: which group lost or gained positive predictions; check the model and the traffic mix; if the change is accepted, re-baseline.',
          namespace,
          metric: biasDriftMetricName(b.metric),
          dimensions: b.dimensions,
          statistic: 'Maximum',
          threshold: 1,
          operator: 'GreaterThanOrEqualToThreshold',
        }),
      );
    }
  }

  if (monitor.type === 'attribution') {
    const namespace = metricNamespace('attribution', monitor);
    for (const a of monitor.attribution ?? []) {
      out.push(
        alarm({
          kind: 'attribution',
          subject: a.label,
          what: `the feature ranking of label ${quoted(a.label)} moved from the baseline's: NDCG < ${a.threshold} (feature_attribution_drift_check).`,
          todo: "compare analysis.json's global SHAP values of that hour with the baseline's: which features the model now relies on; check upstream feature changes; retrain or re-baseline.",
          namespace,
          metric: NDCG_METRIC,
          dimensions: ndcgDimensions(monitor, a.label),
          statistic: 'Minimum',
          threshold: a.threshold,
          operator: 'LessThanThreshold',
        }),
      );
    }
  }

  if (s.stoppedReporting.enabled) {
    const periods = clampEvaluationPeriods(
      (s.stoppedReporting.missedExecutions * monitor.periodSeconds) / period,
      period,
    );
    out.push(
      alarm({
        kind: 'stopped-reporting',
        what: `no completed execution for ${periods} period(s) of ${period} s: executions are missing (worker, Redis or scheduler down) or failing (no capture data, bad baseline).`,
        todo: 'check the worker is running (driftwatch status), the failed jobs and their reasons, and that the endpoint still captures data.',
        namespace: metricNamespace(monitor.type, monitor),
        metric: EXECUTION_HEARTBEAT_METRIC,
        dimensions: scheduleDimensions(monitor),
        statistic: 'Maximum',
        threshold: 1,
        operator: 'LessThanThreshold',
        evaluationPeriods: periods,
        missingData: 'breaching',
      }),
    );
  }
  return out;
}
