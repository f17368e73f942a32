/**
 * Model-quality inputs: ground-truth records, prediction extraction, the bounded join, the collectors,
 * and SageMaker's own sample capture/actuals pair (../shared, when present).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  groundTruthFolders,
  parseGroundTruthLine,
  readGroundTruthRecords,
} from '../../src/capture/ground-truth.js';
import { fnv1a, PartitionedJoin, type StoredPrediction } from '../../src/capture/ground-truth-join.js';
import {
  binaryPrediction,
  normalizeLabel,
  PredictionExtractor,
  type PredictionSettings,
} from '../../src/capture/predictions.js';
import { compareLabels, QualityCollector } from '../../src/capture/quality-collectors.js';
import type { CapturePayload } from '../../src/capture/records.js';
import { parseCaptureLine } from '../../src/capture/records.js';
import { ConfigError } from '../../src/core/errors.js';
import { IssueLog } from '../../src/core/issues.js';
import { LocalStorage } from '../../src/io/local-storage.js';
import { computeModelQualityMetrics } from '../../src/metrics/quality/statistics.js';

const where = { source: 'test', line: 1 };
const csv = (data: string): CapturePayload => ({
  data,
  encoding: 'CSV',
  contentType: 'text/csv',
  mode: 'OUTPUT',
});
const json = (data: string): CapturePayload => ({
  data,
  encoding: 'JSON',
  contentType: 'application/json',
  mode: 'OUTPUT',
});

describe('ground-truth records', () => {
  it('reads the documented record, SDK actuals and the notebook style with spaces', () => {
    const issues = new IssueLog();
    const lines = [
      '{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"order-77812"},"eventVersion":"0"}',
      '{"groundTruthData":{"data":"0","encoding":"CSV"},"eventMetadata":{"eventId":"74b0dd56","inferenceTime":"{%s}"},"eventVersion":"0"}',
      '{"groundTruthData": {"data": "37.5", "encoding": "CSV"}, "eventMetadata": {"eventId": "01d3"}, "eventVersion": "0"}',
      '{"eventMetadata":{"eventId":"q","inferenceTime":"2024-05-02T07:31:12Z"},"groundTruthData":{"data":"\\"cat, big\\"","encoding":"CSV"}}',
      '{"groundTruthData":{"data":"\\"dog\\"","encoding":"JSON"},"eventMetadata":{"eventId":"j"}}',
      '{"groundTruthData":{"data":7,"encoding":"CSV"},"eventMetadata":{"eventId":"__proto__"}}',
    ];
    const records = lines.map((l, i) => parseGroundTruthLine(l, 'gt.jsonl', i + 1, issues));
    expect(issues.total).toBe(0);
    expect(records.map((r) => [r?.eventId, r?.label])).toEqual([
      ['order-77812', '1'],
      ['74b0dd56', '0'],
      ['01d3', '37.5'],
      ['q', 'cat, big'],
      ['j', 'dog'],
      ['__proto__', '7'],
    ]);
    expect(records[1]?.inferenceTime).toBeUndefined();
    expect(records[3]?.inferenceTime?.toISOString()).toBe('2024-05-02T07:31:12.000Z');
  });

  it('counts every unusable line by kind and never throws', () => {
    const issues = new IssueLog();
    const bad = [
      'not json',
      '[1,2]',
      '{"groundTruthData":{"data":"1"}}',
      '{"groundTruthData":{"data":"1,0","encoding":"CSV"},"eventMetadata":{"eventId":"a"}}',
      '{"groundTruthData":{"data":"  ","encoding":"CSV"},"eventMetadata":{"eventId":"b"}}',
      '{"groundTruthData":{"data":"x","encoding":"BASE64"},"eventMetadata":{"eventId":"c"}}',
      '{"groundTruthData":{"data":"{\\"a\\":1}","encoding":"JSON"},"eventMetadata":{"eventId":"d"}}',
      '{"groundTruthData":{"data":{"x":1}},"eventMetadata":{"eventId":"e"}}',
      '{"groundTruthData":{"data":"1"},"eventMetadata":{"eventId":""}}',
    ];
    for (const [i, l] of bad.entries()) expect(parseGroundTruthLine(l, 'gt', i + 1, issues)).toBeUndefined();
    expect(issues.toJSON().counts).toEqual({ invalid_ground_truth: 7, invalid_json: 1, missing_label: 1 });
  });

  it('streams an object, counting too-long lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dw-gt-'));
    try {
      const file = join(dir, 'x.jsonl');
      const good = '{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"k1"}}';
      await writeFile(
        file,
        `${good}\n{"groundTruthData":{"data":"${'9'.repeat(300)}"}}\n\n${good.replace('k1', 'k2')}`,
      );
      const issues = new IssueLog();
      const out = [];
      for await (const r of readGroundTruthRecords(new LocalStorage(), file, { issues, maxLineBytes: 200 }))
        out.push(r.eventId);
      expect(out).toEqual(['k1', 'k2']);
      expect(issues.toJSON().counts).toEqual({ line_too_long: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads label folders from the window start up to the execution, at least to the window end', () => {
    const w = { start: new Date('2024-05-01T10:00Z'), end: new Date('2024-05-01T11:00Z') };
    expect(groundTruthFolders(w, new Date('2024-05-02T12:00Z')).end.toISOString()).toBe(
      '2024-05-02T12:00:00.000Z',
    );
    expect(groundTruthFolders(w, new Date('2024-05-01T10:30Z')).end).toEqual(w.end);
  });
});

describe('prediction extraction', () => {
  const binary: PredictionSettings = { problemType: 'BinaryClassification' };

  it('takes CSV columns by index and a lone CSV value as a probability or a label', () => {
    const issues = new IssueLog();
    const byIndex = new PredictionExtractor({
      ...binary,
      inferenceAttribute: '1',
      probabilityAttribute: '0',
    });
    expect(byIndex.extract(csv('0.83,1\n'), issues, where)).toEqual({ label: '1', score: 0.83 });
    const lone = new PredictionExtractor(binary);
    expect(lone.extract(csv('0.302709460258'), issues, where)).toEqual({
      label: undefined,
      score: 0.302709460258,
    });
    expect(lone.extract(csv('1'), issues, where)).toEqual({ label: '1', score: undefined });
    const regression = new PredictionExtractor({ problemType: 'Regression' });
    expect(regression.extract(csv('37.5'), issues, where)).toEqual({ label: '37.5', score: undefined });
    expect(issues.total).toBe(0);
  });

  it('takes JSON attributes by simple path, JMESPath or array index', () => {
    const issues = new IssueLog();
    const simple = new PredictionExtractor({
      ...binary,
      probabilityAttribute: 'predictions[0].score',
      inferenceAttribute: 'predictions[0].label',
    });
    expect(simple.extract(json('{"predictions":[{"score":0.9,"label":1}]}'), issues, where)).toEqual({
      label: '1',
      score: 0.9,
    });
    const jmes = new PredictionExtractor({
      problemType: 'MulticlassClassification',
      inferenceAttribute: 'max_by(classes, &p).name',
    });
    expect(
      jmes.extract(json('{"classes":[{"name":"cat","p":0.2},{"name":"dog","p":0.7}]}'), issues, where),
    ).toEqual({ label: 'dog', score: undefined });
    const index = new PredictionExtractor({ ...binary, probabilityAttribute: '1' });
    expect(index.extract(json('[0.1, 0.9]'), issues, where)).toEqual({ label: undefined, score: 0.9 });
    const base64Json: CapturePayload = {
      data: '{"score": 0.4}',
      encoding: 'BASE64',
      contentType: 'application/json',
      mode: 'OUTPUT',
    };
    expect(
      new PredictionExtractor({ ...binary, probabilityAttribute: 'score' }).extract(
        base64Json,
        issues,
        where,
      ),
    ).toEqual({ label: undefined, score: 0.4 });
    expect(issues.total).toBe(0);
  });

  it('names a bad JMESPath expression as a config error', () => {
    expect(() => new PredictionExtractor({ ...binary, probabilityAttribute: 'a[?' })).toThrow(ConfigError);
  });

  it('counts unusable outputs by kind', () => {
    const issues = new IssueLog();
    const x = new PredictionExtractor({ ...binary, probabilityAttribute: 'score' });
    expect(x.extract(undefined, issues, where)).toBeUndefined();
    expect(x.extract(json('{"score":"high"}'), issues, where)).toBeUndefined();
    expect(x.extract(json('{"other":1}'), issues, where)).toBeUndefined();
    expect(x.extract(json('not json'), issues, where)).toBeUndefined();
    const c = new PredictionExtractor(binary);
    expect(c.extract(csv('0.1\n0.2\n'), issues, where)).toBeUndefined();
    expect(c.extract(csv('0.1,0.2'), issues, where)).toBeUndefined();
    expect(
      new PredictionExtractor({ ...binary, probabilityAttribute: 'score' }).extract(
        csv('0.3'),
        issues,
        where,
      ),
    ).toBeUndefined();
    const binaryBytes: CapturePayload = {
      data: '',
      encoding: 'BASE64',
      contentType: 'image/png',
      mode: 'OUTPUT',
      bytes: new Uint8Array([1]),
    };
    expect(c.extract(binaryBytes, issues, where)).toBeUndefined();
    expect(issues.toJSON().counts).toEqual({
      invalid_prediction: 2,
      invalid_probability: 1,
      missing_attribute: 3,
      missing_output: 1,
      multi_row_output: 1,
    });
  });

  it('thresholds a probability strictly (score > threshold is positive) and checks labels', () => {
    const issues = new IssueLog();
    const s = { ...binary, probabilityThreshold: 0.7 };
    expect(binaryPrediction({ label: undefined, score: 0.7 }, s, issues, where)).toEqual({
      predicted: 0,
      score: 0.7,
    });
    expect(binaryPrediction({ label: undefined, score: 0.71 }, s, issues, where)).toEqual({
      predicted: 1,
      score: 0.71,
    });
    expect(binaryPrediction({ label: '1.0', score: undefined }, s, issues, where)).toEqual({
      predicted: 1,
      score: 1,
    });
    expect(binaryPrediction({ label: '0', score: 0.9 }, s, issues, where)).toEqual({
      predicted: 0,
      score: 0.9,
    });
    expect(binaryPrediction({ label: 'yes', score: 0.9 }, s, issues, where)).toBeUndefined();
    expect(issues.toJSON().counts).toEqual({ unknown_label: 1 });
  });
});

describe('collectors', () => {
  it('normalises labels and orders classes numerically, then by code point', () => {
    expect(normalizeLabel(' 1.0 ')).toBe('1');
    expect(normalizeLabel('+2e0')).toBe('2');
    expect(normalizeLabel('cat')).toBe('cat');
    expect(['10', 'b', '2', 'a', '-1'].sort(compareLabels)).toEqual(['-1', '2', '10', 'a', 'b']);
  });

  it('collects multiclass pairs with classes in label order and caps the class count', () => {
    const issues = new IssueLog();
    const c = new QualityCollector({ problemType: 'MulticlassClassification', maxClasses: 3 }, issues);
    const p = (label: string): StoredPrediction => ({ label, score: undefined });
    expect(c.add(p('b'), '10', where)).toBe(true);
    expect(c.add(p('2'), 'b', where)).toBe(true);
    expect(c.add(p('2.0'), '10', where)).toBe(true);
    expect(c.add(p('z'), 'b', where)).toBe(false);
    expect(c.add({ label: undefined, score: 0.5 }, 'b', where)).toBe(false);
    const data = c.finish();
    expect(data.problemType === 'MulticlassClassification' && data.classes).toEqual(['2', '10', 'b']);
    if (data.problemType !== 'MulticlassClassification') throw new Error('unreachable');
    expect(Array.from(data.actual)).toEqual([1, 2, 1]);
    expect(Array.from(data.predicted)).toEqual([2, 0, 0]);
    expect(issues.toJSON().counts).toEqual({ missing_attribute: 1, too_many_classes: 1 });
    const m = computeModelQualityMetrics(data);
    expect((m.section.confusion_matrix as Record<string, Record<string, number>>)['10']?.b).toBe(1);
  });

  it('counts non-numeric regression values and unknown binary labels', () => {
    const issues = new IssueLog();
    const r = new QualityCollector({ problemType: 'Regression' }, issues);
    expect(r.add({ label: '1.5', score: undefined }, '2', where)).toBe(true);
    expect(r.add({ label: 'NaN', score: undefined }, '2', where)).toBe(false);
    expect(r.add({ label: '1', score: undefined }, 'Infinity', where)).toBe(false);
    const b = new QualityCollector(
      { problemType: 'BinaryClassification', positiveLabel: 'yes', negativeLabel: 'no' },
      issues,
    );
    expect(b.add({ label: 'yes', score: 0.8 }, 'no', where)).toBe(true);
    expect(b.add({ label: 'yes', score: 0.8 }, 'maybe', where)).toBe(false);
    expect(issues.toJSON().counts).toEqual({ invalid_label: 1, invalid_prediction: 1, unknown_label: 1 });
  });
});

describe('partitioned join', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dw-join-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function runJoin(
    predictions: Array<[string, string]>,
    labels: Array<[string, string]>,
    options: { partitions: number; joinMemoryBytes: number },
  ) {
    const j = new PartitionedJoin({ ...options, tmpDir: tmp });
    const matched: Array<[string, string, string]> = [];
    try {
      for (const [k, v] of predictions) await j.addPrediction(k, { label: v, score: undefined });
      for (const [k, v] of labels) await j.addLabel(k, v);
      const counts = await j.join((p, label, key) => matched.push([key, p.label as string, label]));
      return { counts, matched };
    } finally {
      await j.close();
    }
  }

  it('matches, counts unmatched, orphans and duplicates (last label wins)', async () => {
    const { counts, matched } = await runJoin(
      [
        ['a', 'p1'],
        ['b', 'p2'],
        ['a', 'p3'],
        ['c', 'p4'],
      ],
      [
        ['a', 'L1'],
        ['b', 'L2'],
        ['b', 'L2b'],
        ['z', 'Lz'],
      ],
      { partitions: 4, joinMemoryBytes: 1 << 20 },
    );
    expect(matched.sort()).toEqual([
      ['a', 'p1', 'L1'],
      ['a', 'p3', 'L1'],
      ['b', 'p2', 'L2b'],
    ]);
    expect(counts).toMatchObject({
      predictions: 4,
      labels: 4,
      matched: 3,
      unmatchedPredictions: 1,
      orphanLabels: 1,
      duplicatePredictions: 1,
      duplicateLabels: 1,
      unmatchedSamples: ['c'],
      spilledPartitions: 0,
    });
  });

  it('gives the same join when spilling to disk as in memory, and removes its files', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 4 })), { maxLength: 200 }),
        fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 4 })), { maxLength: 200 }),
        async (predictions, labels) => {
          const inMemory = await runJoin(predictions, labels, { partitions: 3, joinMemoryBytes: 1 << 24 });
          const spilled = await runJoin(predictions, labels, { partitions: 7, joinMemoryBytes: 64 });
          // The reference: a plain hash join with the last label winning.
          const last = new Map(labels);
          const expected = predictions.filter(([k]) => last.has(k)).map(([k, v]) => [k, v, last.get(k)]);
          const sort = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
          expect(sort(inMemory.matched)).toEqual(sort(expected));
          expect(sort(spilled.matched)).toEqual(sort(expected));
          expect(spilled.counts.unmatchedPredictions).toBe(predictions.length - expected.length);
          expect(spilled.counts.orphanLabels).toBe(inMemory.counts.orphanLabels);
          if (predictions.length + labels.length > 4)
            expect(spilled.counts.spilledPartitions).toBeGreaterThan(0);
        },
      ),
      { seed: 5, numRuns: 60 },
    );
    expect(await readdir(tmp)).toEqual([]);
  });

  it('spreads keys over the buckets', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[fnv1a(`event-${i}`) % 16]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
});

const SAMPLES = join(
  import.meta.dirname,
  '../../../shared/sagemaker-samples/sagemaker-python-sdk/tests/data/monitor',
);
const haveSamples = existsSync(SAMPLES);
if (!haveSamples)
  console.warn(`notice: ${SAMPLES} not found; the SageMaker capture/actuals check does nothing`);

describe('SageMaker SDK sample: capture.jsonl joined with actuals.jsonl', () => {
  it('joins all 44 records by eventId and computes binary metrics from the CSV probability', async () => {
    if (!haveSamples) return;
    const issues = new IssueLog();
    const join_ = new PartitionedJoin({ partitions: 4 });
    const extractor = new PredictionExtractor({ problemType: 'BinaryClassification' });
    const collector = new QualityCollector({ problemType: 'BinaryClassification' }, issues);
    try {
      for (const [i, line] of readFileSync(join(SAMPLES, 'capture.jsonl'), 'utf8').split('\n').entries()) {
        const record = parseCaptureLine(line, 'capture.jsonl', i + 1, issues);
        const prediction = record && extractor.extract(record.output, issues, where);
        if (record && prediction)
          await join_.addPrediction(record.inferenceId ?? (record.eventId as string), prediction);
      }
      for (const [i, line] of readFileSync(join(SAMPLES, 'actuals.jsonl'), 'utf8').split('\n').entries()) {
        const gt = parseGroundTruthLine(line, 'actuals.jsonl', i + 1, issues);
        if (gt) await join_.addLabel(gt.eventId, gt.label);
      }
      const counts = await join_.join((p, label) => collector.add(p, label, where));
      expect(counts).toMatchObject({
        predictions: 44,
        labels: 44,
        matched: 44,
        unmatchedPredictions: 0,
        orphanLabels: 0,
      });
    } finally {
      await join_.close();
    }
    expect(issues.total).toBe(0);
    const m = computeModelQualityMetrics(collector.finish());
    expect(m.itemCount).toBe(44);
    const cm = m.section.confusion_matrix as Record<string, Record<string, number>>;
    expect(
      (cm['0']?.['0'] ?? 0) + (cm['0']?.['1'] ?? 0) + (cm['1']?.['0'] ?? 0) + (cm['1']?.['1'] ?? 0),
    ).toBe(44);
    expect(m.scalars.get('auc')).toBeGreaterThanOrEqual(0);
  });
});
