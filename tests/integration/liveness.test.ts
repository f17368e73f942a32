/**
 * Worker liveness across a Redis outage longer than its TTL (real redis-server with AOF, stopped and
 * started again): every worker's stamp is then old, and the first worker back must not take the jobs of
 * the other live workers. A worker whose stamps stopped during the outage (dead) still loses its job, a
 * TTL after the workers are back.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/log.js';
import { QueueClass, WorkerClass } from '../../src/jobs/bullmq.js';
import { Liveness } from '../../src/jobs/liveness.js';
import { redisOptionsFromUrl } from '../../src/jobs/redis.js';
import { type PersistentRedis, startPersistentRedis } from '../support/persistent-redis.js';
import { uniqueQueueSettings, waitFor } from '../support/queues.js';

const TTL_MS = 1_000;
const OUTAGE_MS = 3_000;

type Worker = InstanceType<typeof WorkerClass>;
let cleanup: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {});
  cleanup = [];
});

function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('worker liveness across a Redis outage longer than its TTL', () => {
  it('keeps the live workers’ jobs; releases a dead worker’s lock a TTL after the workers are back', async () => {
    const redis: PersistentRedis = await startPersistentRedis();
    cleanup.push(() => redis.destroy());
    const settings = uniqueQueueSettings();
    const connection = () => redisOptionsFromUrl(redis.url, 'worker');
    const queue = new QueueClass(settings.name, { connection: connection(), prefix: settings.prefix });
    cleanup.push(() => queue.close());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    cleanup.push(async () => release());
    const { logger, lines } = capturingLogger();
    const stalled: string[] = [];
    const runs: Array<{ worker: string; job: string }> = [];

    /** A worker that holds each job until the gate opens; with liveness unless `stamps` is false. */
    const startWorker = async (name: string, stamps: boolean) => {
      const worker: Worker = new WorkerClass(
        settings.name,
        async (job) => {
          runs.push({ worker: name, job: job.id as string });
          // The dead worker's job never ends here (its process is gone, as far as liveness can tell).
          await (stamps ? gate : new Promise(() => {}));
          return name;
        },
        {
          connection: connection(),
          prefix: settings.prefix,
          lockDuration: 30_000,
          stalledInterval: 30_000,
          autorun: false,
        },
      );
      worker.on('error', () => {});
      worker.on('stalled', (jobId) => stalled.push(jobId));
      void worker.run();
      await worker.waitUntilReady();
      let liveness: Liveness | undefined;
      if (stamps) {
        liveness = new Liveness({ worker, ttlMs: TTL_MS, logger: logger.child({ worker: name }) });
        liveness.start();
      }
      cleanup.push(async () => {
        await liveness?.close();
        await worker.close(true);
      });
      return worker;
    };

    // Jobs one at a time, so that each worker holds exactly one.
    const a = await startWorker('a', true);
    await queue.add('hold', {}, { jobId: 'job-a' });
    await waitFor(() => runs.some((r) => r.job === 'job-a') || undefined, { what: 'a to take job-a' });
    const b = await startWorker('b', true);
    await queue.add('hold', {}, { jobId: 'job-b' });
    await waitFor(() => runs.some((r) => r.job === 'job-b') || undefined, { what: 'b to take job-b' });
    const dead = await startWorker('dead', false);
    await queue.add('hold', {}, { jobId: 'job-dead' });
    await waitFor(() => runs.some((r) => r.job === 'job-dead') || undefined, {
      what: 'the third worker to take job-dead',
    });
    expect(runs).toEqual([
      { worker: 'a', job: 'job-a' },
      { worker: 'b', job: 'job-b' },
      { worker: 'dead', job: 'job-dead' },
    ]);

    // a and b have stamped several times: Redis saw an unbroken run of stamps.
    await new Promise((r) => setTimeout(r, TTL_MS));
    expect(lines.filter((l) => String(l.msg).includes('released its lock'))).toEqual([]);
    // The third worker's last stamp, as its liveness would have made it just before Redis went away: it
    // then never stamps again (it died during the outage).
    const admin = new Redis(redis.url, { maxRetriesPerRequest: null });
    cleanup.push(async () => admin.disconnect());
    const [seconds = 0, micros = 0] = await admin.time();
    await admin.zadd(a.toKey('workers'), Number(seconds) * 1000 + Math.floor(Number(micros) / 1000), dead.id);
    admin.disconnect();
    await redis.stop();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await redis.start();
    const restartedAt = Date.now();
    const admin2 = new Redis(redis.url, { maxRetriesPerRequest: null });
    cleanup.push(async () => admin2.disconnect());

    // The dead worker's lock is released, and not before the workers had a full TTL to stamp again.
    const released = await waitFor(
      () => lines.find((l) => l.jobId === 'job-dead' && String(l.msg).includes('released its lock')),
      { timeoutMs: 10_000, intervalMs: 20, what: "the dead worker's lock to be released" },
    );
    expect(released.time as number).toBeGreaterThanOrEqual(restartedAt + TTL_MS - 200);
    await waitFor(
      async () => ((await admin2.lrange(a.toKey('wait'), 0, -1)).includes('job-dead') ? true : undefined),
      {
        what: 'job-dead back in wait',
      },
    );
    // A few more TTLs: the live workers keep their jobs and their locks.
    await new Promise((r) => setTimeout(r, 3 * TTL_MS));
    const releasedJobs = lines.filter((l) => String(l.msg).includes('released its lock')).map((l) => l.jobId);
    expect(releasedJobs).toEqual(['job-dead']);
    expect(stalled).toEqual(['job-dead']);
    expect(await admin2.get(a.toKey('job-a:lock'))).toMatch(new RegExp(`^${a.id}:`));
    expect(await admin2.get(a.toKey('job-b:lock'))).toMatch(new RegExp(`^${b.id}:`));
    expect(await queue.getJobState('job-a')).toBe('active');
    expect(await queue.getJobState('job-b')).toBe('active');

    // Each completes its own job, once.
    release();
    await waitFor(
      async () =>
        (await queue.getJobState('job-a')) === 'completed' &&
        (await queue.getJobState('job-b')) === 'completed'
          ? true
          : undefined,
      { what: 'job-a and job-b to complete' },
    );
    expect((await queue.getJob('job-a'))?.returnvalue).toBe('a');
    expect((await queue.getJob('job-b'))?.returnvalue).toBe('b');
    expect(runs.filter((r) => r.job !== 'job-dead')).toEqual([
      { worker: 'a', job: 'job-a' },
      { worker: 'b', job: 'job-b' },
    ]);
  }, 60_000);
});
