/** Start and stop real Redis and moto_server processes on free loopback ports, for tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunningService {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(
  port: number,
  child: ChildProcess,
  name: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with code ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not listen on port ${port} within ${timeoutMs} ms`);
}

function stopper(child: ChildProcess, cleanup?: () => void): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    cleanup?.();
  };
}

/** A redis-server with no persistence on a free port; `port` pins it (for restart tests). */
export async function startRedis(port?: number): Promise<RunningService> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  await waitForPort(p, child, 'redis-server');
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    process: child,
    stop: stopper(child, () => rmSync(dir, { recursive: true, force: true })),
  };
}

/**
 * moto_server (S3, CloudWatch, ...) on a free port. `enforcePolicies` starts it through
 * `moto_launcher.py`, which enforces S3 bucket-policy Deny statements on PutObject (moto 5.2 does not);
 * `env` adds environment variables (e.g. `INITIAL_NO_AUTH_ACTION_COUNT` for IAM enforcement).
 */
export async function startMoto(
  options: { enforcePolicies?: boolean; env?: Record<string, string> } = {},
): Promise<RunningService> {
  const p = await freePort();
  const entry = options.enforcePolicies
    ? [fileURLToPath(new URL('./moto_launcher.py', import.meta.url))]
    : ['-m', 'moto.server'];
  const child = spawn('python3', [...entry, '-H', '127.0.0.1', '-p', String(p)], {
    stdio: 'ignore',
    env: { ...process.env, ...options.env },
  });
  await waitForPort(p, child, 'moto_server', 60_000);
  return { url: `http://127.0.0.1:${p}`, port: p, process: child, stop: stopper(child) };
}
