import { type Command, Option } from 'commander';
import { lazyCloudWatchPublisher } from '../../alerts/cloudwatch-publisher.js';
import { scheduleOf } from '../../config/monitors.js';
import { ConfigError, DriftwatchError } from '../../core/errors.js';
import { createLogger, type Logger } from '../../core/log.js';
import { createStorage } from '../../io/storage.js';
import { HealthServer } from '../../jobs/health-server.js';
import { schedulerId } from '../../jobs/ids.js';
import { syncSchedulers } from '../../jobs/queue.js';
import { redactRedisUrl } from '../../jobs/redis.js';
import { WorkerService } from '../../jobs/service.js';
import { callerIdentityLookup } from '../../security/caller-identity.js';
import { nonNegativeInteger, positiveInteger, workerId } from '../flags.js';
import {
  addQueueOptions,
  type QueueCommandOptions,
  type QueueContext,
  queueContext,
  withQueue,
} from '../queue-options.js';

/** Logs a warning for each monitor of the config whose scheduler is missing or differs (run `schedule`). */
async function warnAboutSchedulers(context: QueueContext, logger: Logger): Promise<void> {
  const monitors = context.config?.monitors ?? [];
  try {
    await withQueue(context, async (queue) => {
      for (const monitor of monitors) {
        if (scheduleOf(monitor).kind === 'now') continue;
        const scheduler = await queue.getJobScheduler(schedulerId(monitor.name));
        const stored = (scheduler?.template?.data as { monitor?: unknown } | undefined)?.monitor;
        if (!scheduler)
          logger.warn({ monitor: monitor.name }, 'monitor has no job scheduler: run driftwatch schedule');
        else if (JSON.stringify(stored) !== JSON.stringify(monitor)) {
          logger.warn(
            { monitor: monitor.name },
            'job scheduler differs from the config: run driftwatch schedule',
          );
        }
      }
    });
  } catch (error) {
    logger.warn({ err: error }, 'could not compare the job schedulers with the config');
  }
}

interface WorkerCommandOptions extends QueueCommandOptions {
  concurrency: number;
  threads: number;
  lockDurationMs: number;
  stalledIntervalMs?: number;
  livenessTtlMs: number;
  workerId?: string;
  redisWaitMs: number;
  shutdownTimeoutMs: number;
  progressIntervalMs: number;
  metricsSettleMs: number;
  maxStalledCount: number;
  schedule?: boolean;
  logLevel?: string;
  httpPort?: number;
  httpHost: string;
}

