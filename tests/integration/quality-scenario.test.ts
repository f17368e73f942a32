/**
 * "Done when" #2 and #3 of the model-quality issue, on local storage: generated traffic whose model
 * degrades half-way through, labels arriving a day late.
 * - Before labels exist: executions fail with a clear "no ground truth" reason, yet the CBPE estimate of
 *   F1 is written and drops in the degraded hours.
 * - Once labels exist (the same windows shifted back by -P1D): realised F1 violations fire in the degraded
 *   hours only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelQualityBaseline } from '../../src/baseline/model-quality.js';
import {
  parseModelQualityConstraints,
  renderModelQualityConstraints,
} from '../../src/baseline/model-quality-files.js';
import { silentLogger } from '../../src/core/log.js';
import { createStorage, joinUri } from '../../src/io/storage.js';
import { type ModelQualityDetails, runModelQualityExecution } from '../../src/monitor/model-quality.js';
import type { ModelQualityJob } from '../../src/monitor/model-quality-job.js';
import {
  baselineCsv,
  type TrafficRecord,
  writeCapture,
  writeGroundTruth,
} from '../fixtures/quality/traffic.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = new Date('2026-01-05T00:00:00Z');
const HOURS = 6;
const DEGRADE_FROM = 3;

describe('model quality with late labels and a degrading model', () => {
  const storage = createStorage();
  let root: string;
  let byHour: TrafficRecord[][];

  const job = (hour: number, scheduled: Date, extra: Partial<ModelQualityJob> = {}): ModelQualityJob => ({
    monitorName: 'mq',
    endpoint: 'churn',
    captureUri: join(root, 'capture'),
    groundTruthUri: join(root, 'ground-truth'),
    baselineUri: join(root, 'baseline'),
    outputUri: join(root, 'reports'),
    scheduleName: 'mq-hourly',
    windowStart: new Date(START.getTime() + hour * HOUR).toISOString(),
    windowEnd: new Date(START.getTime() + (hour + 1) * HOUR).toISOString(),
    scheduledTime: scheduled.toISOString(),
    cloudwatch: false,
    problemType: 'BinaryClassification',
    probabilityAttribute: '0',
    probabilityThresholdAttribute: 0.5,
    ...extra,
  });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dw-quality-'));
    await storage.write(join(root, 'validation.csv'), baselineCsv(3000));
    const baseline = await buildModelQualityBaseline(storage, {
      dataset: join(root, 'validation.csv'),
      out: join(root, 'baseline'),
      problemType: 'BinaryClassification',
      groundTruthAttribute: 'label',
      probabilityAttribute: 'probability',
      probabilityThreshold: 0.5,
    });
    expect(baseline.calibrationUri).toBeDefined();
    // As users do with SageMaker's "aggressive" suggestions: give f1 some slack, keep only f1.
    const constraintsUri = joinUri(join(root, 'baseline'), 'constraints.json');
    const parsed = parseModelQualityConstraints(await storage.readText(constraintsUri), constraintsUri);
    const f1 = parsed.constraints.get('f1');
    expect(f1?.comparison_operator).toBe('LessThanThreshold');
    await storage.write(
      constraintsUri,
      renderModelQualityConstraints(
        'BinaryClassification',
        new Map([
          ['f1', { threshold: (f1?.threshold ?? 0) - 0.1, comparison_operator: 'LessThanThreshold' }],
        ]),
      ),
    );
    byHour = await writeCapture({
      storage,
      captureUri: join(root, 'capture'),
      groundTruthUri: join(root, 'ground-truth'),
      endpoint: 'churn',
      start: START,
      hours: HOURS,
      perHour: 400,
      degradeFromHour: DEGRADE_FROM,
    });
  });

  afterAll(async () => {
    storage.destroy();
    await rm(root, { recursive: true, force: true });
  });

  it('estimates F1 before labels exist, fails clearly without ground truth, then flags realised violations', async () => {
    // Hour by hour, right after each hour: no labels yet.
    const estimatedF1: number[] = [];
    for (let h = 0; h < HOURS; h++) {
      const summary = await runModelQualityExecution(job(h, new Date(START.getTime() + (h + 1) * HOUR)), {
        storage,
        logger: silentLogger,
      });
      expect(summary.status).toBe('Failed');
      expect(summary.failureReason).toMatch(
        /^No ground truth to merge: no ground-truth objects in .*ground-truth .*400 predictions wait for labels\.$/,
      );
      const details = summary.modelQuality as ModelQualityDetails;
      expect(details.join).toMatchObject({
        predictions: 400,
        labels: 0,
        matched: 0,
        unmatchedPredictions: 400,
      });
      const f1 = details.estimated?.estimate.metrics.f1;
      expect(f1?.lower).toBeLessThanOrEqual(f1?.value as number);
      estimatedF1.push(f1?.value as number);
      // The estimate is also in the report folder.
      const doc = JSON.parse(await storage.readText(joinUri(summary.reportUri, 'estimated_metrics.json')));
      expect(doc.analysis_window.estimate.metrics.f1.value).toBe(f1?.value);
      expect(await storage.head(joinUri(summary.reportUri, 'statistics.json'))).toBeUndefined();
    }
    const healthy = estimatedF1.slice(0, DEGRADE_FROM);
    const degraded = estimatedF1.slice(DEGRADE_FROM);
    expect(Math.min(...healthy)).toBeGreaterThan(0.75);
    expect(Math.max(...degraded)).toBeLessThan(Math.min(...healthy) - 0.15);

    // A day later the labels arrive, each in the hour folder it was collected in.
    for (let h = 0; h < HOURS; h++) {
      await writeGroundTruth(
        storage,
        join(root, 'ground-truth'),
        new Date(START.getTime() + h * HOUR + DAY + 30 * 60_000),
        byHour[h] as TrafficRecord[],
      );
    }
    // The -P1D offset schedule: the run at hour h + 1 day evaluates hour h, and estimates the latest hour.
    const realisedF1: number[] = [];
    for (let h = 0; h < HOURS; h++) {
      const scheduled = new Date(START.getTime() + (h + 2) * HOUR + DAY);
      const summary = await runModelQualityExecution(
        job(h, scheduled, {
          scheduleName: 'mq-offset',
          estimationWindowStart: new Date(START.getTime() + h * HOUR).toISOString(),
          estimationWindowEnd: new Date(START.getTime() + (h + 1) * HOUR).toISOString(),
        }),
        { storage, logger: silentLogger },
      );
      const details = summary.modelQuality as ModelQualityDetails;
      expect(details.join).toMatchObject({
        predictions: 400,
        matched: 400,
        unmatchedPredictions: 0,
        duplicateLabels: 0,
      });
      // Folders from the window start to the run hold the labels of other hours' predictions too
      // (all hours collected up to hour h + 1 + 1 day).
      expect(details.join.labels).toBe(400 * Math.min(h + 2, HOURS));
      expect(details.join.orphanLabels).toBe(details.join.labels - 400);
      expect(summary.status).toBe(h >= DEGRADE_FROM ? 'CompletedWithViolations' : 'Completed');
      expect(details.violatedMetrics).toEqual(h >= DEGRADE_FROM ? ['f1'] : []);
      realisedF1.push(details.metrics.f1 as number);
      // Estimated beside realised: the estimate of a healthy hour is close to what happened.
      const est = details.estimated?.estimate.metrics.f1;
      if (h < DEGRADE_FROM)
        expect(Math.abs((est?.value as number) - (details.metrics.f1 as number))).toBeLessThan(0.08);
      const violations = JSON.parse(
        await storage.readText(joinUri(summary.reportUri, 'constraint_violations.json')),
      );
      expect(violations.violations.length).toBe(h >= DEGRADE_FROM ? 1 : 0);
      const stats = JSON.parse(await storage.readText(joinUri(summary.reportUri, 'statistics.json')));
      expect(stats.dataset.item_count).toBe(400);
      expect(stats.binary_classification_metrics.f1.value).toBeCloseTo(details.metrics.f1 as number, 12);
      expect(details.estimatedRecent?.windowStart).toBe(new Date(START.getTime() + h * HOUR).toISOString());
    }
    expect(Math.max(...realisedF1.slice(DEGRADE_FROM))).toBeLessThan(
      Math.min(...realisedF1.slice(0, DEGRADE_FROM)),
    );
  });

  it('stops on an aborted signal without writing execution.json', async () => {
    const j = job(1, new Date(START.getTime() + 2 * HOUR), { scheduleName: 'mq-aborted' });
    await expect(
      runModelQualityExecution(j, { storage, logger: silentLogger, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({
      code: 'E_ABORTED',
    });
    expect(await storage.head(join(root, 'reports', 'churn', 'mq-aborted'))).toBeUndefined();
  });

  it('returns the stored execution on a rerun (exactly once)', async () => {
    const j = job(0, new Date(START.getTime() + HOUR));
    const first = await runModelQualityExecution(j, { storage, logger: silentLogger });
    const again = await runModelQualityExecution(j, { storage, logger: silentLogger });
    expect(again).toEqual(first);
  });
});
