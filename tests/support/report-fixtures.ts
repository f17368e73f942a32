/**
 * Executions for the report and dashboard tests, on local storage: a day of data-quality hours from the
 * demo's generator (drift from `driftHour`), and binary model-quality hours whose model degrades half-way
 * (labels a day late, CBPE estimate beside the realised metrics), and the two Clarify kinds: bias hours whose
 * female positive prediction rate drops half-way, attribution hours whose two top features swap. Returns
 * where everything went.
 */
import { join } from 'node:path';
import { buildModelQualityBaseline } from '../../src/baseline/model-quality.js';
import { runDemo } from '../../src/cli/commands/demo.js';
import { silentLogger } from '../../src/core/log.js';
import { createStorage } from '../../src/io/storage.js';
import { type AttributionSummary, runAttributionExecution } from '../../src/monitor/attribution.js';
import { type BiasSummary, runBiasExecution } from '../../src/monitor/bias.js';
import { type ModelQualitySummary, runModelQualityExecution } from '../../src/monitor/model-quality.js';
import type { ModelQualityJob } from '../../src/monitor/model-quality-job.js';
import type { DataQualitySummary } from '../../src/monitor/types.js';
import {
  attributionBaselineJson,
  writeAttributionTraffic,
  writeBiasBaseline,
  writeBiasTraffic,
} from '../fixtures/clarify/traffic.js';
import {
  baselineCsv,
  type TrafficRecord,
  writeCapture,
  writeGroundTruth,
} from '../fixtures/quality/traffic.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface DataQualityFixture {
  dir: string;
  summaries: DataQualitySummary[];
  /** Report prefix of every hour, in order. */
  hours: string[];
}

/** The demo's day (24 hourly data-quality executions, drift from hour 12) in `<dir>`. */
export async function dataQualityDay(
  dir: string,
  options: { recordsPerHour?: number; trainingRows?: number } = {},
): Promise<DataQualityFixture> {
  const summaries = await runDemo(
    {
      dir,
      day: '2026-01-15',
      driftHour: 12,
      recordsPerHour: options.recordsPerHour ?? 300,
      trainingRows: options.trainingRows ?? 5000,
    },
    () => {},
  );
  return { dir, summaries, hours: summaries.map((s) => s.reportUri) };
}

export interface ModelQualityFixture {
  root: string;
  summaries: ModelQualitySummary[];
}

/** `hours` binary model-quality executions (labels present; the model degrades from `degradeFromHour`). */
export async function modelQualityHours(
  root: string,
  options: { hours?: number; degradeFromHour?: number; perHour?: number } = {},
): Promise<ModelQualityFixture> {
  const hours = options.hours ?? 4;
  const degradeFromHour = options.degradeFromHour ?? 2;
  const start = new Date('2026-01-15T00:00:00Z');
  const storage = createStorage();
  try {
    await storage.write(join(root, 'validation.csv'), baselineCsv(3000));
    await buildModelQualityBaseline(storage, {
      dataset: join(root, 'validation.csv'),
      out: join(root, 'mq-baseline'),
      problemType: 'BinaryClassification',
      groundTruthAttribute: 'label',
      probabilityAttribute: 'probability',
      probabilityThreshold: 0.5,
    });
    const byHour = await writeCapture({
      storage,
      captureUri: join(root, 'datacapture'),
      groundTruthUri: join(root, 'ground-truth'),
      endpoint: 'churn-endpoint',
      start,
      hours,
      perHour: options.perHour ?? 400,
      degradeFromHour,
    });
    for (let h = 0; h < hours; h++) {
      await writeGroundTruth(
        storage,
        join(root, 'ground-truth'),
        new Date(start.getTime() + h * HOUR + DAY + 30 * 60_000),
        byHour[h] as TrafficRecord[],
      );
    }
    const summaries: ModelQualitySummary[] = [];
    for (let h = 0; h < hours; h++) {
      const job: ModelQualityJob = {
        monitorName: 'churn-model-quality',
        endpoint: 'churn-endpoint',
        captureUri: join(root, 'datacapture'),
        groundTruthUri: join(root, 'ground-truth'),
        baselineUri: join(root, 'mq-baseline'),
        outputUri: join(root, 'mq-reports'),
        scheduleName: 'churn-model-quality',
        windowStart: new Date(start.getTime() + h * HOUR).toISOString(),
        windowEnd: new Date(start.getTime() + (h + 1) * HOUR).toISOString(),
        scheduledTime: new Date(start.getTime() + (h + 1) * HOUR + DAY).toISOString(),
        cloudwatch: false,
        problemType: 'BinaryClassification',
        probabilityAttribute: '0',
        probabilityThresholdAttribute: 0.5,
      };
      summaries.push(await runModelQualityExecution(job, { storage, logger: silentLogger }));
    }
    return { root, summaries };
  } finally {
    storage.destroy();
  }
}

