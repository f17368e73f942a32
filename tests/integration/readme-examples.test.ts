/**
 * The README's examples, pasted (issue 12): every YAML block that is a monitors config, a monitor entry or a
 * monitor's settings block validates as it is written (the model-quality example once used the bucket
 * `s3://b/`, which the tool rightly rejects); the model-quality commands run as written against moto S3
 * (optional `[...]` flags dropped), on generated traffic and labels placed where they point; the quick start
 * runs as written from an empty folder (`npm run demo`'s command after its build, then the block that explores
 * its output), as do the dashboard commands (serving: on a free port, since fixed ports collide in parallel
 * runs) and `compare` (on moto S3). `npx driftwatch` and `driftwatch` both run the built CLI. Other sections
 * have their own README tests: Deploy (deploy-readme.test.ts), backfill/status (jobs-cli.test.ts), the
 * library example (package-consumer.test.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { registerCommands } from '../../src/cli/commands/index.js';
import { parseMonitorsConfig } from '../../src/config/monitors.js';
import { createStorage } from '../../src/io/storage.js';
import { baselineCsv, writeCapture, writeGroundTruth } from '../fixtures/quality/traffic.js';
import { testS3Client } from '../support/aws.js';
import { CLI, lastJson, runCli } from '../support/cli.js';

const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'dw-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fenced blocks of a language, with the heading they are under. */
function blocks(lang: string): Array<{ heading: string; text: string }> {
  const out: Array<{ heading: string; text: string }> = [];
  let heading = '';
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('#')) heading = line;
    if (line.startsWith('```')) {
      const end = lines.indexOf('```', i + 1);
      if (line === `\`\`\`${lang}`) out.push({ heading, text: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
  }
  return out;
}

const minimalMonitor = {
  name: 'm',
  endpoint: 'ep',
  capture: 's3://my-bucket/capture',
  baseline: 's3://my-bucket/baseline/',
  output: 's3://my-bucket/out/',
  schedule: 'cron(0 * ? * * *)',
};

/** A README command line that runs the CLI: `driftwatch ...` or, as in a checkout, `npx driftwatch ...`. */
const CLI_LINE = /^(npx )?driftwatch /;

/** A line's words with its comment and `[...]` dropped; a CLI line's start after `driftwatch`. */
function wordsOf(line: string): string[] {
  const words = line
    .trim()
    .replace(/(^|\s+)#.*$/, '')
    .replace(/\[[^\]]*\]/g, '')
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  return CLI_LINE.test(line.trim()) ? words.slice(words.indexOf('driftwatch') + 1) : words;
}

/** The lines of a bash block as words (see `wordsOf`), continuation lines joined, empty ones left out. */
function shellLines(text: string): string[][] {
  return text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map(wordsOf)
    .filter((words) => words.length > 0);
}

/** The `driftwatch ...` commands of a bash block (see `wordsOf`). */
function commands(text: string): string[][] {
  return text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => CLI_LINE.test(l.trim()))
    .map(wordsOf);
}

/**
 * Runs `driftwatch dashboard ...` (serving) until it says where it listens, fetches the index, and stops it
 * with SIGINT as Ctrl-C does. `--port` becomes 0 (any free port).
 */
async function serveOnce(args: string[], cwd: string): Promise<{ index: string; code: number | null }> {
  const at = args.indexOf('--port');
  const free = at >= 0 ? args.map((a, i) => (i === at + 1 ? '0' : a)) : [...args, '--port', '0'];
  const child = spawn(process.execPath, [CLI, ...free], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`driftwatch ${free.join(' ')}: no address after 60 s; ${stderr}`));
    }, 60_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /dashboard on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve((m[1] as string).replace('0.0.0.0', '127.0.0.1'));
      }
    });
    void closed.then((code) => {
      clearTimeout(timer);
      reject(new Error(`driftwatch ${free.join(' ')} exited ${code}: ${stderr}`));
    });
  });
  try {
    const answer = await fetch(url);
    expect(answer.status).toBe(200);
    const index = await answer.text();
    child.kill('SIGINT');
    return { index, code: await closed };
  } finally {
    child.kill('SIGKILL');
  }
}

