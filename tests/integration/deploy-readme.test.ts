/**
 * The README's "Deploy" section, followed: the worker is started with the systemd unit's `ExecStart`
 * command (the binary is this build, the config a temporary one, `%i` a free port) after
 * `driftwatch schedule`, and `/readyz` turns 200.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import YAML from 'yaml';
import { awsEndpoint } from '../support/aws.js';
import { runCli } from '../support/cli.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings, waitFor } from '../support/queues.js';
import { freePort } from '../support/services.js';
import { serviceEnv, spawnWorker, type WorkerProcess } from '../support/worker-process.js';

const workers: WorkerProcess[] = [];
const settings = uniqueQueueSettings();
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await cleanupQueue(settings);
});

/** The `ExecStart=` command of the README's systemd unit, as words. */
function readmeExecStart(): string[] {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const deploy = readme.slice(readme.indexOf('## Deploy'));
  const line = deploy.split('\n').find((l) => l.startsWith('ExecStart='));
  if (!line) throw new Error('README: no ExecStart= line in the Deploy section');
  return line.slice('ExecStart='.length).trim().split(/\s+/);
}

it('starts the worker as the Deploy section says and becomes ready', async () => {
  const [binary, command, ...args] = readmeExecStart();
  expect(binary).toBe('/usr/bin/driftwatch');
  expect(command).toBe('worker');
  const dir = mkdtempSync(join(tmpdir(), 'dw-deploy-'));
  const config = join(dir, 'monitors.yaml');
  writeFileSync(
    config,
    YAML.stringify({
      queue: settings,
      monitors: [
        {
          name: 'deploy',
          endpoint: 'ep',
          capture: join(dir, 'capture'),
          baseline: join(dir, 'baseline'),
          output: join(dir, 'out'),
          schedule: 'cron(0 * ? * * *)',
        },
      ],
    }),
  );
  const port = await freePort();
  const words = args.map((a) =>
    a === '/etc/driftwatch/monitors.yaml' ? config : a.includes('%i') ? String(port) : a,
  );
  expect(words).toContain('--http-port');
  const env = serviceEnv(awsEndpoint(), redisUrl());
  const scheduled = await runCli(['schedule', '--config', config], { env });
  expect(scheduled.code).toBe(0);
  const worker = spawnWorker(words, env);
  workers.push(worker);
  const ready = await waitFor(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      return res?.status === 200 ? await res.json() : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: '/readyz 200' },
  );
  expect(ready).toMatchObject({ ready: true, checks: { redis: true, running: true, schedulers: true } });
});
