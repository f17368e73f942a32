import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPreprocessor } from '../../src/capture/index.js';
import { ConfigError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-pin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = 'export function preprocess(r) { return { a: 1 }; }\n';
const file = join(dir, 'pre.mjs');
writeFileSync(file, source);
const pin = createHash('sha256').update(source).digest('hex');

describe('a pinned preprocessor', () => {
  it('loads when its SHA-256 matches', async () => {
    const fn = await loadPreprocessor(file, { sha256: pin });
    expect(typeof fn).toBe('function');
  });

  it('is refused when its SHA-256 differs', async () => {
    await expect(loadPreprocessor(file, { sha256: '0'.repeat(64) })).rejects.toThrow(ConfigError);
    await expect(loadPreprocessor(file, { sha256: '0'.repeat(64) })).rejects.toThrow(/refusing to run it/);
  });

  it('is never loaded from a capture or report prefix', async () => {
    await expect(loadPreprocessor(file, { sha256: pin, forbiddenPrefixes: [dir] })).rejects.toThrow(
      /never loaded from a capture or report prefix/,
    );
  });
});

describe('preprocessor pin in the config', () => {
  const base = {
    endpoint: 'ep',
    capture: 's3://b/capture',
    baseline: 's3://b/baseline/',
    output: 's3://b/reports',
    schedule: 'cron(0 * ? * * *)',
  };
  it('requires preprocessorSha256 for an s3:// preprocessor, naming the field', async () => {
    const { parseMonitorsConfig } = await import('../../src/config/monitors.js');
    const { executionFor } = await import('../../src/jobs/payloads.js');
    expect(() =>
      parseMonitorsConfig({ monitors: [{ name: 'm', ...base, preprocessor: 's3://b/hooks/pre.mjs' }] }),
    ).toThrow(/monitors\[0\]\.preprocessorSha256.*must be pinned|must be pinned/);
    const pin = 'ab'.repeat(32);
    const config = parseMonitorsConfig({
      monitors: [{ name: 'm', ...base, preprocessor: 's3://b/hooks/pre.mjs', preprocessorSha256: pin }],
    });
    const data = executionFor(config.monitors[0]!, new Date('2026-01-01T01:00:00Z'), 'schedule').data;
    expect(data.kind === 'data-quality' && data.execution.preprocessorSha256).toBe(pin);
  });

  it('refuses a preprocessor under the capture or output prefix', async () => {
    const { parseMonitorsConfig } = await import('../../src/config/monitors.js');
    const pin = 'ab'.repeat(32);
    for (const where of ['s3://b/capture/ep/pre.mjs', 's3://b/reports/pre.mjs']) {
      expect(() =>
        parseMonitorsConfig({
          monitors: [{ name: 'm', ...base, preprocessor: where, preprocessorSha256: pin }],
        }),
      ).toThrow(/never loaded from the (capture|output) prefix/);
    }
    // A sibling folder whose name starts like the capture prefix is not under it.
    expect(() =>
      parseMonitorsConfig({
        monitors: [
          { name: 'm', ...base, preprocessor: 's3://b/capture-hooks/pre.mjs', preprocessorSha256: pin },
        ],
      }),
    ).not.toThrow();
  });

  it('an execution never loads one from its capture prefix, even when the payload came from elsewhere', async () => {
    await expect(loadPreprocessor(file, { sha256: pin, forbiddenPrefixes: [dir] })).rejects.toThrow(
      /never loaded/,
    );
    await expect(
      loadPreprocessor(file, { sha256: pin, forbiddenPrefixes: [`${dir}-other`] }),
    ).resolves.toBeTypeOf('function');
  });
});
