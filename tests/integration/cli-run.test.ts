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

interface Summary {
  status: string;
  recordsRead: number;
  rowsProfiled: number;
  driftedFeatures: string[];
  reportUri: string;
  timings: { threads: number };
}

describe('driftwatch run (CLI)', () => {
  it('gives the same result in worker threads as in one thread, and prints the summary as the last JSON line', async () => {
    const common = [
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
      '--json',
    ];
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
});
