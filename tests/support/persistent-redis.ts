/**
 * A redis-server with AOF persistence (`appendonly yes`, `appendfsync always`) on a fixed port and data
 * folder, that a test can stop and start again: what production Redis for driftwatch must look like
 * (plus `maxmemory-policy noeviction`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './services.js';

export interface PersistentRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM: Redis flushes its AOF and exits). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * The pid of the redis-server answering on `port` (from `INFO server`), or undefined when nothing answers.
 * While the server is stopped its port is free, and another test's process may take it: the restarted
 * server is ready only when the one answering is ours.
 */
async function pidServing(port: number): Promise<number | undefined> {
  return await new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const done = (pid: number | undefined) => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(2_000, () => done(undefined));
    socket.once('connect', () => socket.write('*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n'));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const match = /process_id:(\d+)/.exec(text);
      if (match) done(Number(match[1]));
      else if (text.length > 65_536 || text.startsWith('-')) done(undefined);
    });
    socket.once('error', () => done(undefined));
    socket.once('close', () => done(undefined));
  });
}

export async function startPersistentRedis(): Promise<PersistentRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-redis-aof-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    const server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    child = server;
    const deadline = Date.now() + 20_000;
    while ((await pidServing(port)) !== server.pid) {
      if (server.exitCode !== null) throw new Error(`redis-server exited with code ${server.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const server = child;
    child = undefined;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
