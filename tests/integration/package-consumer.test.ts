/**
 * The package as a consumer gets it: `npm pack` (of the build `npm test` just made), the tarball unpacked
 * as `node_modules/driftwatch` of a temporary project outside the repository, its dependencies linked from
 * the repository's `node_modules` (nothing is downloaded: the test runs offline and the same every time;
 * only the package's declared dependencies are linked, so an undeclared import fails here). Then the
 * README's "Use it from code" example is type-checked against the shipped declarations (our `tsc`, strict)
 * and run; the tarball holds only what is needed, and its size is printed. The consumer compiles with
 * skipLibCheck (as most do; checking every dependency's declarations takes a minute), so the shipped
 * declarations' own imports are audited: each names `node:` or a declared dependency that brings its types.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

/** The first ```ts block after the README's "## Use it from code" heading. */
function readmeExample(readme: string): string {
  const section = readme.split(/^## Use it from code$/m)[1];
  const block = section?.split(/^## /m)[0]?.match(/^```ts\n([\s\S]*?)^```$/m)?.[1];
  if (!block) throw new Error('README has no ```ts block under "## Use it from code"');
  return block;
}

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

let dir: string;
let packed: PackResult;
const installed = () => join(dir, 'node_modules', 'driftwatch');

beforeAll(async () => {
  if (!existsSync(join(repo, 'dist', 'src', 'index.d.ts')))
    throw new Error('dist/src/index.d.ts is missing: run `npm run build` first (`npm test` does)');
  dir = mkdtempSync(join(tmpdir(), 'dw-consumer-'));
  // --ignore-scripts: `prepare` would build again; `npm test` built dist/ already.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: repo,
    env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' },
  });
  packed = (JSON.parse(stdout) as PackResult[])[0] as PackResult;
  mkdirSync(installed(), { recursive: true });
  await run('tar', ['-xzf', join(dir, packed.filename), '-C', installed(), '--strip-components=1']);
  // What `npm install <tarball>` would fetch, taken from the repository's node_modules instead.
  for (const name of [...Object.keys(pkg.dependencies), '@types/node']) {
    const target = join(repo, 'node_modules', name);
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noUncheckedIndexedAccess: true,
        types: ['node'],
        // Checking every dependency's declarations takes a minute; ours are audited below instead.
        skipLibCheck: true,
        outDir: 'out',
        rootDir: '.',
      },
      files: ['consumer.ts'],
    }),
  );
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds only what is needed', () => {
    console.log(
      `driftwatch-${pkg.version}.tgz: ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed.files.length} files`,
    );
    const paths = packed.files.map((f) => f.path);
    for (const needed of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'bin/driftwatch.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/main.js',
      'dist/src/monitor/profile-worker.js',
    ])
      expect(paths).toContain(needed);
    const unexpected = paths.filter(
      (p) =>
        !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/driftwatch.js'].includes(p) &&
        !/^dist\/src\/.+(?<!\.d)\.js$/.test(p) &&
        !/^dist\/src\/.+\.d\.ts$/.test(p),
    );
    expect(unexpected).toEqual([]);
    // No tests, benchmarks, fixtures, source maps or TypeScript sources.
    expect(paths.filter((p) => /(^|\/)(tests|bench|fixtures)\/|\.map$|(?<!\.d)\.ts$/.test(p))).toEqual([]);
    expect(packed.size).toBeLessThan(1024 * 1024);
  });

  it("type-checks and runs the README's example against the shipped declarations", async () => {
    const example = readmeExample(readFileSync(join(repo, 'README.md'), 'utf8'));
    writeFileSync(join(dir, 'consumer.ts'), example);
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const compiled = await run(process.execPath, [tsc, '-p', dir], { cwd: dir }).catch(
      (error: { stdout?: string }) => {
        throw new Error(`tsc failed on the README example:\n${error.stdout}`);
      },
    );
    expect(compiled.stdout).toBe('');
    const { stdout } = await run(process.execPath, [join(dir, 'out', 'consumer.js')], { cwd: dir });
    expect(stdout).toMatch(/^age: Integral, plan: String$/m);
    expect(stdout).toMatch(/^constraints for 2 features$/m);
    expect(stdout).toMatch(/^ks statistic 0\.16, p /m);
    expect(stdout).toMatch(/^default test wasserstein_norm: drift true$/m);
  });

  it('declares every package its declarations import, with types', () => {
    const specifiers = new Set<string>();
    for (const f of packed.files.filter((f) => f.path.endsWith('.d.ts'))) {
      const text = readFileSync(join(installed(), f.path), 'utf8');
      for (const m of text.matchAll(/(?:from |import\()'([^'.][^']*)'/g)) specifiers.add(m[1] as string);
    }
    expect(specifiers.size).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const specifier of specifiers) {
      if (specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
      if (!(name in pkg.dependencies)) {
        missing.push(`${name} (not a dependency)`);
        continue;
      }
      const manifest = readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8');
      const typed = /"(types|typings)"\s*:/.test(manifest);
      const typesPackage = `@types/${name.replace(/^@/, '').replace('/', '__')}`;
      if (!typed && !(typesPackage in pkg.dependencies)) missing.push(`${name} (no types)`);
    }
    expect(missing).toEqual([]);
  });

  it('exposes only its entry point, and its CLI', async () => {
    const probe = `
      const m = await import('driftwatch');
      const names = Object.keys(m);
      let deep = 'importable';
      try { await import('driftwatch/dist/src/metrics/drift/ks.js'); } catch (e) { deep = e.code; }
      console.log(JSON.stringify({ names, deep, version: m.driftwatchVersion() }));`;
    writeFileSync(join(dir, 'probe.mjs'), probe);
    const { stdout } = await run(process.execPath, [join(dir, 'probe.mjs')], { cwd: dir });
    const { names, deep, version } = JSON.parse(stdout) as { names: string[]; deep: string; version: string };
    expect(deep).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    expect(version).toBe(pkg.version);
    for (const name of [
      'buildBaseline',
      'baselineFromRows',
      'runDataQualityExecution',
      'runModelQualityExecution',
      'runBiasExecution',
      'runAttributionExecution',
      'compareDatasets',
      'DRIFT_TESTS',
      'ksTwoSample',
      'DatasetProfile',
      'KllSketch',
      'parseStatistics',
      'renderConstraints',
      'createStorage',
    ])
      expect(names).toContain(name);
    const cli = await run(process.execPath, [join(installed(), 'bin', 'driftwatch.js'), '--version'], {
      cwd: dir,
    });
    expect(cli.stdout.trim()).toBe(pkg.version);
  });
});
