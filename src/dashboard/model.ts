/**
 * What the dashboard shows, read from the monitors' output prefixes (read.ts) and drawn by pages.ts. Plain
 * data: the page renderers never touch storage, the server never renders from anything but this.
 */

/** The monitor types of the overview's columns (SageMaker's Model Dashboard has the same four). */
export const DASHBOARD_TYPES = ['data-quality', 'model-quality', 'bias', 'attribution'] as const;
export type DashboardType = (typeof DASHBOARD_TYPES)[number];

export const TYPE_TITLES: Readonly<Record<DashboardType, string>> = {
  'data-quality': 'Data quality',
  'model-quality': 'Model quality',
  bias: 'Bias',
  attribution: 'Attribution',
};

export interface FeaturePoint {
  /** The drift value (distance, or p-value when `pValue`) and its threshold. */
  value: number;
  threshold: number;
  pValue: boolean;
  drift: boolean;
}

/** One execution, as the dashboard needs it (from its execution.json). */
export interface ExecutionPoint {
  /** `yyyy/mm/dd/hh`: the hour folder below `<output>/<endpoint>/<schedule>/` (digits and slashes only). */
  hour: string;
  scheduledTime: string;
  status: string;
  violations: number;
  failureReason?: string;
  recordsRead: number;
  problems: number;
  /** Data quality: drift per feature (decided ones), by feature name. */
  features: Map<string, FeaturePoint>;
  drifted: string[];
  /**
   * Data quality with a calibrated baseline's PCA model: the window's mean reconstruction error, the
   * band it had to stay in at the window's size, and the decision (`multivariate_drift_check`).
   */
  multivariate?: { value: number; lower: number; upper: number; drift: boolean };
  /** Model quality: realised metrics and the CBPE estimates (value and band). */
  metrics: Map<string, number>;
  estimates: Map<string, { value: number; lower: number; upper: number }>;
  violatedMetrics: string[];
}

export interface MonitorView {
  name: string;
  type: string;
  endpoint: string;
  scheduleName: string;
  /** Executions in time order (oldest first). */
  executions: ExecutionPoint[];
  /** Model quality: the baseline constraints (metric → operator and threshold). */
  thresholds: Map<string, { operator: string; threshold: number }>;
  /** Folders/files that could not be read: shown on the page, never fatal. */
  problems: string[];
}

export interface DashboardData {
  monitors: MonitorView[];
  /** Endpoints found under the capture prefixes (monitored or not). */
  capturedEndpoints: string[];
  problems: string[];
}

/** The hour folder pattern an execution link may take (the server accepts nothing else). */
export const HOUR_PATTERN = /^\d{4}\/\d{2}\/\d{2}\/\d{2}$/;

/** A metric or drift value relative to its threshold: > 1 is on the wrong side (drift / violation). */
export function relativeToThreshold(p: FeaturePoint): number {
  if (p.pValue) return p.value > 0 ? p.threshold / p.value : Number.POSITIVE_INFINITY;
  return p.threshold > 0 ? p.value / p.threshold : p.value > 0 ? Number.POSITIVE_INFINITY : 0;
}

/**
 * The multivariate error relative to its band: |value − centre| / half-width (≥ 1 outside, as
 * `multivariate_drift_ratio`); NaN when the band is not known.
 */
export function multivariateRatio(m: { value: number; lower: number; upper: number }): number {
  const half = (m.upper - m.lower) / 2;
  if (!(half > 0)) return Number.NaN;
  return Math.abs(m.value - (m.upper + m.lower) / 2) / half;
}