export interface ClarifyFixture {
  root: string;
  /** The endpoint both monitors watch. */
  endpoint: string;
  bias: BiasSummary[];
  /** Hour 0 of `credit-bias` evaluated before its labels came (scheduled 00:30): Failed, the first execution. */
  biasWithoutLabels: BiasSummary;
  attribution: AttributionSummary[];
}

/**
 * Under `<root>`: monitor `credit-bias` (`bias` hours, the female positive prediction rate drops from
 * `degradedFrom`: DPPL/DI violations; labels an hour late, each hour evaluated two hours after its start, and
 * hour 0 once before its labels came: Failed)
 * and monitor `credit-attribution` (`attribution` hours, income and age swap importance from `shiftedFrom`),
 * both of endpoint `credit`, reports in `<root>/bias-reports` and `<root>/attribution-reports`.
 */
export async function clarifyHours(
  root: string,
  options: { bias?: number; degradedFrom?: number; attribution?: number; shiftedFrom?: number } = {},
): Promise<ClarifyFixture> {
  const start = new Date('2026-01-15T00:00:00Z');
  const endpoint = 'credit';
  const biasHours = options.bias ?? 6;
  const attributionHours = options.attribution ?? 4;
  const storage = createStorage();
  const job = (name: string, h: number, after: number) => ({
    monitorName: name,
    endpoint,
    scheduleName: name,
    windowStart: new Date(start.getTime() + h * HOUR).toISOString(),
    windowEnd: new Date(start.getTime() + (h + 1) * HOUR).toISOString(),
    scheduledTime: new Date(start.getTime() + (h + after) * HOUR).toISOString(),
    cloudwatch: false,
  });
  try {
    const configUri = join(await writeBiasBaseline(storage, root), 'analysis_config.json');
    const degradedFrom = options.degradedFrom ?? 3;
    await writeBiasTraffic({
      storage,
      captureUri: join(root, 'bias-capture'),
      groundTruthUri: join(root, 'ground-truth'),
      endpoint,
      start,
      hours: biasHours,
      perHour: 160,
      degraded: (h) => h >= degradedFrom,
      labelDelayHours: 1,
    });
    const biasJob = (h: number, after: number) => ({
      ...job('credit-bias', h, after),
      captureUri: join(root, 'bias-capture'),
      baselineUri: join(root, 'bias-baseline'),
      outputUri: join(root, 'bias-reports'),
      groundTruthUri: join(root, 'ground-truth'),
      analysisConfigUri: configUri,
      probabilityAttribute: '0',
    });
    const biasWithoutLabels = await runBiasExecution(biasJob(0, 0.5), { storage, logger: silentLogger });
    const bias: BiasSummary[] = [];
    for (let h = 0; h < biasHours; h++)
      bias.push(await runBiasExecution(biasJob(h, 2), { storage, logger: silentLogger }));
    await storage.write(join(root, 'attribution-baseline', 'analysis.json'), attributionBaselineJson());
    const shiftedFrom = options.shiftedFrom ?? 2;
    await writeAttributionTraffic({
      storage,
      captureUri: join(root, 'attribution-capture'),
      endpoint,
      start,
      hours: attributionHours,
      perHour: 120,
      shifted: (h) => h >= shiftedFrom,
    });
    const attribution: AttributionSummary[] = [];
    for (let h = 0; h < attributionHours; h++) {
      attribution.push(
        await runAttributionExecution(
          {
            ...job('credit-attribution', h, 1),
            captureUri: join(root, 'attribution-capture'),
            baselineUri: join(root, 'attribution-baseline'),
            outputUri: join(root, 'attribution-reports'),
          },
          { storage, logger: silentLogger },
        ),
      );
    }
    return { root, endpoint, bias, biasWithoutLabels, attribution };
  } finally {
    storage.destroy();
  }
}
