/**
 * The bounded-memory join of captured predictions with late ground-truth labels (spec §2.3).
 *
 * Both sides are hash-partitioned by join key into `partitions` buckets. Records are buffered in memory
 * and, once the buffered text of both sides exceeds `joinMemoryBytes`, every bucket's buffer is
 * appended to its own temporary file (under `os.tmpdir()`, removed by `close()`); small windows never
 * touch the disk. The join then runs bucket by bucket: the bucket's labels go into a Map (last one wins
 * for a repeated key, the folders being read oldest first), and the bucket's predictions stream past it.
 *
 * Memory bound: the buffers (≤ joinMemoryBytes) plus one bucket's labels and prediction keys, about
 * (labels + predictions) / partitions entries, e.g. 10M + 10M records over 256 buckets ≈ 80k entries.
 *
 * Counts: `matched` predictions, `unmatchedPredictions` (no label yet: dropped from the realised
 * metrics, as SageMaker does), `orphanLabels` (labels read that no prediction of this window claims:
 * labels of other windows' predictions land in the same folders, so these are expected), and repeated
 * keys on either side (`duplicatePredictions`: every copy is joined; `duplicateLabels`: the last read wins).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLines } from '../io/lines.js';

export interface JoinCounts {
  predictions: number;
  labels: number;
  matched: number;
  unmatchedPredictions: number;
  orphanLabels: number;
  duplicatePredictions: number;
  duplicateLabels: number;
  /** Up to 10 join keys of unmatched predictions (for the report). */
  unmatchedSamples: string[];
  /** How many buckets were written to disk (0 when the join stayed in memory). */
  spilledPartitions: number;
}

export interface JoinOptions {
  /** Number of hash buckets. @defaultValue 256 */
  partitions?: number;
  /** Buffered text before spilling to disk, in bytes. @defaultValue 32 MiB */
  joinMemoryBytes?: number;
  /** Parent folder of the temporary files. @defaultValue os.tmpdir() */
  tmpDir?: string;
}

/** A prediction as stored for the join: its label text and score (either may be absent). */
export interface StoredPrediction {
  label: string | undefined;
  score: number | undefined;
  /** The request's cells, when the caller needs them after the join (bias: facets, group, FT features). */
  row?: readonly string[];
}

/** Bucket files appended at once during a spill. */
const SPILL_CONCURRENCY = 16;

/** FNV-1a 32-bit hash of a string's UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

class Side {
  readonly buffers: string[][];
  /** The bucket's spill file, once written ('' = none). */
  readonly paths: string[];
  bufferedBytes = 0;

  constructor(
    readonly dir: () => Promise<string>,
    readonly name: string,
    readonly k: number,
  ) {
    this.buffers = Array.from({ length: k }, () => []);
    this.paths = new Array(k).fill('');
  }

  add(bucket: number, line: string): void {
    (this.buffers[bucket] as string[]).push(line);
    this.bufferedBytes += line.length * 2 + 32;
  }

  async spill(): Promise<void> {
    const dir = await this.dir();
    // Files are opened and closed per append, SPILL_CONCURRENCY at a time, whatever the bucket count.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.k) {
        const b = next++;
        const lines = this.buffers[b] as string[];
        if (lines.length === 0) continue;
        this.buffers[b] = [];
        if (!this.paths[b]) this.paths[b] = join(dir, `${this.name}-${b}.jsonl`);
        await appendFile(this.paths[b] as string, `${lines.join('\n')}\n`);
      }
    };
    await Promise.all(Array.from({ length: SPILL_CONCURRENCY }, worker));
    this.bufferedBytes = 0;
  }

  async *lines(bucket: number): AsyncIterable<string> {
    const path = this.paths[bucket];
    if (path) {
      for await (const line of readLines(createReadStream(path))) yield line.text;
      await rm(path, { force: true });
      this.paths[bucket] = '';
    }
    yield* this.buffers[bucket] as string[];
    this.buffers[bucket] = [];
  }

  hasFile(bucket: number): boolean {
    return this.paths[bucket] !== '';
  }
}

