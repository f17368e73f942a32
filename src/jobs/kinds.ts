/**
 * What the worker can run: one monitor kind (monitor/execution.ts) per monitor `type`. Adding a kind is
 * one line here, its payload in payloads.ts (`KindPayload`) and its `MonitorKind` under monitor/.
 *
 * Each kind is a loader: its execution code (profiling, checks, reports, its SDKs) is imported when a job
 * of that kind first arrives, not at the worker's start, so a worker that replaces a dead one takes its
 * jobs sooner and loads only the kinds it runs. `import()` keeps each module once: later jobs of the kind
 * get the same object at once.
 */
import type { MonitorType } from '../config/monitors.js';
import type { AnyMonitorKind } from '../monitor/execution.js';

/** Loads a monitor kind's execution code. */
export type LoadMonitorKind = () => Promise<AnyMonitorKind>;

export type ExecutionKinds = Partial<Record<MonitorType, LoadMonitorKind>>;

export const executionKinds = {
  'data-quality': async () => (await import('../monitor/data-quality.js')).dataQualityKind,
  'model-quality': async () => (await import('../monitor/model-quality.js')).modelQualityKind,
  bias: async () => (await import('../monitor/bias.js')).biasKind,
  attribution: async () => (await import('../monitor/attribution.js')).attributionKind,
} as const satisfies ExecutionKinds;
