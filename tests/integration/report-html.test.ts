/**
 * The HTML report of an hour folder: drawn from what the folder holds, drifted features first, everything
 * escaped, no script, byte-identical for the same input; data and model quality.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, joinUri } from '../../src/io/storage.js';
import { loadHourFiles, renderReport } from '../../src/report/html/index.js';
import { runCli } from '../support/cli.js';
import {
  type DataQualityFixture,
  dataQualityDay,
  type ModelQualityFixture,
  modelQualityHours,
} from '../support/report-fixtures.js';

const EVIL = '<img src=x onerror=alert(1)>';

/** Renames a feature in an hour folder's JSON files (and in the baseline statistics they point to). */
async function renameFeature(files: string[], from: string, to: string): Promise<void> {
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replaceAll(JSON.stringify(from), JSON.stringify(to)));
  }
}

describe('report.html', () => {
  const storage = createStorage();
  let root: string;
  let dq: DataQualityFixture;
  let mq: ModelQualityFixture;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dw-report-'));
    dq = await dataQualityDay(join(root, 'dq'));
    mq = await modelQualityHours(join(root, 'mq'));
  }, 120_000);

  afterAll(async () => {
    storage.destroy();
    await rm(root, { recursive: true, force: true });
  });

  it('draws a drifted data-quality hour: status, counts, drifted features first, charts, no script', async () => {
    const hour = dq.hours[14] as string;
    const html = renderReport(await loadHourFiles(storage, hour));
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    expect(html).toContain("script-src 'none'");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain('data-status>CompletedWithViolations<');
    expect(html).toContain('data-records-read>300<');
    const order = [...html.matchAll(/data-feature="([^"]*)"/g)].map((m) => m[1]);
    const drifted = dq.summaries[14]?.driftedFeatures ?? [];
    expect(drifted.length).toBeGreaterThan(0);
    expect(new Set(order.slice(0, drifted.length))).toEqual(new Set(drifted));
    expect(order).toHaveLength(10);
    // Numeric features have a CDF chart and a quantile table; categorical ones paired bars.
    expect(html).toContain('aria-label="CDF of income: baseline vs current"');
    expect(html).toContain('aria-label="Top categories of plan: baseline vs current"');
    expect((html.match(/<path class="line /g) ?? []).length).toBeGreaterThanOrEqual(14);
    // The drift score shown is the one of the violation.
    const check = (
      (await loadHourFiles(storage, hour)).execution.violatedChecks as Array<Record<string, unknown>>
    ).find((c) => c.feature === 'income');
    expect(html).toContain(`score ${Number(Number(check?.currentValue).toPrecision(4))}, threshold 0.1`);
  });

  it('renders the same bytes for the same folder', async () => {
    const hour = dq.hours[13] as string;
    const a = renderReport(await loadHourFiles(storage, hour));
    const b = renderReport(await loadHourFiles(storage, hour));
    expect(a).toBe(b);
    // The execution wrote the same report.html before its execution.json.
    expect(await storage.readText(joinUri(hour, 'report.html'))).toBe(a);
  });

  it('shows a hostile feature name as text', async () => {
    const hour = dq.hours[15] as string;
    const baselineStats = joinUri(dq.dir, 'baseline', 'statistics.json');
    const copy = join(root, 'baseline-statistics.json');
    await writeFile(copy, await readFile(baselineStats));
    await renameFeature(
      [
        ...['statistics.json', 'constraints.json', 'constraint_violations.json', 'execution.json'].map((f) =>
          joinUri(hour, f),
        ),
        baselineStats,
      ],
      'plan',
      EVIL,
    );
    try {
      const html = renderReport(await loadHourFiles(storage, hour));
      expect(html).not.toContain(EVIL);
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(html).not.toMatch(/<img/i);
    } finally {
      await writeFile(baselineStats, await readFile(copy));
    }
  });

  it('draws a model-quality hour: metrics vs constraints, confusion matrix, ROC/PR, CBPE band', async () => {
    const summary = mq.summaries[3];
    const html = renderReport(await loadHourFiles(storage, summary?.reportUri as string));
    expect(html).toContain('<h2>Model quality');
    expect(html).toContain('Confusion matrix');
    expect(html).toContain('aria-label="ROC curve: baseline vs window"');
    expect(html).toContain('aria-label="Precision-recall curve: baseline vs window"');
    expect((html.match(/<path class="line /g) ?? []).length).toBe(4);
    const details = summary?.modelQuality;
    const f1 = details?.metrics.f1 ?? Number.NaN;
    expect(html).toMatch(
      new RegExp(`data-metric="f1"><td>f1</td><td class="num">${Number(f1.toPrecision(4))}<`),
    );
    expect(html).toMatch(/data-metric="f1">.*?\[0\.\d+, 0\.\d+\]/);
    expect(html).not.toMatch(/<script/i);
  });

  it('keeps 50 features under 1 MB', async () => {
    // 50 features: the hour's 10 features five times over under new names.
    const hour = dq.hours[14] as string;
    const files = await loadHourFiles(storage, hour);
    const widen = <T extends { name: string }>(features: T[]) =>
      [0, 1, 2, 3, 4].flatMap((i) => features.map((f) => ({ ...f, name: `${f.name}_${i}` })));
    files.statistics = { ...files.statistics!, features: widen(files.statistics!.features) };
    files.baselineStatistics = {
      ...files.baselineStatistics!,
      features: widen(files.baselineStatistics!.features),
    };
    files.constraints = { ...files.constraints!, features: widen(files.constraints!.features) };
    const html = renderReport(files);
    expect((html.match(/data-feature="/g) ?? []).length).toBe(50);
    expect(Buffer.byteLength(html)).toBeLessThan(1_000_000);
  });

  it('`driftwatch report` writes the same report again, and fails clearly without execution.json', async () => {
    const hour = dq.hours[12] as string;
    const out = join(root, 'again.html');
    const result = await runCli(['report', '--execution', hour, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(renderReport(await loadHourFiles(storage, hour)));
    const missing = await runCli(['report', '--execution', join(root, 'nowhere')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no execution.json under');
  });
});
