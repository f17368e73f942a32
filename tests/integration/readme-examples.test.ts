/**
 * The README's examples, pasted (issue 12): every YAML block that is a monitors config, a monitor entry or a
 * monitor's settings block validates as it is written (the model-quality example once used the bucket
 * `s3://b/`, which the tool rightly rejects); the model-quality commands run as written against moto S3
 * (optional `[...]` flags dropped), on generated traffic and labels placed where they point. Other sections
 * have their own README tests: Deploy (deploy-readme.test.ts), backfill/status (jobs-cli.test.ts), the
 * library example (package-consumer.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { lastJson, runCli } from '../support/cli.js';

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

/** `driftwatch ...` commands of a bash block: continuation lines joined, comments and `[...]` dropped. */
function commands(text: string): string[][] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('driftwatch '))
    .map((l) =>
      l
        .replace(/\s+#.*$/, '')
        .replace(/\[[^\]]*\]/g, '')
        .trim()
        .split(/\s+/)
        .slice(1),
    );
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
      const line = raw.trim().replace(/\s+#.*$/, '');
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
