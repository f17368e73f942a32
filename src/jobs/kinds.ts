/**
 * What the worker can run: one monitor kind (monitor/execution.ts) per monitor `type`. Adding a kind is
 * one line here, its payload in payloads.ts (`KindPayload`) and its `MonitorKind` under monitor/.
 */
import type { MonitorType } from '../config/monitors.js';
import { attributionKind } from '../monitor/attribution.js';
import { biasKind } from '../monitor/bias.js';
import { dataQualityKind } from '../monitor/data-quality.js';
import type { AnyMonitorKind } from '../monitor/execution.js';
import { modelQualityKind } from '../monitor/model-quality.js';

export type ExecutionKinds = Partial<Record<MonitorType, AnyMonitorKind>>;

export const executionKinds = {
  'data-quality': dataQualityKind,
  'model-quality': modelQualityKind,
  bias: biasKind,
  attribution: attributionKind,
} as const satisfies ExecutionKinds;
