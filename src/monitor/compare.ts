import { IssueLog, type IssueLogJSON } from '../core/issues.js';
import type { Cell } from '../core/types.js';
import { openDataset, type PlainRowTaker } from '../io/datasets/index.js';
import type { DatasetFormat } from '../io/datasets/objects.js';
import type { Storage } from '../io/storage.js';
import {
  calibrateNumericThreshold,
  compareCategoricalFeature,
  compareNumericFeature,
  type DatasetDriftReport,
  type DriftTestId,
  datasetDrift,
  type FeatureDriftOptions,
  type FeatureDriftReport,
  type PValueCorrection,
  type WeightedSample,
  weightedSampleFromKll,
  weightedSampleFromValues,
} from '../metrics/drift/index.js';
import { DelimitedCells, OTHER } from '../metrics/profile/delimited-cells.js';
import { classifyValue, parsed, ValueClass } from '../metrics/profile/infer-type.js';
import { KllSketch } from '../metrics/sketches/kll.js';

export const DEFAULT_EXACT_LIMIT = 100_000;
export const CATEGORY_LIMIT = 10_000;
/** How many categories per column `addCell` recognises in the bytes (see `ColumnCollector`). */
const KNOWN_TEXTS = 16;
/** The bucket that collects categories past `CATEGORY_LIMIT`. */
export const OTHER_CATEGORY = '<other>';

/** Options of {@link compareDatasets} (the flags of `driftwatch compare`). */
export interface CompareOptions {
  baselineData: string;
  currentData: string;
  format?: DatasetFormat;
  header?: boolean;
  tests?: DriftTestId[];
  correction?: PValueCorrection;
  driftShare?: number;
  minSampleSize?: number;
  exactLimit?: number;
  /** `calibrated`: numeric features' default test gets a threshold calibrated on the baseline. */
  thresholdMode?: 'fixed' | 'calibrated';
  alarmRate?: number;
}

/** The verdict of a feature (its default test's), given beside the asked tests with `--tests`. */
export interface CompareDecision {
  test: DriftTestId;
  drift: boolean;
  statistic?: number;
  p_value?: number | null;
  threshold?: number;
}

/** What {@link compareDatasets} returns (what `driftwatch compare --json` prints). */
export interface CompareResult {
  /**
   * Per feature: its report; with `tests`, only those tests (and the ones of them that could not run) plus
   * `decision`.
   */
  features: Record<
    string,
    FeatureDriftReport & { input: 'raw' | 'sketch' | 'counts'; decision?: CompareDecision }
  >;
  dataset: DatasetDriftReport;
  issues: { baseline: IssueLogJSON; current: IssueLogJSON };
}

/** Everything one dataset says about one column, in bounded memory. */
class ColumnCollector {
  present = 0;
  missing = 0;
  numeric = 0;
  other = 0;
  nonFinite = 0;
  values: Float64Array | undefined = new Float64Array(1024);
  length = 0;
  kll: KllSketch | undefined;
  /** Each category's place in `#tallies` (in first-seen order), so that a count is one Map lookup. */
  readonly #slots = new Map<string, number>();
  readonly #tallies: number[] = [];
  overflow = 0;
  /**
   * The first few categories met in `addCell`, with their slots: a cell holding one again is counted where
   * it lies in the bytes (no string made, no Map lookup).
   */
  readonly #knownTexts: string[] = [];
  readonly #knownSlots: number[] = [];

  constructor(readonly exactLimit: number) {}

  add(cell: Cell): void {
    this.#addClassified(classifyValue(cell), cell);
  }

