/**
 * Redis connection settings from a URL (`REDIS_URL`): `redis://[user:password@]host[:port][/db]`, or
 * `rediss://...` for TLS. The URL is read by the CLI; this module only turns it into ioredis options.
 *
 * Production Redis for driftwatch needs persistence (AOF: `appendonly yes`) so that job schedulers,
 * delayed ticks and waiting executions survive a restart, and `maxmemory-policy noeviction` so that
 * BullMQ keys are never evicted.
 */
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { ConfigError, TransientError } from '../core/errors.js';
import { RedisClass } from './bullmq.js';

export type RedisRole =
  /** Long-lived worker connections: commands wait for a reconnect instead of failing. */
  | 'worker'
  /** Short CLI commands (schedule, backfill, status): fail fast when Redis is unreachable. */
  | 'client';

export interface RedisSettings {
  url: string;
  /** TLS options merged in for `rediss://` (e.g. `{ rejectUnauthorized: false }` for self-signed test servers). */
  tls?: RedisOptions['tls'];
}

export interface RedisConnectOptions {
  /**
   * Asked before each reconnect of a worker connection: true ends the connection instead (used to stop a
   * worker that never reached Redis, so that its pending connection attempts fail and settle).
   */
  giveUp?: () => boolean;
}

/** ioredis options for a Redis URL. Throws `ConfigError` for a URL that is not redis:// or rediss://. */
export function redisOptionsFromUrl(
  settings: string | RedisSettings,
  role: RedisRole,
  connect: RedisConnectOptions = {},
): RedisOptions {
  const { url, tls } = typeof settings === 'string' ? { url: settings, tls: undefined } : settings;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError(`not a valid Redis URL`, { field: 'REDIS_URL' }, { cause: error });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(`expected redis:// or rediss://, got ${parsed.protocol}//`, { field: 'REDIS_URL' });
  }
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new ConfigError(`bad database number '${dbText}'`, { field: 'REDIS_URL' });
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    connectionName: `driftwatch-${role}`,
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') {
    // SNI takes a host name, never an address. A private CA: `tls.ca`, or NODE_EXTRA_CA_CERTS for the CLI.
    options.tls = { ...(isIP(options.host ?? '') ? {} : { servername: options.host }), ...(tls ?? {}) };
  }
  if (role === 'worker') {
    // BullMQ workers must not give up on a command while Redis restarts, and should be back within a
    // second of Redis: every second a worker waits, its jobs wait too (reconnects after 0.2, 0.6, 1.4 s,
    // then every second; a refused connection costs next to nothing).
    options.maxRetriesPerRequest = null;
    const { giveUp } = connect;
    options.retryStrategy = (times) => (giveUp?.() ? null : Math.min(100 * 2 ** Math.min(times, 4), 1_000));
  } else {
    options.maxRetriesPerRequest = 2;
    options.connectTimeout = 5_000;
    options.retryStrategy = (times) => (times > 5 ? null : Math.min(200 * times, 1_000));
  }
  return options;
}

/** The URL with its password masked, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Connects once (no retries, `timeoutMs` to connect) and sends PING: a command that needs Redis checks it
 * this way before opening queues, so an unreachable Redis ends it with one line naming the URL instead of
 * connection errors surfacing later from inside BullMQ. Throws `TransientError` (or `ConfigError` for a bad
 * URL or refused credentials).
 */
export async function checkRedis(settings: string | RedisSettings, timeoutMs = 5_000): Promise<void> {
  const url = typeof settings === 'string' ? settings : settings.url;
  const options = redisOptionsFromUrl(settings, 'client');
  const client = new RedisClass({
    ...options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: unknown;
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const cause = lastError ?? error;
    const message = (cause as Error)?.message ?? String(cause);
    if (/NOAUTH|WRONGPASS|NOPERM/.test(message)) {
      throw new ConfigError(`Redis at ${redactRedisUrl(url)} refused the credentials: ${message}`, {
        field: 'REDIS_URL',
      });
    }
    throw new TransientError(`cannot reach Redis at ${redactRedisUrl(url)}: ${message}`, { cause });
  } finally {
    client.disconnect();
  }
}

/**
 * `checkRedis` until Redis answers or `waitMs` has passed (a worker starting while Redis restarts or fails
 * over waits for it, as a running worker rides out an outage, instead of exiting). Tries every second;
 * `onWait` is called with the first failure and then at most every 10 s. Each check may take
 * `checkRedis`'s 5 s to connect, so the wait may end that much later. Refused credentials end the wait
 * at once (`ConfigError`); otherwise the last `TransientError` is thrown once the time is up. `waitMs` 0:
 * one check.
 */
export async function waitForRedis(
  settings: string | RedisSettings,
  options: { waitMs: number; onWait?: (error: TransientError, leftMs: number) => void },
): Promise<void> {
  const deadline = Date.now() + options.waitMs;
  let lastReport = Number.NEGATIVE_INFINITY;
  for (;;) {
    try {
      await checkRedis(settings);
      return;
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      const now = Date.now();
      if (now >= deadline) throw error;
      if (now - lastReport >= 10_000) {
        lastReport = now;
        options.onWait?.(error, deadline - now);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, deadline - now)));
    }
  }
}