describe("the README's examples", () => {
  it('every YAML block that configures monitors validates as written', () => {
    const checked: string[] = [];
    for (const { heading, text } of blocks('yaml')) {
      const doc = YAML.parse(text) as unknown;
      let config: unknown;
      if (Array.isArray(doc))
        config = { monitors: doc }; // monitor entries
      else if (doc && typeof doc === 'object' && 'monitors' in doc)
        config = doc; // a whole file
      else if (doc && typeof doc === 'object' && 'alarms' in doc)
        config = { monitors: [{ ...minimalMonitor, ...(doc as object) }] }; // a monitor's block
      else continue;
      expect(() => parseMonitorsConfig(config, `README ${heading}`), heading).not.toThrow();
      checked.push(heading);
    }
    expect(checked).toEqual(
      expect.arrayContaining(['## Model quality', '## Alerts and on-call runbook', '## Running the worker']),
    );
  });

  it('the model-quality commands run as written against S3 (moto)', async () => {
    const block = blocks('bash').find((b) => b.text.includes('run-quality'));
    expect(block, 'README: the model-quality bash block').toBeDefined();
    const [baseline, run] = commands(block?.text ?? '');
    expect(baseline?.[0]).toBe('baseline');
    expect(run?.[0]).toBe('run-quality');
    const flag = (args: string[], name: string) => args[args.indexOf(name) + 1] as string;
    // The bucket and the data the commands point at.
    const bucket = /^s3:\/\/([^/]+)\//.exec(flag(run as string[], '--baseline'))?.[1] as string;
    await testS3Client()
      .send(new CreateBucketCommand({ Bucket: bucket }))
      .catch((error: { name?: string }) => {
        if (!/BucketAlready(OwnedByYou|Exists)/.test(error.name ?? '')) throw error;
      });
    const storage = createStorage();
    writeFileSync(join(dir, flag(baseline as string[], '--dataset')), baselineCsv(800));
    const start = new Date(flag(run as string[], '--start'));
    const [records] = await writeCapture({
      storage,
      captureUri: flag(run as string[], '--capture'),
      groundTruthUri: flag(run as string[], '--ground-truth'),
      endpoint: flag(run as string[], '--endpoint'),
      start,
      hours: 1,
      perHour: 300,
      degradeFromHour: 99,
    });
    await writeGroundTruth(
      storage,
      flag(run as string[], '--ground-truth'),
      new Date(start.getTime() + 5 * 3_600_000),
      records ?? [],
    );
    storage.destroy();

    const built = await runCli([...(baseline as string[]), '--json'], { timeoutMs: 120_000, cwd: dir });
    expect(built.code, built.stderr).toBe(0);
    const executed = await runCli([...(run as string[]), '--json'], { timeoutMs: 120_000, cwd: dir });
    expect(executed.code, executed.stderr).toBe(0);
    const summary = lastJson<{ status: string; modelQuality: { join: { matched: number } } }>(
      executed.stdout,
    );
    expect(summary.status).toMatch(/^Completed/);
    expect(summary.modelQuality.join.matched).toBe(300);
  });

  it('the quick start runs as written: the demo, then its dashboard and one hour by hand', async () => {
    const [first] = blocks('bash');
    expect(first?.text.split('\n')[0]).toMatch(/^npm ci && npm run demo\s/);
    // `npm run demo` is the build (done before the tests) and then this command:
    const script = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).scripts
      .demo as string;
    const demo = script.split('&&').at(-1)?.trim().split(/\s+/) ?? [];
    expect(demo.slice(0, 2)).toEqual(['node', 'dist/src/cli/main.js']);
    const fresh = join(dir, 'checkout');
    await mkdir(fresh);
    const ran = await runCli(demo.slice(2), { cwd: fresh, timeoutMs: 240_000 });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(
      `Serve it: driftwatch dashboard --config ${join(fresh, 'demo-output', 'monitors.yaml')}`,
    );

    const explore = blocks('bash').find((b) => b.text.startsWith('cd demo-output'));
    expect(explore, 'README: the block after the demo').toBeDefined();
    let cwd = fresh;
    const done: string[] = [];
    for (const words of shellLines(explore?.text ?? '')) {
      if (words[0] === 'cd') {
        cwd = join(cwd, words[1] as string);
        continue;
      }
      if (words[0] === 'dashboard') {
        const served = await serveOnce(words, cwd);
        expect(served.code).toBe(0);
        expect(served.index).toContain('data-monitor="churn-data-quality"');
      } else {
        const result = await runCli(words, { cwd, timeoutMs: 120_000 });
        expect(result.code, `${words.join(' ')}: ${result.stderr}`).toBe(0);
        expect(result.stdout).toMatch(/^CompletedWithViolations: /);
        expect(result.stdout).toMatch(/drifted +prediction, income, basket_value, plan/);
        const reports = /reports +(\S+)/.exec(result.stdout)?.[1] as string;
        expect(existsSync(join(cwd, reports, 'execution.json'))).toBe(true);
      }
      done.push(words[0] as string);
    }
    expect(done).toEqual(['dashboard', 'run']);

    // The dashboard section's commands, from the demo's folder (where its monitors.yaml is).
    const dashboard = blocks('bash').find((b) =>
      b.text.includes('dashboard --config monitors.yaml --export'),
    );
    const lines = commands(dashboard?.text ?? '');
    expect(lines).toHaveLength(3);
    for (const words of lines) {
      if (!words.includes('--export')) {
        const served = await serveOnce(words, cwd);
        expect(served.code).toBe(0);
        expect(served.index).toContain('<tr data-endpoint="churn-endpoint">');
        continue;
      }
      const exported = await runCli(words, { cwd, timeoutMs: 120_000 });
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toContain('dashboard written: 2 pages, 24 reports');
      expect(existsSync(join(cwd, words[words.indexOf('--export') + 1] as string, 'index.html'))).toBe(true);
    }
  }, 600_000);

  it('the compare command runs as written against S3 (moto)', async () => {
    const line = blocks('')
      .flatMap((b) => commands(b.text))
      .find((words) => words[0] === 'compare');
    expect(line, 'README: the compare example').toBeDefined();
    const words = line as string[];
    const baselineData = words[words.indexOf('--baseline-data') + 1] as string;
    const current = words[words.indexOf('--current-data') + 1] as string;
    const bucket = /^s3:\/\/([^/]+)\//.exec(baselineData)?.[1] as string;
    await testS3Client()
      .send(new CreateBucketCommand({ Bucket: bucket }))
      .catch((error: { name?: string }) => {
        if (!/BucketAlready(OwnedByYou|Exists)/.test(error.name ?? '')) throw error;
      });
    const storage = createStorage();
    await storage.write(`${baselineData}part-0.csv`, baselineCsv(800, 1));
    storage.destroy();
    const cwd = join(dir, 'compare');
    await mkdir(cwd);
    writeFileSync(join(cwd, current), baselineCsv(600, 2));
    const result = await runCli(words, { cwd, timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const report = lastJson<{ features: Record<string, { drift: boolean; default_test: string }> }>(
      result.stdout,
    );
    expect(Object.keys(report.features).sort()).toEqual(['label', 'probability']);
    expect(report.features.probability?.drift).toBe(false);
  });

  it('every driftwatch command the README shows (code blocks and the command table) uses flags that exist', async () => {
    const lines: string[] = [];
    for (const lang of ['bash', ''])
      for (const b of blocks(lang)) lines.push(...b.text.replace(/\\\n\s*/g, ' ').split('\n'));
    // The command table and other inline examples: `driftwatch ...` in backticks, alternatives split on ` / `.
    for (const m of readme.matchAll(/`(driftwatch [^`]+)`/g)) lines.push(...(m[1] as string).split(/` \/ `/));
    const program = new Command('driftwatch');
    await registerCommands(program, []);
    const checked = new Set<string>();
    for (const raw of lines) {
      const line = raw
        .trim()
        .replace(/\s+#.*$/, '')
        .replace(/^npx /, '');
      if (!line.startsWith('driftwatch ')) continue;
      const words = line.split(/\s+/).slice(1);
      const name = words[0] as string;
      if (!/^[a-z][a-z-]*$/.test(name) || (name === 'schedule' && words[1] === '/')) continue; // "schedule / worker / ..."
      const entry = program.commands.find((c) => c.name() === name);
      expect(entry, `README: driftwatch ${name}`).toBeDefined();
      const one = new Command('driftwatch');
      await registerCommands(one, [name]);
      let command = one.commands.find((c) => c.name() === name) as Command;
      const sub = command.commands.find((c) => c.name() === words[1]);
      if (sub) command = sub;
      const known = new Set(command.options.flatMap((o) => [o.long, o.short].filter(Boolean) as string[]));
      for (const word of words) {
        const flag = /^\[?(--?[a-z][a-z0-9-]*)/.exec(word)?.[1];
        if (flag) expect(known.has(flag), `README: driftwatch ${name} ${flag} (in: ${line})`).toBe(true);
      }
      checked.add(`${name}${sub ? ` ${sub.name()}` : ''}`);
    }
    expect([...checked]).toEqual(
      expect.arrayContaining([
        'baseline',
        'run',
        'run-quality',
        'compare',
        'backfill',
        'status',
        'config validate',
      ]),
    );
  });
});
