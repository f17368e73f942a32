/**
 * A worker's start-up loads no AWS SDK module: the CloudWatch client (~0.1 s of CPU to import) is made
 * when a job first publishes, so a worker that replaces a dead one takes its jobs sooner, and one whose
 * monitors publish nothing never loads it. Nor does it load any monitor kind's execution code (profiling,
 * checks, reports, the sensitive-value detectors): that is loaded when a job of the kind arrives
 * (jobs/kinds.ts). The worker (the built CLI) runs with the module recorder of
 * tests/support/loaded-modules.mjs from its start until it has started and been stopped.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import YAML from 'yaml';
import { awsEndpoint } from '../support/aws.js';
import { cleanupQueue, redisUrl, uniqueQueueSettings } from '../support/queues.js';
import { serviceEnv, spawnWorker, type WorkerProcess } from '../support/worker-process.js';

const RECORDER = fileURLToPath(new URL('../support/loaded-modules.mjs', import.meta.url));
const SDK = /[\\/]@aws-sdk[\\/]|[\\/]@smithy[\\/]/;
/** Execution code: the kinds, the execution skeleton, and what only they use. */
const EXECUTION =
  /[\\/]dist[\\/]src[\\/](monitor[\\/](data-quality|model-quality|bias|attribution|execution|profile-window)\.js|capture[\\/]|baseline[\\/]|checks[\\/]|report[\\/]|metrics[\\/](profile|sketches|drift[\\/]registry|sensitive)[\\/.])|[\\/]validator[\\/]/;
const workers: WorkerProcess[] = [];
const settings = uniqueQueueSettings();

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
  await cleanupQueue(settings);
});

it('driftwatch worker starts and stops without loading the AWS SDK (a monitor that publishes) or execution code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dw-worker-modules-'));
  const config = join(dir, 'monitors.yaml');
  writeFileSync(
    config,
    YAML.stringify({
      queue: settings,
      monitors: [
        {
          name: 'modules',
          endpoint: 'ep',
          capture: join(dir, 'capture'),
          baseline: join(dir, 'baseline'),
          output: join(dir, 'out'),
          schedule: 'cron(0 * ? * * *)',
          cloudwatch: true,
        },
      ],
    }),
  );
  const file = join(dir, 'modules.txt');
  const worker = spawnWorker(['--config', config], {
    ...serviceEnv(awsEndpoint(), redisUrl()),
    NODE_OPTIONS: `--import ${RECORDER}`,
    DW_LOADED_MODULES_FILE: file,
  });
  workers.push(worker);
  await worker.waitForLog((l) => l.msg === 'worker started');
  expect(await worker.stop()).toEqual({ code: 0, signal: null });
  const modules = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  // The recorder saw the worker's modules (BullMQ is loaded with require, so this checks both ways).
  expect(modules.some((m) => m.includes('/dist/src/jobs/service.js'))).toBe(true);
  expect(modules.some((m) => /[\\/]bullmq[\\/]/.test(m))).toBe(true);
  expect(modules.filter((m) => SDK.test(m))).toEqual([]);
  expect(modules.filter((m) => EXECUTION.test(m))).toEqual([]);
});
