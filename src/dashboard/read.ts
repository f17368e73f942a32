/**
 * Reads the dashboard's data from the configured monitors' output prefixes (S3 or local): every
 * `<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/execution.json`, the model-quality baselines' constraints,
 * and the endpoint folders under the capture prefixes. Only keys derived from the config are read; an
 * unreadable file is listed in `problems` and skipped.
 */
import type { MonitorConfig, MonitorsConfig } from '../config/index.js';
import { joinUri, type Storage } from '../io/storage.js';
import {
  type DashboardData,
  type ExecutionPoint,
  type FeaturePoint,
  HOUR_PATTERN,
  type MonitorView,
} from './model.js';

type Json = Record<string, unknown>;
const obj = (x: unknown): Json =>
  typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Json) : {};
const num = (x: unknown): number => (typeof x === 'number' ? x : Number.NaN);

/** Executions read at once per monitor. */
const CONCURRENCY = 16;

/** The compact point of one execution.json (hostile content tolerated: missing fields become NaN/empty). */
export function executionPoint(hour: string, summary: Json): ExecutionPoint {
  const features = new Map<string, FeaturePoint>();
  if (Array.isArray(summary.featureScores))
    for (const f of summary.featureScores as unknown[]) {
      const o = obj(f);
      if (typeof o.name !== 'string' || typeof o.value !== 'number' || typeof o.threshold !== 'number')
        continue;
      features.set(o.name, {
        value: o.value,
        threshold: o.threshold,
        pValue: o.score === 'p_value',
        drift: o.drift === true,
      });
    }
  else if (Array.isArray(summary.violatedChecks))
    // Executions written before featureScores: only the drifted features' values are known.
    for (const c of summary.violatedChecks as unknown[]) {
      const o = obj(c);
      if (o.checkType !== 'baseline_drift_check' || typeof o.feature !== 'string') continue;
      if (typeof o.currentValue !== 'number' || typeof o.threshold !== 'number') continue;
      features.set(o.feature, { value: o.currentValue, threshold: o.threshold, pValue: false, drift: true });
    }
  const mq = obj(summary.modelQuality);
  const metrics = new Map<string, number>();
  for (const [k, v] of Object.entries(obj(mq.metrics))) if (typeof v === 'number') metrics.set(k, v);
  const estimates = new Map<string, { value: number; lower: number; upper: number }>();
  const est = obj(obj(obj(mq.estimatedRecent ?? mq.estimated).estimate).metrics);
  for (const [k, v] of Object.entries(est)) {
    const e = obj(v);
    if (typeof e.value === 'number')
      estimates.set(k, { value: e.value, lower: num(e.lower), upper: num(e.upper) });
  }
  // The Clarify kinds: DPPL and DI of each facet value (bias) and the NDCG of each label (attribution).
  const violatedMetrics = Array.isArray(mq.violatedMetrics) ? mq.violatedMetrics.map(String) : [];
  const bias = obj(summary.bias);
  for (const c of Array.isArray(bias.comparisons) ? bias.comparisons.map(obj) : []) {
    if (c.stage !== 'post_training' || (c.metric !== 'DPPL' && c.metric !== 'DI')) continue;
    const name = clarifyMetricName(c);
    if (typeof c.live === 'number') metrics.set(name, c.live);
    if (c.violation === true) violatedMetrics.push(name);
  }
  const attribution = obj(summary.attribution);
  for (const l of Array.isArray(attribution.labels) ? attribution.labels.map(obj) : []) {
    if (typeof l.ndcg !== 'number') continue;
    metrics.set(`NDCG ${String(l.label)}`, l.ndcg);
    if (l.violation === true) violatedMetrics.push(`NDCG ${String(l.label)}`);
  }
  const issues = obj(summary.issues);
  const mv = obj(summary.multivariate);
  const multivariate =
    typeof mv.value === 'number' && typeof mv.lower === 'number' && typeof mv.upper === 'number'
      ? { value: mv.value, lower: mv.lower, upper: mv.upper, drift: mv.drift === true }
      : undefined;
  return {
    hour,
    scheduledTime: typeof summary.scheduledTime === 'string' ? summary.scheduledTime : hour,
    status: typeof summary.status === 'string' ? summary.status : 'Unknown',
    violations: num(summary.violations),
    ...(typeof summary.failureReason === 'string' ? { failureReason: summary.failureReason } : {}),
    recordsRead: num(summary.recordsRead),
    problems: num(issues.total),
    features,
    drifted: Array.isArray(summary.driftedFeatures) ? summary.driftedFeatures.map(String) : [],
    ...(multivariate ? { multivariate } : {}),
    metrics,
    estimates,
    violatedMetrics,
  };
}

/** A bias comparison's series name on the dashboard: `<metric> <facet>=<value>`. */
function clarifyMetricName(c: Json): string {
  return `${String(c.metric)} ${String(c.facet)}=${String(c.facetValue)}`;
}

