/**
 * The monitors config described from its zod schema (issue 12): docs/config.md is the generated reference
 * and must be current; the JSON Schema lists every field the parser accepts, including those that were only
 * in code (scheduleName, preprocessor, outputColumnsPosition); a file's problems come all at once, unknown
 * fields with a "did you mean".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { monitorSchema, parseMonitorsConfigText } from '../../src/config/monitors.js';
import { monitorsConfigJsonSchema, monitorsConfigReference } from '../../src/config/reference.js';
import { ConfigError } from '../../src/core/errors.js';
import { unknownFieldMessage } from '../../src/core/zod-error.js';

const root = join(import.meta.dirname, '../..');

describe('the config reference', () => {
  it('docs/config.md is the generated reference (run scripts/config-docs.sh after changing the schema)', () => {
    expect(readFileSync(join(root, 'docs/config.md'), 'utf8')).toBe(monitorsConfigReference());
  });

  it('the JSON Schema and the reference list every monitor field, with a description', () => {
    const schema = monitorsConfigJsonSchema() as {
      properties: { monitors: { items: { properties: Record<string, { description?: string }> } } };
    };
    const fields = schema.properties.monitors.items.properties;
    const keys = Object.keys(monitorSchema.shape);
    expect(Object.keys(fields).sort()).toEqual([...keys].sort());
    for (const key of keys) expect(fields[key]?.description, key).toBeTruthy();
    const reference = monitorsConfigReference();
    for (const key of ['scheduleName', 'preprocessor', 'outputColumnsPosition', 'groundTruthHorizon'])
      expect(reference).toContain(`| \`${key}\` |`);
    expect(reference).toContain('## The record preprocessor');
  });
});

describe('config errors', () => {
  it('reports every problem of a file at once, unknown fields with a did-you-mean', () => {
    const text = [
      'monitors:',
      '  - name: a',
      '    endpoint: ep',
      '    capture: /c',
      '    baseline: /b',
      '    output: /o',
      '    schedule: cron(0 * ? * * *)',
      '    schedule_name: nightly',
      '    cloudWatch: true',
      '  - name: b',
      '    endpoint: ep',
      '    capture: /c',
      '    baseline: /b',
      '    output: /o',
      '    schedule: cron(0 * ? * * *)',
      '    splitThreshold: 0',
      '    retry: { attempts: 2, backofMs: 10 }',
    ].join('\n');
    let error: unknown;
    try {
      parseMonitorsConfigText(text, 'm.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError & { issues: unknown[] }).issues).toEqual([
      { field: 'monitors[0].schedule_name', message: "unknown field; did you mean 'scheduleName'?" },
      { field: 'monitors[0].cloudWatch', message: "unknown field; did you mean 'cloudwatch'?" },
      { field: 'monitors[1].splitThreshold', message: expect.stringMatching(/>=1|at least|too small/i) },
      { field: 'monitors[1].retry.backofMs', message: "unknown field; did you mean 'backoffMs'?" },
    ]);
  });

  it('suggests only close names', () => {
    expect(unknownFieldMessage('endpont', ['endpoint', 'capture'])).toBe(
      "unknown field; did you mean 'endpoint'?",
    );
    expect(unknownFieldMessage('colour', ['endpoint', 'capture'])).toBe('unknown field');
  });
});