  /**
   * `add` of a cell of class `cls` (its number, if any, in `parsed.value`): the slot of the category it was
   * counted in, or -1 (missing, a number, or past the category limit).
   */
  #addClassified(cls: ValueClass, cell: Cell): number {
    if (cls === ValueClass.Unknown) {
      this.missing++;
      return -1;
    }
    this.present++;
    if (cls !== ValueClass.Integral && cls !== ValueClass.Fractional) {
      this.other++;
      return this.#count(cell);
    }
    this.numeric++;
    const v = parsed.value;
    if (!Number.isFinite(v)) {
      this.nonFinite++;
      return -1;
    }
    this.#addNumber(v);
    return -1;
  }

  /** `add` of cell `i` of a row scanned by `DelimitedCells` (its number read in the scan, else its text). */
  addCell(cells: DelimitedCells, i: number): void {
    const start = cells.starts[i]!;
    const end = cells.ends[i]!;
    if (end === start) {
      this.missing++;
      return;
    }
    if (cells.kinds[i] === OTHER) {
      const known = this.#knownTexts;
      for (let k = 0; k < known.length; k++) {
        if (cells.cellIs(i, known[k]!)) {
          this.present++;
          this.other++;
          this.#tallies[this.#knownSlots[k]!]!++;
          return;
        }
      }
      // Classified once: a category counted is matched in place the next times, while there is room.
      const text = (cells.bytes as Buffer).toString('latin1', start, end);
      const slot = this.#addClassified(classifyValue(text), text);
      if (slot >= 0 && known.length < KNOWN_TEXTS) {
        known.push(text);
        this.#knownSlots.push(slot);
      }
      return;
    }
    // Integral or Fractional, finite: what `add` of its text would find.
    this.present++;
    this.numeric++;
    this.#addNumber(cells.values[i]!);
  }

  /**
   * Counts a present value's text among the categories (a number's only in a recount, see `recount`):
   * its slot in `#tallies`, or -1 when it went to the overflow.
   */
  #count(cell: Cell): number {
    const text = typeof cell === 'string' ? cell : String(cell);
    let slot = this.#slots.get(text);
    if (slot !== undefined) this.#tallies[slot]!++;
    else if (this.#slots.size < CATEGORY_LIMIT) {
      slot = this.#tallies.length;
      this.#slots.set(text, slot);
      this.#tallies.push(1);
    } else {
      this.overflow++;
      return -1;
    }
    return slot;
  }

  #recounted = false;

  /** Whether the categories miss numbers seen (numbers are counted only by `recount`). */
  get categoriesIncomplete(): boolean {
    return this.numeric > 0 && !this.#recounted;
  }

  /** Forgets the categories before a second read that passes every cell to `recount`. */
  startRecount(): void {
    this.#slots.clear();
    this.#tallies.length = 0;
    this.#knownTexts.length = 0;
    this.#knownSlots.length = 0;
    this.overflow = 0;
    this.#recounted = true;
  }

  /** Counts any present value's text, numbers included (the second read of a mixed column). */
  recount(cell: Cell): void {
    if (classifyValue(cell) !== ValueClass.Unknown) this.#count(cell);
  }

  /** Values for the sketch not yet added to it (`updateBatch`, the same as one `update` each). */
  #pending: Float64Array | undefined;
  #pendingLength = 0;

  #addNumber(v: number): void {
    const pending = this.#pending;
    if (pending !== undefined) {
      pending[this.#pendingLength++] = v;
      if (this.#pendingLength === pending.length) this.#flushPending();
      return;
    }
    if (this.length === this.exactLimit) {
      // Past the limit: move to a sketch (the exact values seen so far go into it first).
      this.kll = new KllSketch();
      this.kll.updateBatch(this.values as Float64Array, this.length);
      this.values = undefined;
      this.#pending = new Float64Array(1024);
      this.#pending[0] = v;
      this.#pendingLength = 1;
      return;
    }
    let buffer = this.values as Float64Array;
    if (this.length === buffer.length) {
      const grown = new Float64Array(Math.min(this.exactLimit, buffer.length * 2));
      grown.set(buffer);
      buffer = grown;
      this.values = grown;
    }
    buffer[this.length++] = v;
  }

  /** Exact values in arrival order (undefined once the column moved to a sketch). */
  exactValues(): Float64Array | undefined {
    return this.values?.subarray(0, this.length);
  }

  #flushPending(): void {
    (this.kll as KllSketch).updateBatch(this.#pending as Float64Array, this.#pendingLength);
    this.#pendingLength = 0;
  }

  sample(): WeightedSample {
    if (this.kll) {
      this.#flushPending();
      return weightedSampleFromKll(this.kll);
    }
    return weightedSampleFromValues(this.exactValues() as Float64Array);
  }

  /** Each category's count, in first-seen order; those past `CATEGORY_LIMIT` as `OTHER_CATEGORY`. */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [text, slot] of this.#slots) out.set(text, this.#tallies[slot]!);
    if (this.overflow > 0) out.set(OTHER_CATEGORY, (out.get(OTHER_CATEGORY) ?? 0) + this.overflow);
    return out;
  }
}

