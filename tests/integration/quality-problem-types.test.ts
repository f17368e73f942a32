/**
 * Model-quality executions for regression (JSON outputs) and multiclass (CSV outputs) on local storage,
 * with untrusted input mixed in: every bad line is counted, nothing crashes, the metrics match the
 * records that could be used.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderModelQualityConstraints } from '../../src/baseline/model-quality-files.js';
import { hourPath } from '../../src/core/hours.js';
import { silentLogger } from '../../src/core/log.js';
import { createStorage, joinUri } from '../../src/io/storage.js';
import { regressionMetrics } from '../../src/metrics/quality/regression.js';
import { type ModelQualityDetails, runModelQualityExecution } from '../../src/monitor/model-quality.js';
import type { ModelQualityJob } from '../../src/monitor/model-quality-job.js';

const T0 = new Date('2025-06-01T10:00:00Z');
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function capture(
  eventId: string,
  output: { data: string; encoding: string; type: string },
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    captureData: {
      endpointOutput: {
        observedContentType: output.type,
        mode: 'OUTPUT',
        data: output.data,
        encoding: output.encoding,
      },
    },
    eventMetadata: { eventId, inferenceTime: iso(new Date(T0.getTime() + 60_000)), ...extra },
    eventVersion: '0',
  });
}

const label = (eventId: string, data: string) =>
  JSON.stringify({
    groundTruthData: { data, encoding: 'CSV' },
    eventMetadata: { eventId },
    eventVersion: '0',
  });

describe('model-quality executions by problem type', () => {
  const storage = createStorage();
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dw-mq-types-'));
  });
  afterAll(async () => {
    storage.destroy();
    await rm(root, { recursive: true, force: true });
  });

  const job = (name: string, extra: Partial<ModelQualityJob>): ModelQualityJob => ({
    monitorName: name,
    endpoint: name,
    captureUri: join(root, 'capture'),
    groundTruthUri: join(root, 'gt', name),
    baselineUri: join(root, 'baseline', name),
    outputUri: join(root, 'out'),
    scheduleName: 's',
    windowStart: T0.toISOString(),
    windowEnd: new Date(T0.getTime() + 3_600_000).toISOString(),
    scheduledTime: new Date(T0.getTime() + 5 * 3_600_000).toISOString(),
    cloudwatch: false,
    problemType: 'Regression',
    ...extra,
  });

  it('regression from JSON outputs, joined by inferenceId when present', async () => {
    const predicted = [3.2, 1.0, 5.5, 2.25, 4.0];
    const actual = [3.0, 1.5, 5.0, 2.0, 4.5];
    const lines = predicted.map((p, i) =>
      capture(
        `ev-${i}`,
        { data: JSON.stringify({ predictions: [{ value: p }] }), encoding: 'JSON', type: 'application/json' },
        i % 2 === 0 ? { inferenceId: `inf-${i}` } : {},
      ),
    );
    lines.push(
      '{not json',
      capture('ev-bad', {
        data: '{"predictions":[{"value":"n/a"}]}',
        encoding: 'JSON',
        type: 'application/json',
      }),
    );
    lines.push(
      capture('ev-nolabel', {
        data: '{"predictions":[{"value":9}]}',
        encoding: 'JSON',
        type: 'application/json',
      }),
    );
    await storage.write(
      joinUri(join(root, 'capture'), 'reg', 'AllTraffic', hourPath(T0), 'a.jsonl'),
      `${lines.join('\n')}\n`,
    );
    const labels = actual.map((a, i) => label(i % 2 === 0 ? `inf-${i}` : `ev-${i}`, String(a)));
    labels.push(label('ev-0', '99'), label('orphan', '1'), label('ev-bad', '1'), '[]');
    await storage.write(
      joinUri(join(root, 'gt', 'reg'), hourPath(new Date(T0.getTime() + 2 * 3_600_000)), 'l.jsonl'),
      `${labels.join('\n')}\n`,
    );
    await storage.write(
      joinUri(join(root, 'baseline', 'reg'), 'constraints.json'),
      renderModelQualityConstraints(
        'Regression',
        new Map([['mae', { threshold: 0.2, comparison_operator: 'GreaterThanThreshold' }]]),
      ),
    );

    const summary = await runModelQualityExecution(
      job('reg', { inferenceAttribute: 'predictions[0].value' }),
      { storage, logger: silentLogger },
    );
    const d = summary.modelQuality as ModelQualityDetails;
    // Keys: inf-0, ev-1, inf-2, ev-3, inf-4, ev-bad, ev-nolabel. The label for "ev-0" is an orphan: that
    // record carries inferenceId inf-0, which wins.
    expect(d.join).toMatchObject({
      predictions: 7,
      labels: 8,
      matched: 6,
      unmatchedPredictions: 1,
      orphanLabels: 2,
      unmatchedSamples: ['ev-nolabel'],
    });
    expect(summary.issues.counts).toEqual({
      invalid_ground_truth: 1,
      invalid_json: 1,
      invalid_prediction: 1,
    });
    expect(d.itemCount).toBe(5);
    const expected = regressionMetrics(Float64Array.from(predicted), Float64Array.from(actual));
    expect(d.metrics.mae).toBeCloseTo(expected.mae, 12);
    expect(d.metrics.r2).toBeCloseTo(expected.r2, 12);
    expect(summary.status).toBe('CompletedWithViolations');
    expect(d.violatedMetrics).toEqual(['mae']);
    expect(d.estimated).toBeUndefined();
  });

  it('multiclass from CSV outputs (label column), classes in label order', async () => {
    const rows: Array<[string, string]> = [
      ['cat', 'cat'],
      ['dog', 'cat'],
      ['dog', 'dog'],
      ['bird', 'dog'],
      ['bird', 'bird'],
      ['cat', 'cat'],
    ];
    const lines = rows.map(([pred], i) =>
      capture(`m-${i}`, { data: `${pred},0.9`, encoding: 'CSV', type: 'text/csv' }),
    );
    lines.push(capture('m-multi', { data: 'cat,0.9\ndog,0.8', encoding: 'CSV', type: 'text/csv' }));
    lines.push(
      JSON.stringify({
        captureData: {
          endpointInput: { data: '1', encoding: 'CSV', mode: 'INPUT', observedContentType: 'text/csv' },
        },
        eventMetadata: { eventId: 'in-only', inferenceTime: iso(T0) },
      }),
    );
    await storage.write(
      joinUri(join(root, 'capture'), 'mc', 'AllTraffic', hourPath(T0), 'a.jsonl'),
      `${lines.join('\n')}\n`,
    );
    const labels = rows.map(([, truth], i) => label(`m-${i}`, truth));
    await storage.write(
      joinUri(join(root, 'gt', 'mc'), hourPath(new Date(T0.getTime() + 3_600_000)), 'l.jsonl'),
      `${labels.join('\n')}\n`,
    );
    await storage.write(
      joinUri(join(root, 'baseline', 'mc'), 'constraints.json'),
      renderModelQualityConstraints(
        'MulticlassClassification',
        new Map([['accuracy', { threshold: 0.5, comparison_operator: 'LessThanThreshold' }]]),
      ),
    );
    const summary = await runModelQualityExecution(
      job('mc', { problemType: 'MulticlassClassification', inferenceAttribute: '0' }),
      { storage, logger: silentLogger },
    );
    const d = summary.modelQuality as ModelQualityDetails;
    expect(summary.status).toBe('Completed');
    expect(summary.issues.counts).toEqual({ missing_output: 1, multi_row_output: 1 });
    expect(d.join).toMatchObject({ predictions: 6, matched: 6 });
    expect(d.metrics.accuracy).toBeCloseTo(4 / 6, 12);
    const stats = JSON.parse(await storage.readText(joinUri(summary.reportUri, 'statistics.json')));
    expect(Object.keys(stats.multiclass_classification_metrics.confusion_matrix)).toEqual([
      'bird',
      'cat',
      'dog',
    ]);
    // Outer key = actual label: the dogs were predicted once dog and once bird.
    const cm = stats.multiclass_classification_metrics.confusion_matrix;
    expect(cm.dog).toEqual({ bird: 1, cat: 0, dog: 1 });
    expect(cm.cat).toEqual({ bird: 0, cat: 2, dog: 1 });
    expect(cm.bird).toEqual({ bird: 1, cat: 0, dog: 0 });
    expect(
      JSON.parse(await storage.readText(joinUri(summary.reportUri, 'constraint_violations.json'))),
    ).toEqual({ violations: [] });
  });

  it('fails clearly when labels exist but none matches, and when the baseline is for another problem type', async () => {
    await storage.write(
      joinUri(join(root, 'capture'), 'nm', 'AllTraffic', hourPath(T0), 'a.jsonl'),
      `${capture('x-1', { data: '0.4', encoding: 'CSV', type: 'text/csv' })}\n`,
    );
    await storage.write(
      joinUri(join(root, 'gt', 'nm'), hourPath(T0), 'l.jsonl'),
      `${label('someone-else', '1')}\n`,
    );
    await storage.write(
      joinUri(join(root, 'baseline', 'nm'), 'constraints.json'),
      renderModelQualityConstraints(
        'BinaryClassification',
        new Map([['f1', { threshold: 0.5, comparison_operator: 'LessThanThreshold' }]]),
      ),
    );
    const summary = await runModelQualityExecution(job('nm', { problemType: 'BinaryClassification' }), {
      storage,
      logger: silentLogger,
    });
    expect(summary.status).toBe('Failed');
    expect(summary.message).toMatch(
      /^Failed: No ground truth to merge: none of 1 labels in .* matches the 1 predictions of the window \(join key: inferenceId, else eventId\)\.$/,
    );
    await expect(
      runModelQualityExecution(job('nm', { problemType: 'Regression', scheduleName: 'other' }), {
        storage,
        logger: silentLogger,
      }),
    ).rejects.toThrow(/the baseline is for BinaryClassification, the monitor for Regression/);
  });
});
