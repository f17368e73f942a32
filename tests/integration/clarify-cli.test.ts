/**
 * `driftwatch baseline --analysis bias`, `run-bias` and `run-attribution` through commander in-process, on
 * local files: a healthy and a degraded hour (exit 0, and 3 under --fail-on-violations), the JSON summary.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register as registerBaseline } from '../../src/cli/commands/baseline.js';
import { register as registerRunAttribution } from '../../src/cli/commands/run-attribution.js';
import { register as registerRunBias } from '../../src/cli/commands/run-bias.js';
import { createStorage } from '../../src/io/storage.js';
import type { AttributionSummary } from '../../src/monitor/attribution.js';
import type { BiasSummary } from '../../src/monitor/bias.js';
import {
  attributionBaselineJson,
  BIAS_ANALYSIS_CONFIG,
  biasBaselineCsv,
  writeAttributionTraffic,
  writeBiasTraffic,
} from '../fixtures/clarify/traffic.js';

const HOUR = 3_600_000;
const START = new Date('2026-04-01T00:00:00Z');
const at = (h: number) => new Date(START.getTime() + h * HOUR).toISOString();

async function cli(args: string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
  const program = new Command('driftwatch').exitOverride();
  registerBaseline(program);
  registerRunBias(program);
  registerRunAttribution(program);
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'driftwatch', ...args]);
    return { stdout: chunks.join(''), exitCode: process.exitCode as number | undefined };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}

const lastJson = <T>(stdout: string): T => JSON.parse(stdout.trim().split('\n').pop() as string) as T;

describe('Clarify commands', () => {
  const storage = createStorage();
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dw-clarify-cli-'));
    await storage.write(join(root, 'config.json'), JSON.stringify(BIAS_ANALYSIS_CONFIG));
    await storage.write(join(root, 'train.csv'), biasBaselineCsv(160));
    await writeBiasTraffic({
      storage,
      captureUri: join(root, 'capture'),
      groundTruthUri: join(root, 'gt'),
      endpoint: 'credit',
      start: START,
      hours: 2,
      perHour: 160,
      degraded: (h) => h === 1,
      labelDelayHours: 1,
    });
    await storage.write(join(root, 'attr-baseline', 'analysis.json'), attributionBaselineJson());
    await writeAttributionTraffic({
      storage,
      captureUri: join(root, 'capture'),
      endpoint: 'explained',
      start: START,
      hours: 1,
      perHour: 60,
      shifted: () => true,
    });
  });

  afterAll(async () => {
    storage.destroy();
    await rm(root, { recursive: true, force: true });
  });

  it('builds the bias baseline, then runs a healthy and a degraded hour', async () => {
    const baseline = await cli([
      'baseline',
      '--analysis',
      'bias',
      '--dataset',
      join(root, 'train.csv'),
      '--analysis-config',
      join(root, 'config.json'),
      '--predicted-label',
      'predicted_label',
      '--out',
      join(root, 'bias-baseline'),
      '--json',
    ]);
    expect(lastJson<{ rows: number }>(baseline.stdout).rows).toBe(160);
    const run = (h: number, extra: string[] = []) =>
      cli([
        'run-bias',
        '--baseline',
        join(root, 'bias-baseline'),
        '--analysis-config',
        join(root, 'config.json'),
        '--capture',
        join(root, 'capture', 'credit'),
        '--ground-truth',
        join(root, 'gt'),
        '--start',
        at(h),
        '--end',
        at(h + 1),
        '--out',
        join(root, 'out'),
        '--probability-attribute',
        '0',
        '--json',
        ...extra,
      ]);
    const healthy = await run(0);
    expect(healthy.exitCode ?? 0).toBe(0);
    expect(lastJson<BiasSummary>(healthy.stdout)).toMatchObject({ status: 'Completed', violations: 0 });
    const degraded = await run(1, ['--fail-on-violations']);
    expect(degraded.exitCode).toBe(3);
    const summary = lastJson<BiasSummary>(degraded.stdout);
    expect(summary.status).toBe('CompletedWithViolations');
    expect(summary.bias.violatedMetrics).toContain('gender=male:DI');
  });

  it('runs an attribution window from captured explanations', async () => {
    const result = await cli([
      'run-attribution',
      '--baseline',
      join(root, 'attr-baseline'),
      '--capture',
      join(root, 'capture', 'explained'),
      '--start',
      at(0),
      '--end',
      at(1),
      '--out',
      join(root, 'out'),
      '--json',
    ]);
    const summary = lastJson<AttributionSummary>(result.stdout);
    expect(summary.status).toBe('CompletedWithViolations');
    expect(summary.attribution.labels[0]?.ndcg).toBeLessThan(0.9);
    expect(result.exitCode ?? 0).toBe(0);
  });
});