/**
 * The Clarify kinds' thresholds, from the last execution that compared: |DPPL|, |DI| at most the baseline's
 * (bias, §9.6), NDCG at least the threshold (attribution, §9.7).
 */
function clarifyThresholds(summary: Json, view: MonitorView): void {
  for (const c of Array.isArray(obj(summary.bias).comparisons)
    ? (obj(summary.bias).comparisons as unknown[]).map(obj)
    : []) {
    if (c.stage !== 'post_training' || (c.metric !== 'DPPL' && c.metric !== 'DI')) continue;
    if (typeof c.baseline === 'number')
      view.thresholds.set(clarifyMetricName(c), { operator: '|x| ≤', threshold: Math.abs(c.baseline) });
  }
  for (const l of Array.isArray(obj(summary.attribution).labels)
    ? (obj(summary.attribution).labels as unknown[]).map(obj)
    : []) {
    if (typeof l.threshold === 'number')
      view.thresholds.set(`NDCG ${String(l.label)}`, { operator: '≥', threshold: l.threshold });
  }
}

/** `<output>/<endpoint>/<schedule>/`: the prefix of a monitor's hour folders. */
export function monitorPrefix(m: MonitorConfig): string {
  return `${joinUri(m.output, m.endpoint, m.scheduleName ?? m.name)}/`;
}

/** The URI of one hour's file, only for an hour of the accepted shape (else undefined). */
export function hourFileUri(m: MonitorConfig, hour: string, file: 'report.html' | 'execution.json') {
  return HOUR_PATTERN.test(hour) ? joinUri(monitorPrefix(m), hour, file) : undefined;
}

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (t: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function readThresholds(storage: Storage, m: MonitorConfig, view: MonitorView): Promise<void> {
  if (m.type !== 'model-quality') return;
  const uri = joinUri(m.baseline, 'constraints.json');
  try {
    if (!(await storage.head(uri))) return;
    const doc = obj(JSON.parse(await storage.readText(uri)));
    for (const [k, v] of Object.entries(doc))
      if (k.endsWith('_constraints'))
        for (const [metric, c] of Object.entries(obj(v))) {
          const o = obj(c);
          if (typeof o.threshold === 'number')
            view.thresholds.set(metric, {
              operator: String(o.comparison_operator ?? ''),
              threshold: o.threshold,
            });
        }
  } catch (error) {
    view.problems.push(`${uri}: ${(error as Error).message}`);
  }
}

export async function readMonitor(
  storage: Storage,
  m: MonitorConfig,
  options: { last?: number } = {},
): Promise<MonitorView> {
  const view: MonitorView = {
    name: m.name,
    type: m.type,
    endpoint: m.endpoint,
    scheduleName: m.scheduleName ?? m.name,
    executions: [],
    thresholds: new Map(),
    problems: [],
  };
  const prefix = monitorPrefix(m);
  let hours: string[] = [];
  try {
    for await (const o of storage.list(prefix)) {
      // Local listings give resolved paths: the hour is read from the key's end, below the listed prefix.
      const match = /\/(\d{4}\/\d{2}\/\d{2}\/\d{2})\/execution\.json$/.exec(o.uri);
      if (match?.[1] && HOUR_PATTERN.test(match[1])) hours.push(match[1]);
    }
  } catch (error) {
    view.problems.push(`${prefix}: ${(error as Error).message}`);
  }
  hours.sort();
  if (options.last !== undefined && hours.length > options.last) hours = hours.slice(-options.last);
  const points = await mapLimit(hours, CONCURRENCY, async (hour, i) => {
    const uri = joinUri(prefix, hour, 'execution.json');
    try {
      const summary = obj(JSON.parse(await storage.readText(uri)));
      if (i === hours.length - 1) clarifyThresholds(summary, view);
      return executionPoint(hour, summary);
    } catch (error) {
      view.problems.push(`${uri}: ${(error as Error).message}`);
      return undefined;
    }
  });
  view.executions = points.filter((p): p is ExecutionPoint => p !== undefined);
  await readThresholds(storage, m, view);
  return view;
}

/** Endpoint folders under each distinct capture prefix. */
async function capturedEndpoints(storage: Storage, config: MonitorsConfig, problems: string[]) {
  const names = new Set<string>();
  for (const capture of new Set(config.monitors.map((m) => m.capture))) {
    const prefix = capture.endsWith('/') ? capture : `${capture}/`;
    try {
      if (storage.listFolders) for await (const f of storage.listFolders(prefix)) names.add(f);
    } catch (error) {
      problems.push(`${prefix}: ${(error as Error).message}`);
    }
  }
  return [...names].sort();
}

export async function readDashboard(
  storage: Storage,
  config: MonitorsConfig,
  options: { last?: number } = {},
): Promise<DashboardData> {
  const problems: string[] = [];
  const monitors: MonitorView[] = [];
  for (const m of config.monitors) monitors.push(await readMonitor(storage, m, options));
  return { monitors, capturedEndpoints: await capturedEndpoints(storage, config, problems), problems };
}
