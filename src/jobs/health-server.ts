/**
 * The worker's HTTP endpoints for orchestrators and Prometheus (`driftwatch worker --http-port`):
 * - `GET /healthz`: 200 while the process and its event loop answer (liveness).
 * - `GET /readyz`: 200 when Redis answers a PING within `pingTimeoutMs`, the worker service is running
 *   (not starting, not shutting down) and every expected job scheduler exists; else 503. The body lists
 *   each check.
 * - `GET /metrics`: the worker's metrics in Prometheus text format.
 * Binds 127.0.0.1 unless told otherwise.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { schedulerId } from './ids.js';
import type { WorkerMetrics } from './observability.js';
import type { WorkerService } from './service.js';

export interface HealthServerOptions {
  service: WorkerService;
  metrics: WorkerMetrics;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to bind. @defaultValue '127.0.0.1' */
  host?: string;
  /** Monitors whose job scheduler must exist for `/readyz`. @defaultValue [] */
  scheduledMonitors?: string[];
  /** Longest wait for Redis in a readiness check, in ms. @defaultValue 1000 */
  pingTimeoutMs?: number;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { redis: boolean; running: boolean; schedulers: boolean };
  missingSchedulers?: string[];
}

async function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  return await Promise.race([work.catch(() => undefined), delay(ms, undefined, { ref: false })]);
}

/** Runs the readiness checks once. */
export async function readiness(
  service: WorkerService,
  scheduledMonitors: string[] = [],
  pingTimeoutMs = 1_000,
): Promise<ReadinessReport> {
  const queue = service.queue;
  const running = service.state === 'running';
  let redis = false;
  let missing: string[] = [];
  if (queue) {
    // BullMQ types its connection loosely; it is an ioredis client.
    const client = (await within(pingTimeoutMs, queue.client)) as
      | { status: string; ping(): Promise<string> }
      | undefined;
    // A connection that is not ready would queue the PING until Redis is back: ask only a ready one.
    if (client && client.status === 'ready') redis = (await within(pingTimeoutMs, client.ping())) === 'PONG';
    if (redis && scheduledMonitors.length > 0) {
      const found = await within(
        pingTimeoutMs,
        Promise.all(scheduledMonitors.map((m) => queue.getJobScheduler(schedulerId(m)))),
      );
      missing = found ? scheduledMonitors.filter((_, i) => !found[i]) : [...scheduledMonitors];
    }
  }
  const schedulers = redis && missing.length === 0;
  return {
    ready: redis && running && schedulers,
    checks: { redis, running, schedulers },
    ...(missing.length ? { missingSchedulers: missing } : {}),
  };
}

/** The HTTP server of a worker; `close()` is idempotent. */
export class HealthServer {
  readonly #options: HealthServerOptions;
  readonly #server: Server;
  #closing: Promise<void> | undefined;

  constructor(options: HealthServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (status: number, type: string, body: string) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return send(405, 'text/plain', 'method not allowed\n');
      if (path === '/healthz') return send(200, 'text/plain', 'ok\n');
      if (path === '/readyz') {
        const o = this.#options;
        readiness(o.service, o.scheduledMonitors, o.pingTimeoutMs).then(
          (r) => send(r.ready ? 200 : 503, 'application/json', `${JSON.stringify(r)}\n`),
          (e: unknown) => send(503, 'text/plain', `${(e as Error).message}\n`),
        );
        return;
      }
      if (path === '/metrics') {
        const registry = this.#options.metrics.registry;
        registry.metrics().then(
          (text) => send(200, registry.contentType, text),
          (e: unknown) => send(500, 'text/plain', `${(e as Error).message}\n`),
        );
        return;
      }
      send(404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
    });
  }

  /** Starts listening; resolves with the bound port. */
  async listen(): Promise<number> {
    const { port, host = '127.0.0.1' } = this.#options;
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return (this.#server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
    return this.#closing;
  }
}
