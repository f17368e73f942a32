import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type CaptureRecord, loadPreprocessor } from '../../src/capture/index.js';
import { ConfigError } from '../../src/core/errors.js';

const root = mkdtempSync(join(tmpdir(), 'dw-preprocessor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const record: CaptureRecord = {
  eventId: 'e',
  inferenceId: undefined,
  inferenceTime: undefined,
  input: { data: '41,gold', encoding: 'CSV', contentType: 'text/csv', mode: 'INPUT' },
  output: { data: '0.5', encoding: 'CSV', contentType: 'text/csv', mode: 'OUTPUT' },
  customAttributes: undefined,
  lineNumber: 1,
  source: 'f',
};

function module(name: string, source: string): string {
  const file = join(root, name);
  writeFileSync(file, source);
  return file;
}

describe('loadPreprocessor', () => {
  it('loads a named `preprocess` export', async () => {
    const file = module(
      'named.mjs',
      "export function preprocess(r) { const [age, plan] = r.input.data.split(','); return { age, plan }; }\n",
    );
    const hook = await loadPreprocessor(file);
    expect(hook(record)).toEqual({ age: '41', plan: 'gold' });
  });

  it('loads a default export, also through a file:// URL', async () => {
    const file = module('default.mjs', 'export default (r) => r.eventId === "e" ? null : { x: 1 };\n');
    expect((await loadPreprocessor(file))(record)).toBeNull();
    expect((await loadPreprocessor(pathToFileURL(file).href))(record)).toBeNull();
  });

  it('loads a CommonJS module exporting { preprocess }', async () => {
    const file = module(
      'common.cjs',
      'module.exports = { preprocess: (r) => ({ score: Number(r.output.data) }) };\n',
    );
    expect((await loadPreprocessor(file))(record)).toEqual({ score: 0.5 });
  });

  it('uses the compiled JavaScript of a TypeScript hook', async () => {
    const ts = module('typed.ts', 'export function preprocess(r: unknown) { return { fromTs: true }; }\n');
    module('typed.js', 'export function preprocess() { return { fromJs: true }; }\n');
    expect((await loadPreprocessor(ts))(record)).toEqual({ fromJs: true });
    const lonely = module('lonely.ts', 'export const x = 1;\n');
    await expect(loadPreprocessor(lonely)).rejects.toThrow(/compiled to JavaScript first/);
  });

  it('turns every load problem into one ConfigError naming the file', async () => {
    const cases = [
      join(root, 'missing.mjs'),
      module('syntax.mjs', 'export function preprocess( {\n'),
      module('noexport.mjs', 'export const preprocessor = 1;\n'),
      module('throws.mjs', 'throw new Error("top-level failure");\n'),
    ];
    for (const file of cases) {
      const error = await loadPreprocessor(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, file).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).file).toBe(file);
      expect((error as ConfigError).message).toContain(file);
    }
  });
});
