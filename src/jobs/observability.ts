/**
 * The worker's Prometheus metrics (prom-client), on a registry of their own.
 *
 * Terminology: an execution *starts* each time a worker takes it (a retry starts again); it *completes*
 * with a SageMaker status, *fails* for good (permanent error or attempts used up) or is *retried* (a
 * transient error with attempts left). Records, bytes, input problems and metrics published are counted
 * from each execution's summary when it completes. Queue depth is read from Redis when scraped (bounded
 * by `queueTimeoutMs`: a scrape while Redis is down keeps the last figures).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Job, Queue, Worker } from 'bullmq';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ExecutionSummary } from '../monitor/types.js';
import { type ExecutionJobData, jobNames } from './payloads.js';

const labels = ['monitor', 'kind'] as const;

/** A counter registered in `registry`. */
function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export interface WorkerMetricsOptions {
  /** Also collect prom-client's default process metrics (CPU, memory, event-loop lag, GC). @defaultValue true */
  processMetrics?: boolean;
  /** Longest wait for the queue counts during a scrape, in ms. @defaultValue 1000 */
  queueTimeoutMs?: number;
}

/** The metrics of one worker process; `registry.metrics()` is the `/metrics` text. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly started = counter(
    this.registry,
    'driftwatch_executions_started_total',
    'Executions a worker took (each attempt counts)',
    labels,
  );
  readonly completed = counter(
    this.registry,
    'driftwatch_executions_completed_total',
    'Executions that finished, by SageMaker status',
    [...labels, 'status'],
  );
  readonly failed = counter(
    this.registry,
    'driftwatch_executions_failed_total',
    'Executions that failed for good (permanent error or no attempts left)',
    labels,
  );
  readonly retried = counter(
    this.registry,
    'driftwatch_executions_retried_total',
    'Execution attempts that failed and will be retried',
    labels,
  );
  readonly duration = new Histogram({
    name: 'driftwatch_execution_duration_seconds',
    help: 'Time from taking an execution to its end, in seconds',
    labelNames: labels,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  readonly records = counter(
    this.registry,
    'driftwatch_records_read_total',
    'Captured records read by completed executions',
    labels,
  );
  readonly bytes = counter(
    this.registry,
    'driftwatch_bytes_read_total',
    'Bytes of input objects read by completed executions',
    labels,
  );
  readonly issues = counter(
    this.registry,
    'driftwatch_input_problems_total',
    'Problems found in the input (malformed lines, ...), by kind of problem',
    [...labels, 'problem'],
  );
  readonly published = counter(
    this.registry,
    'driftwatch_metrics_published_total',
    'CloudWatch metric data points published by completed executions',
    labels,
  );
  readonly lastSuccess = new Gauge({
    name: 'driftwatch_last_success_timestamp_seconds',
    help: 'When each monitor last completed an execution (Unix time, seconds)',
    labelNames: ['monitor'],
    registers: [this.registry],
  });
  readonly queueDepth: Gauge<'state'>;
  #queue: Queue | undefined;
  readonly #startedAt = new Map<string, number>();

  constructor(options: WorkerMetricsOptions = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const timeoutMs = options.queueTimeoutMs ?? 1_000;
    const self = this;
    this.queueDepth = new Gauge({
      name: 'driftwatch_queue_jobs',
      help: 'Jobs in the queue by state (read at scrape time)',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const queue = self.#queue;
        if (!queue) return;
        const counts = await Promise.race([
          queue.getJobCounts('waiting', 'active', 'delayed', 'failed').catch(() => undefined),
          delay(timeoutMs, undefined, { ref: false }),
        ]);
        if (!counts) return;
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
  }

  /** Counts the executions of `worker`; `queue` is read for the queue depth. */
  observe(worker: Worker, queue: Queue): void {
    this.#queue = queue;
    const of = (job: Job) => {
      const data = job.data as Partial<ExecutionJobData>;
      return { monitor: data.execution?.monitorName ?? 'unknown', kind: data.kind ?? 'unknown' };
    };
    worker.on('active', (job) => {
      if (job.name !== jobNames.execution || (job.data as ExecutionJobData).step === 'merge') return;
      this.started.inc(of(job));
      this.#startedAt.set(String(job.id), Date.now());
    });
    const end = (job: Job) => {
      const id = String(job.id);
      const from = this.#startedAt.get(id) ?? job.processedOn;
      this.#startedAt.delete(id);
      if (from !== undefined) this.duration.observe(of(job), Math.max(0, Date.now() - from) / 1000);
    };
    worker.on('completed', (job, result: { status?: string } | undefined) => {
      if (job.name !== jobNames.execution) return;
      end(job);
      const status = result?.status ?? 'unknown';
      this.completed.inc({ ...of(job), status });
      if (status !== 'Failed') this.lastSuccess.set({ monitor: of(job).monitor }, Date.now() / 1000);
    });
    worker.on('failed', (job, error) => {
      if (!job || job.name !== jobNames.execution) return;
      const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      if (final) {
        end(job);
        this.failed.inc(of(job));
      } else this.retried.inc(of(job));
    });
  }

  /** Counts what each completed execution read, found and published (from its summary). */
  countSummary(kind: string, summary: ExecutionSummary): void {
    const l = { monitor: summary.monitorName, kind };
    this.records.inc(l, summary.recordsRead);
    this.bytes.inc(
      l,
      summary.inputs.reduce((n, i) => n + Math.max(0, i.size), 0),
    );
    this.published.inc(l, summary.metricsPublished);
    for (const [problem, n] of Object.entries(summary.issues.counts)) this.issues.inc({ ...l, problem }, n);
  }
}