function openForCompare(storage: Storage, uri: string, options: CompareOptions, issues: IssueLog) {
  return openDataset(storage, uri, {
    ...(options.format ? { format: options.format } : {}),
    ...(options.header === undefined ? {} : { header: options.header }),
    issues,
  });
}

async function collect(
  storage: Storage,
  uri: string,
  options: CompareOptions,
  issues: IssueLog,
): Promise<{ columns: string[]; collectors: ColumnCollector[]; rows: number }> {
  const reader = await openForCompare(storage, uri, options, issues);
  const exactLimit = options.exactLimit ?? DEFAULT_EXACT_LIMIT;
  const collectors: ColumnCollector[] = [];
  let rows = 0;
  const grow = (): void => {
    while (collectors.length < reader.columns.length) {
      const c = new ColumnCollector(exactLimit);
      // A column that appears later (JSONL) was missing in every earlier row.
      c.missing = rows;
      collectors.push(c);
    }
  };
  grow();
  // A plain CSV row is collected from its bytes: no cell decoded, no string made for a number.
  const cells = new DelimitedCells();
  const take: PlainRowTaker = (bytes, start, end) => {
    if (cells.scan(bytes, start, end, 0, 0) !== collectors.length) return false;
    rows++;
    for (let i = 0; i < collectors.length; i++) (collectors[i] as ColumnCollector).addCell(cells, i);
    return true;
  };
  for await (const row of reader.rows(take)) {
    grow();
    rows++;
    for (let i = 0; i < collectors.length; i++) (collectors[i] as ColumnCollector).add(row[i]);
  }
  return { columns: [...reader.columns], collectors, rows };
}

/**
 * The second read of a dataset for its mixed columns (`indexes`): their categories counted again from
 * every present value, in arrival order. The read's issues were counted by the first read.
 */
async function recountCategories(
  storage: Storage,
  uri: string,
  options: CompareOptions,
  collectors: ColumnCollector[],
  indexes: number[],
): Promise<void> {
  const reader = await openForCompare(storage, uri, options, new IssueLog());
  for (const i of indexes) collectors[i]!.startRecount();
  for await (const row of reader.rows()) {
    for (const i of indexes) collectors[i]!.recount(row[i]);
  }
}

/** Whether a column is compared as numbers: only numbers (that fit a double) on both sides. */
function isNumericPair(b: ColumnCollector, c: ColumnCollector): boolean {
  return b.present > 0 && b.other === 0 && c.other === 0 && b.numeric - b.nonFinite > 0;
}

