import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline } from '../../src/baseline/build.js';
import { writeCaptureHours, writeTrainingCsv } from '../../src/demo/traffic.js';
import { createStorage } from '../../src/io/storage.js';
import { lastJson, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-cli-run-'));
const storage = createStorage();
const start = '2026-04-01T00:00:00.000Z';
const end = '2026-04-01T03:00:00.000Z';

beforeAll(async () => {
  await writeTrainingCsv(storage, join(dir, 'train.csv'), 5000);
  await buildBaseline(storage, { dataset: join(dir, 'train.csv'), out: join(dir, 'baseline') });
  await writeCaptureHours(storage, {
    captureUri: join(dir, 'capture'),
    endpoint: 'ep',
    start: new Date(start),
    hours: 3,
    recordsPerHour: 1200,
    filesPerHour: 6,
    driftFrom: new Date('2026-04-01T01:30:00Z'),
    drift: { numericShift: { support_calls: 2 } },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `driftwatch run` over the generated window: its baseline, capture, endpoint and hours. */
const runWindow = [
  'run',
  '--baseline',
  join(dir, 'baseline'),
  '--capture',
  join(dir, 'capture'),
  '--endpoint',
  'ep',
  '--start',
  start,
  '--end',
  end,
];

interface Summary {
  status: string;
  recordsRead: number;
  rowsProfiled: number;
  driftedFeatures: string[];
  reportUri: string;
  timings: { threads: number };
}

describe('driftwatch run (CLI)', () => {
  it('profiles on one thread when --threads is not given (the default; README "Performance" says why)', async () => {
    const common = [...runWindow, '--json'];
    // 18 capture objects and two or more cores would allow threads: the default still asks for none.
    const byDefault = await runCli([...common, '--out', join(dir, 'out-default')]);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    const one = await runCli([...common, '--out', join(dir, 'out-one'), '--threads', '1']);
    expect(one.code, one.stderr).toBe(0);
    const a = lastJson<Summary>(byDefault.stdout);
    const b = lastJson<Summary>(one.stdout);
    expect(a.timings.threads).toBe(1);
    expect(a.recordsRead).toBe(3600);
    // One pass, so the reports do not depend on the machine: byte for byte those of --threads 1.
    for (const file of ['statistics.json', 'constraint_violations.json'])
      expect(readFileSync(join(a.reportUri, file), 'utf8')).toBe(
        readFileSync(join(b.reportUri, file), 'utf8'),
      );
  });

  it('gives the same result in worker threads as in one thread, and prints the summary as the last JSON line', async () => {
    const common = [...runWindow, '--json'];
    const one = await runCli([...common, '--out', join(dir, 'out1'), '--threads', '1']);
    expect(one.code, one.stderr).toBe(0);
    const two = await runCli([...common, '--out', join(dir, 'out2'), '--threads', '3']);
    expect(two.code, two.stderr).toBe(0);
    const a = lastJson<Summary>(one.stdout);
    const b = lastJson<Summary>(two.stdout);
    expect(a.timings.threads).toBe(1);
    expect(b.timings.threads).toBe(3);
    expect(b.recordsRead).toBe(3600);
    expect(b.rowsProfiled).toBe(a.rowsProfiled);
    expect(b.status).toBe('CompletedWithViolations');
    expect(b.driftedFeatures).toEqual(a.driftedFeatures);
    expect(b.driftedFeatures).toContain('support_calls');
    const statsA = JSON.parse(readFileSync(join(a.reportUri, 'statistics.json'), 'utf8'));
    const statsB = JSON.parse(readFileSync(join(b.reportUri, 'statistics.json'), 'utf8'));
    for (const [i, f] of statsA.features.entries()) {
      const g = statsB.features[i];
      expect(g.name).toBe(f.name);
      const fa = f.numerical_statistics ?? f.string_statistics;
      const fb = g.numerical_statistics ?? g.string_statistics;
      expect(fb.common).toEqual(fa.common);
      if (f.numerical_statistics) {
        expect(fb.sum).toBeCloseTo(fa.sum, 6);
        expect(fb.std_dev).toBeCloseTo(fa.std_dev, 9);
        expect(fb.min).toBe(fa.min);
      } else {
        expect(fb.distribution).toEqual(fa.distribution);
      }
    }
  });

  it('exits non-zero with the reason when the window has no data', async () => {
    const r = await runCli([
      'run',
      '--baseline',
      join(dir, 'baseline'),
      '--capture',
      join(dir, 'capture', 'ep'),
      '--start',
      '2026-05-01T00:00:00Z',
      '--end',
      '2026-05-01T01:00:00Z',
      '--out',
      join(dir, 'out3'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Failed: No captured data in the window/);
  });

  it('exit codes: violations 0, or 3 with --fail-on-violations; usage and config errors 2, as JSON on stdout with --json', async () => {
    const common = runWindow;
    const plain = await runCli([...common, '--out', join(dir, 'gate0'), '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(lastJson<Summary>(plain.stdout).status).toBe('CompletedWithViolations');
    const gate = await runCli([...common, '--out', join(dir, 'gate3'), '--fail-on-violations']);
    expect(gate.code, gate.stderr).toBe(3);
    expect(gate.stdout).toMatch(/^CompletedWithViolations/);

    // A usage error (commander said 1, like a failed execution) is 2; with --json also JSON on stdout.
    const unknown = await runCli([...common, '--out', join(dir, 'x'), '--no-such-flag', '--json']);
    expect(unknown.code).toBe(2);
    expect(lastJson<{ error: { code: string; message: string; exitCode: number } }>(unknown.stdout)).toEqual({
      error: { code: 'E_USAGE', message: expect.stringContaining('--no-such-flag'), exitCode: 2 },
    });
    const bad = await runCli([
      ...common.slice(0, -4),
      '--start',
      end,
      '--end',
      start,
      '--out',
      dir,
      '--json',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not before --end');
    const error = lastJson<{ error: { code: string; message: string; exitCode: number } }>(bad.stdout).error;
    expect(error).toMatchObject({ code: 'E_CONFIG', exitCode: 2 });
    expect(error.message).toContain('is not before --end');
    // Without --json, stdout stays empty on an error.
    const quiet = await runCli([...common.slice(0, -4), '--start', end, '--end', start, '--out', dir]);
    expect(quiet.code).toBe(2);
    expect(quiet.stdout).toBe('');
  });

  it('shows progress on stderr (objects, records, rate), never on stdout: --json output stays one JSON line', async () => {
    const args = [...runWindow, '--threads', '1', '--json'];
    // DRIFTWATCH_PROGRESS_MS=0: a line per update (default: at most every 2 s, so a short run prints none).
    const r = await runCli([...args, '--out', join(dir, 'progress')], {
      env: { DRIFTWATCH_PROGRESS_MS: '0' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^objects \d+\/18, [\d,]+ records read, [\d,]+ records\/s$/m);
    expect(r.stderr).toMatch(/^objects 18\/18, 3,600 records read, [\d,]+ records\/s \(done\)$/m);
    const stdout = r.stdout.trim().split('\n');
    expect(stdout).toHaveLength(1);
    expect(JSON.parse(stdout[0] as string).recordsRead).toBe(3600);
    const quiet = await runCli([...args, '--out', join(dir, 'progress-default')]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('records read');
  });
});
