import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bareLoopThroughput, captureThroughput, generateCaptureFiles } from '../../bench/capture.js';
import { parseCaptureLine } from '../../src/capture/index.js';
import { IssueLog } from '../../src/core/issues.js';

const root = mkdtempSync(join(tmpdir(), 'dw-capture-bench-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('bench capture generator', () => {
  it('writes SageMaker-shaped capture files, one every few minutes, in hour folders', async () => {
    const dir = join(root, 'gen');
    await generateCaptureFiles(dir, 2500, 6, new Date('2024-05-02T23:50:00Z'), { recordsPerFile: 500 });
    const names = files(dir);
    expect(names).toHaveLength(5);
    expect(names[0]).toMatch(
      /^bench-endpoint\/AllTraffic\/2024\/05\/02\/23\/50-00-000-[0-9a-f-]{36}\.jsonl$/,
    );
    expect(names[2]).toMatch(/^bench-endpoint\/AllTraffic\/2024\/05\/03\/00\/00-00-000-/);
    const issues = new IssueLog();
    let records = 0;
    for (const name of names) {
      const lines = readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean);
      lines.forEach((text, i) => {
        const record = parseCaptureLine(text, name, i + 1, issues)!;
        expect(record.input!.data.split(',')).toHaveLength(6);
        expect(record.output!.data).toMatch(/^[01]\n$/);
        records++;
      });
    }
    expect(records).toBe(2500);
    expect(issues.total).toBe(0);
  });

  it('drifts the first features when asked', async () => {
    const plain = join(root, 'plain');
    const drifted = join(root, 'drifted');
    const start = new Date('2024-05-02T00:00:00Z');
    await generateCaptureFiles(plain, 2000, 4, start);
    await generateCaptureFiles(drifted, 2000, 4, start, { drift: { features: 2, shift: 1 } });
    const mean = (dir: string, column: number): number => {
      const values = files(dir).flatMap((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) =>
            Number(
              (
                JSON.parse(l) as { captureData: { endpointInput: { data: string } } }
              ).captureData.endpointInput.data.split(',')[column],
            ),
          ),
      );
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    expect(mean(drifted, 0)).toBeGreaterThan(mean(plain, 0) * 1.5); // int feature, range doubled
    expect(mean(drifted, 1)).toBeGreaterThan(mean(plain, 1) + 150); // float feature shifted by its range
    expect(Math.abs(mean(drifted, 3) - mean(plain, 3))).toBeLessThan(15); // not drifted
  });

  it('the bare loop and the capture path see the same records and cells', async () => {
    const dir = join(root, 'loop');
    const start = new Date('2024-05-02T00:00:00Z');
    await generateCaptureFiles(dir, 3000, 5, start, { recordsPerFile: 700 });
    const bare = await bareLoopThroughput(dir);
    const real = await captureThroughput(dir, { start, end: new Date(start.getTime() + 86_400_000) }, 5);
    expect(bare.records).toBe(3000);
    expect(real.records).toBe(3000);
    expect(real.cells).toBe(bare.cells);
    expect(real.cells).toBe(3000 * 6);
    expect(real.issues).toBe(0);
    expect(bare.recordsPerSecond).toBeGreaterThan(0);
    expect(real.bytes).toBe(bare.bytes);
  });
});
