/**
 * `driftwatch worker` as a real child process (the built CLI, `dist/src/cli/main.js`), with its JSON
 * logs collected, for tests that kill, restart or run several workers. Run `npm run build` first
 * (`npm test` does).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from './queues.js';

export const cliPath = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

export interface WorkerProcess {
  child: ChildProcess;
  /** Parsed JSON log lines (pino), in order. */
  logs: Array<Record<string, unknown>>;
  /** Other stderr lines (warnings). */
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends SIGTERM (or `signal`) and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function assertBuilt(): void {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);
}

/** The environment a worker needs to reach the test services. */
export function serviceEnv(awsEndpoint: string, redisUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    REDIS_URL: redisUrl,
    AWS_ENDPOINT_URL: awsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    // moto_server mishandles gzip-compressed PutMetricData bodies.
    AWS_DISABLE_REQUEST_COMPRESSION: 'true',
    DRIFTWATCH_LOG_LEVEL: 'info',
  };
}

export function spawnWorker(args: string[], env: NodeJS.ProcessEnv): WorkerProcess {
  assertBuilt();
  const child = spawn(process.execPath, [cliPath, 'worker', ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      stderr.push(line);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    logs,
    stderr,
    exited,
    waitForLog: (predicate, timeoutMs = 30_000) =>
      waitFor(() => logs.find(predicate), { timeoutMs, what: 'a worker log line' }),
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      return await exited;
    },
  };
}
