import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_MARKER, prepareDemoDir } from '../../src/cli/commands/demo.js';

const root = mkdtempSync(join(tmpdir(), 'dw-demo-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('driftwatch demo --dir', () => {
  it('refuses a folder that is not empty and holds no demo marker, deleting nothing', async () => {
    const project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{}');
    await expect(prepareDemoDir(project)).rejects.toThrow(/--dir: .*not empty and was not made by the demo/);
    expect(readdirSync(project)).toEqual(['package.json']);
  });

  it('refuses a path that is a file', async () => {
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    await expect(prepareDemoDir(file)).rejects.toThrow(/not a folder/);
    expect(existsSync(file)).toBe(true);
  });

  it('creates a new folder, and empties one an earlier demo made', async () => {
    const d = join(root, 'new', 'demo');
    await prepareDemoDir(d);
    expect(readdirSync(d)).toEqual([DEMO_MARKER]);
    writeFileSync(join(d, 'old-report.json'), '{}');
    await prepareDemoDir(d);
    expect(readdirSync(d)).toEqual([DEMO_MARKER]);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await prepareDemoDir(empty);
    expect(readdirSync(empty)).toEqual([DEMO_MARKER]);
  });
});