export function register(program: Command): void {
  const command = program
    .command('worker')
    .description('Run monitoring executions from the queue (until SIGTERM or SIGINT)');
  addQueueOptions(command, false)
    .option('--concurrency <n>', 'jobs this process runs at once', positiveInteger, 1)
    .option(
      '--threads <n>',
      'profiling threads per job (run more worker processes first; see the README)',
      positiveInteger,
      1,
    )
    .option(
      '--lock-duration-ms <ms>',
      'how long a job stays locked when its worker can no longer renew the lock (see --liveness-ttl-ms)',
      positiveInteger,
      30_000,
    )
    .option(
      '--liveness-ttl-ms <ms>',
      "a worker that has not stamped its liveness in Redis for this long is dead: its jobs' locks are released at once (0: off, wait for the lock to expire)",
      nonNegativeInteger,
      3_000,
    )
    .addOption(
      new Option(
        '--worker-id <id>',
        "a stable name for this worker, kept across its restarts (a StatefulSet pod name, a systemd instance): a restarted worker takes its dead predecessor's jobs back at once; never give two live workers the same id (default: a new identity per process)",
      )
        .argParser(workerId)
        .env('DRIFTWATCH_WORKER_ID'),
    )
    .option(
      '--max-stalled-count <n>',
      'times a job may lose its worker (crash, lost lock) and run again; once more and it fails (see the README)',
      nonNegativeInteger,
      2,
    )
    .option(
      '--stalled-interval-ms <ms>',
      'how often to look for jobs of dead workers (default: the lock duration)',
      positiveInteger,
    )
    .option(
      '--shutdown-timeout-ms <ms>',
      'on SIGTERM, how long active jobs may finish before they are handed back',
      positiveInteger,
      30_000,
    )
    .option(
      '--progress-interval-ms <ms>',
      'least time between two progress updates of a job',
      nonNegativeInteger,
      1_000,
    )
    .option(
      '--metrics-settle-ms <ms>',
      "how long a dead attempt's metrics may take to show in CloudWatch before they are sent again (the job waits delayed, not in a slot)",
      positiveInteger,
      180_000,
    )
    .option(
      '--redis-wait-ms <ms>',
      'at start, how long to wait for an unreachable Redis (retrying every second) before exiting',
      nonNegativeInteger,
      30_000,
    )
    .option(
      '--http-port <port>',
      'serve /healthz, /readyz and /metrics (Prometheus) on this port (default: no HTTP server)',
      nonNegativeInteger,
    )
    .option('--http-host <host>', 'interface the HTTP server binds', '127.0.0.1')
    .option('--schedule', 'first make the job schedulers match the config (as `driftwatch schedule` does)')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error'])
        .env('DRIFTWATCH_LOG_LEVEL'),
    )
    .action(async (options: WorkerCommandOptions) => {
      const logger = createLogger({
        name: 'driftwatch-worker',
        ...(options.logLevel ? { level: options.logLevel } : {}),
      });
      // Started while Redis restarts or fails over, a worker waits for it (bounded) rather than exit: a
      // supervisor restarting it at once would soon give up (systemd: 5 starts in 10 s).
      const context = await queueContext(options, {
        waitMs: options.redisWaitMs,
        onWait: (error, leftMs) =>
          logger.warn(
            { err: error.message, waitingMs: leftMs },
            'cannot reach Redis yet; retrying every second',
          ),
      });
      if (options.schedule && !context.config)
        throw new ConfigError('--schedule needs --config', { field: '--schedule' });
      const storage = createStorage();
      // The CloudWatch SDK is loaded when a job first publishes: a replacement worker starts sooner.
      const publisher = lazyCloudWatchPublisher(async () =>
        (await import('../../alerts/client.js')).createCloudWatchClient(),
      );
      if (options.schedule && context.config) {
        const monitors = context.config.monitors;
        const result = await withQueue(context, (queue) => syncSchedulers(queue, monitors));
        logger.info(
          { scheduled: result.scheduled.map((s) => s.monitor), removed: result.removed },
          'job schedulers synced',
        );
      }
      // prom-client is loaded only to serve /metrics (a worker starts faster without it).
      const metrics =
        options.httpPort !== undefined
          ? new (await import('../../jobs/observability.js')).WorkerMetrics()
          : undefined;
      const service = new WorkerService({
        redis: context.redisUrl,
        queue: context.queue,
        storage,
        publisher,
        logger,
        concurrency: options.concurrency,
        threads: options.threads,
        lockDurationMs: options.lockDurationMs,
        livenessTtlMs: options.livenessTtlMs,
        ...(options.workerId !== undefined ? { workerId: options.workerId } : {}),
        ...(options.stalledIntervalMs ? { stalledIntervalMs: options.stalledIntervalMs } : {}),
        shutdownTimeoutMs: options.shutdownTimeoutMs,
        progressIntervalMs: options.progressIntervalMs,
        metricsSettleMs: options.metricsSettleMs,
        maxStalledCount: options.maxStalledCount,
        callerIdentity: callerIdentityLookup(),
        ...(metrics ? { metrics } : {}),
      });
      const http =
        metrics && options.httpPort !== undefined
          ? new HealthServer({
              service,
              metrics,
              port: options.httpPort,
              host: options.httpHost,
              scheduledMonitors: (context.config?.monitors ?? [])
                .filter((m) => scheduleOf(m).kind !== 'now')
                .map((m) => m.name),
            })
          : undefined;
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals++;
        if (signals === 1) {
          logger.info(
            { signal },
            'shutting down gracefully (send the signal again to hand active jobs back now)',
          );
          void service.close();
        } else if (signals === 2) {
          logger.warn({ signal }, 'handing active jobs back now');
          void service.close({ force: true });
          // Last resort: jobs that ignore the abort are left to expire their locks.
          setTimeout(() => {
            logger.error('forced exit');
            process.exit(1);
          }, 15_000).unref();
        }
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      logger.info({ redis: redactRedisUrl(context.redisUrl), pid: process.pid }, 'starting worker');
      try {
        if (http) {
          const port = await http.listen();
          logger.info({ host: options.httpHost, port }, 'serving /healthz, /readyz and /metrics');
        }
        await service.start();
        if (context.config && !options.schedule) await warnAboutSchedulers(context, logger);
        await service.closed;
        if (service.replacedBy)
          throw new DriftwatchError(
            'E_WORKER_ID_TAKEN',
            `another process started with --worker-id ${options.workerId} and took over its jobs; this one stopped (two live workers must not share a worker id)`,
          );
        // Safety net: connections to a Redis that is down may linger; do not let them keep the process up.
        setTimeout(() => process.exit(), 3_000).unref();
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        await http?.close();
        storage.destroy();
        await publisher.destroy();
      }
    });
}