/**
 * Collects predictions and labels, then joins them bucket by bucket. Use `addPrediction` / `addLabel`
 * (await each: they may spill), then `join(onMatch)` once, then `close()` (also on failure).
 */
export class PartitionedJoin {
  readonly k: number;
  readonly #budget: number;
  readonly #tmpParent: string;
  #dir: string | undefined;
  readonly #predictions: Side;
  readonly #labels: Side;
  readonly counts: JoinCounts = {
    predictions: 0,
    labels: 0,
    matched: 0,
    unmatchedPredictions: 0,
    orphanLabels: 0,
    duplicatePredictions: 0,
    duplicateLabels: 0,
    unmatchedSamples: [],
    spilledPartitions: 0,
  };

  constructor(options: JoinOptions = {}) {
    this.k = Math.max(1, Math.floor(options.partitions ?? 256));
    this.#budget = options.joinMemoryBytes ?? 32 * 1024 * 1024;
    this.#tmpParent = options.tmpDir ?? tmpdir();
    const dir = async (): Promise<string> => {
      if (!this.#dir) {
        this.#dir = join(this.#tmpParent, `driftwatch-join-${randomUUID()}`);
        await mkdir(this.#dir, { recursive: true });
      }
      return this.#dir;
    };
    this.#predictions = new Side(dir, 'predictions', this.k);
    this.#labels = new Side(dir, 'labels', this.k);
  }

  async #maybeSpill(): Promise<void> {
    if (this.#predictions.bufferedBytes + this.#labels.bufferedBytes <= this.#budget) return;
    await this.#predictions.spill();
    await this.#labels.spill();
  }

  async addPrediction(key: string, prediction: StoredPrediction): Promise<void> {
    this.counts.predictions++;
    this.#predictions.add(
      fnv1a(key) % this.k,
      JSON.stringify(
        prediction.row === undefined
          ? [key, prediction.label ?? null, prediction.score ?? null]
          : [key, prediction.label ?? null, prediction.score ?? null, prediction.row],
      ),
    );
    await this.#maybeSpill();
  }

  async addLabel(key: string, label: string): Promise<void> {
    this.counts.labels++;
    this.#labels.add(fnv1a(key) % this.k, JSON.stringify([key, label]));
    await this.#maybeSpill();
  }

  /**
   * Joins every bucket, calling `onMatch` for each matched prediction (bucket order, then arrival order).
   * `beforeBucket` runs before each bucket (e.g. to stop on an abort signal by throwing).
   */
  async join(
    onMatch: (prediction: StoredPrediction, label: string, key: string) => void,
    beforeBucket?: () => void,
  ): Promise<JoinCounts> {
    const c = this.counts;
    for (let b = 0; b < this.k; b++) {
      beforeBucket?.();
      if (this.#predictions.hasFile(b) || this.#labels.hasFile(b)) c.spilledPartitions++;
      const labels = new Map<string, string>();
      for await (const line of this.#labels.lines(b)) {
        const [key, label] = JSON.parse(line) as [string, string];
        if (labels.has(key)) c.duplicateLabels++;
        labels.set(key, label);
      }
      const seen = new Set<string>();
      const claimed = new Set<string>();
      for await (const line of this.#predictions.lines(b)) {
        const [key, label, score, row] = JSON.parse(line) as [
          string,
          string | null,
          number | null,
          string[] | undefined,
        ];
        if (seen.has(key)) c.duplicatePredictions++;
        else seen.add(key);
        const actual = labels.get(key);
        if (actual === undefined) {
          c.unmatchedPredictions++;
          if (c.unmatchedSamples.length < 10) c.unmatchedSamples.push(key);
          continue;
        }
        claimed.add(key);
        c.matched++;
        onMatch(
          row === undefined
            ? { label: label ?? undefined, score: score ?? undefined }
            : { label: label ?? undefined, score: score ?? undefined, row },
          actual,
          key,
        );
      }
      c.orphanLabels += labels.size - claimed.size;
    }
    return c;
  }

  /** Removes the temporary files. Idempotent. */
  async close(): Promise<void> {
    if (this.#dir) {
      const dir = this.#dir;
      this.#dir = undefined;
      await rm(dir, { recursive: true, force: true });
    }
  }
}
