/**
 * A worker started while Redis is unreachable (restarting, failing over) waits for it, retrying every
 * second, for up to `--redis-wait-ms` (30 s by default), instead of exiting at once: a supervisor that
 * restarts it at once would soon give up (systemd: 5 starts in 10 s), and a worker replaced during a Redis
 * restart would have to be replaced again. Past the wait it exits 2 with the one line it always gave.
 * Real redis-server (stopped, then started on the same port) and the built CLI.
 */
import { afterEach, expect, it } from 'vitest';
import { type PersistentRedis, startPersistentRedis } from '../support/persistent-redis.js';
import { cleanupQueue, uniqueQueueSettings } from '../support/queues.js';
import { freePort } from '../support/services.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {});
  cleanup = [];
});

function start(args: string[]): WorkerProcess {
  const { REDIS_URL: _, ...env } = process.env;
  const worker = spawnWorker(args, { ...env, DRIFTWATCH_LOG_LEVEL: 'info' });
  cleanup.push(() => worker.stop('SIGKILL'));
  return worker;
}

it('waits for a Redis that comes back, then starts', async () => {
  const redis: PersistentRedis = await startPersistentRedis();
  cleanup.push(() => redis.destroy());
  const settings = uniqueQueueSettings();
  cleanup.push(() => cleanupQueue(settings, redis.url));
  await redis.stop();
  const worker = start(['--redis-url', redis.url, '--queue', settings.name, '--prefix', settings.prefix]);
  const waiting = await worker.waitForLog((l) => l.msg === 'cannot reach Redis yet; retrying every second');
  expect(waiting).toMatchObject({ level: 40 });
  expect(waiting.err).toMatch(/^cannot reach Redis at /);
  const back = Date.now();
  await redis.start();
  const started = await worker.waitForLog((l) => l.msg === 'worker started', 15_000);
  // Retried every second: started within ~1 s of Redis answering (start-up done meanwhile).
  expect((started.time as number) - back).toBeLessThan(5_000);
  expect(worker.child.exitCode).toBeNull();
  expect(await worker.stop()).toEqual({ code: 0, signal: null });
}, 60_000);

it('exits 2 with one line once --redis-wait-ms has passed', async () => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  const startedAt = Date.now();
  const worker = start(['--redis-url', url, '--redis-wait-ms', '2500']);
  expect(await worker.exited).toEqual({ code: 2, signal: null });
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_500);
  expect(worker.logs.filter((l) => String(l.msg).startsWith('cannot reach Redis yet'))).toHaveLength(1);
  expect(worker.stderr.filter((l) => l.startsWith('driftwatch: '))).toEqual([
    `driftwatch: cannot reach Redis at ${url}: connect ECONNREFUSED ${url.slice(8)}`,
  ]);
}, 60_000);
