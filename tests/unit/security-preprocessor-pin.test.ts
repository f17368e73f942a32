import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPreprocessor } from '../../src/capture/index.js';
import { ConfigError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-pin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a pinned preprocessor', () => {
  const source = 'export function preprocess(r) { return { a: 1 }; }\n';
  const file = join(dir, 'pre.mjs');
  writeFileSync(file, source);
  const pin = createHash('sha256').update(source).digest('hex');

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