/** Reads both datasets and compares every feature. */
export async function compareDatasets(options: CompareOptions, storage: Storage): Promise<CompareResult> {
  const baselineIssues = new IssueLog();
  const currentIssues = new IssueLog();
  const baseline = await collect(storage, options.baselineData, options, baselineIssues);
  const current = await collect(storage, options.currentData, options, currentIssues);
  const currentIndex = new Map<string, number>();
  current.columns.forEach((name, i) => {
    if (!currentIndex.has(name)) currentIndex.set(name, i);
  });
  const empty = new ColumnCollector(0);
  // Mixed columns compared as categories: count their numbers too, in a second read of that dataset.
  const recount = { baseline: [] as number[], current: [] as number[] };
  const listed = new Set<string>();
  for (const [i, name] of baseline.columns.entries()) {
    if (listed.has(name)) continue;
    listed.add(name);
    const ci = currentIndex.get(name);
    const b = baseline.collectors[i] ?? empty;
    const c = ci === undefined ? empty : (current.collectors[ci] ?? empty);
    if (isNumericPair(b, c)) continue;
    if (b.categoriesIncomplete) recount.baseline.push(i);
    if (ci !== undefined && c.categoriesIncomplete) recount.current.push(ci);
  }
  if (recount.baseline.length > 0)
    await recountCategories(storage, options.baselineData, options, baseline.collectors, recount.baseline);
  if (recount.current.length > 0)
    await recountCategories(storage, options.currentData, options, current.collectors, recount.current);
  const reports = new Map<string, FeatureDriftReport & { input: 'raw' | 'sketch' | 'counts' }>();
  const featureOptions: FeatureDriftOptions = {
    ...(options.tests ? { tests: options.tests } : {}),
    ...(options.minSampleSize === undefined ? {} : { minSampleSize: options.minSampleSize }),
  };
  for (const [i, name] of baseline.columns.entries()) {
    if (reports.has(name)) continue;
    const b = baseline.collectors[i] ?? empty;
    const ci = currentIndex.get(name);
    if (ci === undefined) {
      currentIssues.add({
        kind: 'missing-column',
        source: options.currentData,
        column: name,
        message: `column ${name} is not in the current data`,
      });
    }
    const c = ci === undefined ? empty : (current.collectors[ci] ?? empty);
    for (const [col, log, uri] of [
      [b, baselineIssues, options.baselineData],
      [c, currentIssues, options.currentData],
    ] as const) {
      if (col.nonFinite > 0) {
        log.add({
          kind: 'non-finite-number',
          source: uri,
          column: name,
          message: `${col.nonFinite} numeric values overflow a double and were left out`,
        });
      }
      if (col.overflow > 0) {
        log.add({
          kind: 'category-overflow',
          source: uri,
          column: name,
          message: `${col.overflow} values beyond ${CATEGORY_LIMIT} distinct categories counted as ${OTHER_CATEGORY}`,
        });
      }
    }
    if (isNumericPair(b, c)) {
      const bs = b.sample();
      const cs = c.sample();
      let opts = featureOptions;
      if (options.thresholdMode === 'calibrated') opts = withCalibration(b, cs, bs, featureOptions, options);
      const report = compareNumericFeature(bs, cs, opts);
      reports.set(name, {
        ...report,
        input: bs.rankErrorBound > 0 || cs.rankErrorBound > 0 ? 'sketch' : 'raw',
      });
    } else {
      reports.set(name, {
        ...compareCategoricalFeature(b.counts(), c.counts(), featureOptions),
        input: 'counts',
      });
    }
  }
  for (const name of current.columns) {
    if (!baseline.columns.includes(name)) {
      currentIssues.add({
        kind: 'extra-column',
        source: options.currentData,
        column: name,
        message: `column ${name} is not in the baseline`,
      });
    }
  }
  const { adjusted: _adjusted, ...dataset } = datasetDrift(reports, {
    ...(options.correction ? { correction: options.correction } : {}),
    ...(options.driftShare === undefined ? {} : { driftShare: options.driftShare }),
  });
  // With --tests, each feature holds only the asked tests, plus the decision (its default test's verdict,
  // which may be a test that was not asked: it decides the feature as without --tests).
  const asked = options.tests ? new Set<DriftTestId>(options.tests) : undefined;
  const features: CompareResult['features'] = Object.create(null);
  for (const [name, report] of reports) features[name] = asked ? onlyAsked(report, asked) : report;
  return {
    features,
    dataset,
    issues: { baseline: baselineIssues.toJSON(), current: currentIssues.toJSON() },
  };
}

/** A feature's report reduced to the asked tests, with `decision` (the default test's verdict). */
function onlyAsked(
  report: CompareResult['features'][string],
  asked: ReadonlySet<DriftTestId>,
): CompareResult['features'][string] {
  const decider = report.tests[report.default_test];
  const tests = Object.fromEntries(
    Object.entries(report.tests).filter(([id]) => asked.has(id as DriftTestId)),
  ) as FeatureDriftReport['tests'];
  const notApplicable = Object.fromEntries(
    Object.entries(report.not_applicable).filter(([id]) => asked.has(id as DriftTestId)),
  ) as FeatureDriftReport['not_applicable'];
  return {
    ...report,
    tests,
    not_applicable: notApplicable,
    decision: {
      test: report.default_test,
      drift: report.drift,
      ...(decider
        ? { statistic: decider.statistic, p_value: decider.p_value, threshold: decider.threshold }
        : {}),
    },
  };
}

/** Calibrates the default test of a numeric feature on its exact baseline (skipped for sketches). */
function withCalibration(
  baseline: ColumnCollector,
  current: WeightedSample,
  baselineSample: WeightedSample,
  featureOptions: FeatureDriftOptions,
  options: CompareOptions,
): FeatureDriftOptions {
  const values = baseline.exactValues();
  if (!values || current.total < 1) return featureOptions;
  const probe = compareNumericFeature(baselineSample, current, { ...featureOptions, tests: [] });
  const calibrated = calibrateNumericThreshold(values, Math.round(current.total), probe.default_test, {
    alarmRate: options.alarmRate ?? 0.05,
    replicates: 200,
  });
  if (!calibrated) return featureOptions;
  return { ...featureOptions, calibrated: { [probe.default_test]: calibrated.threshold } };
}
