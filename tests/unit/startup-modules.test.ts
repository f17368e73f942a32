/**
 * Issue 15, start-up: a command loads only what it uses. `driftwatch run --help` (and `--help`,
 * `--version`) must load no AWS SDK module: the S3 and CloudWatch clients cost ~0.6 s to import and a
 * local run never needs them. Every module the child loads is recorded by tests/support/loaded-modules.mjs
 * (ES modules through a resolve hook, CommonJS modules from require's cache); a control run that imports
 * the S3 client shows that the recording sees the SDK when it is loaded. Runs dist/ (build first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';

const RECORDER = fileURLToPath(new URL('../support/loaded-modules.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dw-startup-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The modules a node child loaded running `args` (after the recorder). */
function loadedModules(name: string, args: string[]): string[] {
  const file = join(dir, `${name}.txt`);
  const child = spawnSync(process.execPath, ['--import', RECORDER, ...args], {
    env: { ...process.env, DW_LOADED_MODULES_FILE: file },
    encoding: 'utf8',
    // The repository: where the control run finds the SDK package.
    cwd: join(CLI, '..', '..'),
    timeout: 60_000,
  });
  expect(child.status, child.stderr).toBe(0);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

const SDK = /[\\/]@aws-sdk[\\/]|[\\/]@smithy[\\/]/;

describe('start-up loads only what the command uses', () => {
  it('the recorder sees the AWS SDK when something imports it (control)', () => {
    const modules = loadedModules('control', [
      '--input-type=module',
      '-e',
      "await import('@aws-sdk/client-s3')",
    ]);
    expect(modules.some((m) => SDK.test(m))).toBe(true);
  });

  it.each([
    ['run --help', ['run', '--help']],
    ['--help', ['--help']],
    ['--version', ['--version']],
  ])('driftwatch %s loads no AWS SDK module', (name, args) => {
    const modules = loadedModules(name.replace(/\W+/g, '-'), [CLI, ...args]);
    // The CLI itself was loaded and recorded (the recorder works for this child).
    expect(modules.some((m) => m.includes('/dist/src/cli/main.js'))).toBe(true);
    expect(modules.filter((m) => SDK.test(m))).toEqual([]);
  });
});
