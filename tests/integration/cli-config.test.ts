/** `driftwatch config validate` and `driftwatch config schema` through the built CLI (issue 12). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJson, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-cli-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const monitor = (extra: string[] = []) => [
  '  - name: churn',
  '    endpoint: ep',
  '    capture: s3://bucket/capture',
  '    baseline: s3://bucket/baseline/',
  '    output: s3://bucket/reports/',
  '    schedule: cron(0 * ? * * *)',
  ...extra,
];

describe('driftwatch config', () => {
  it('validate: the monitors of a valid file; every problem of a bad one, in one pass, exit 2', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, ['monitors:', ...monitor()].join('\n'));
    const ok = await runCli(['config', 'validate', '--config', good]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('good.yaml: valid, 1 monitor');
    expect(ok.stdout).toContain('churn  (data-quality, cron(0 * ? * * *))');

    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      ['monitors:', ...monitor(['    schedulName: nightly', '    window: { start: -PT1H, end: soon }'])].join(
        '\n',
      ),
    );
    const text = await runCli(['config', 'validate', '--config', bad]);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('bad.yaml: 2 problems');
    expect(text.stderr).toContain("monitors[0].schedulName: unknown field; did you mean 'scheduleName'?");
    expect(text.stderr).toContain('monitors[0].window.end:');
    const json = await runCli(['config', 'validate', '--config', bad, '--json']);
    expect(json.code).toBe(2);
    const result = lastJson<{ valid: boolean; errors: Array<{ field: string }> }>(json.stdout);
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.field)).toEqual(['monitors[0].schedulName', 'monitors[0].window.end']);
  });

  it('schema: a JSON Schema of the file, with every monitor field described', async () => {
    const r = await runCli(['config', 'schema']);
    expect(r.code, r.stderr).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toContain('json-schema.org');
    const fields = schema.properties.monitors.items.properties;
    expect(fields.scheduleName.description).toContain('monitoring schedule name');
    expect(fields.outputColumnsPosition.enum).toEqual(['START', 'END']);
  });
});
