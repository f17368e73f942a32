import { createHash } from 'node:crypto';
/**
 * `--pii warn|redact|fail` (security/pii.ts): a baseline refused, hashed or kept; an execution's reports
 * hold no raw value of a flagged column, and the window's hashes compare with the baseline's.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureLine } from '../../src/demo/traffic.js';
import { hashCategory } from '../../src/security/pii.js';
import { lastJson, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-pii-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const emails = ['jane@example.com', 'bob@corp.io', 'li.wei@mail.example.org'];
const plans = ['gold', 'silver', 'bronze'];
// score (output), email, plan, contact: `contact` is harmless in training and phone numbers in the window.
const rows: string[][] = [];
for (let i = 0; i < 300; i++)
  rows.push([String((i % 10) / 10), emails[i % 3]!, plans[i % 3]!, i % 2 ? 'none' : 'later']);
const train = join(dir, 'train.csv');
writeFileSync(train, `score,email,plan,contact\n${rows.map((r) => r.join(',')).join('\n')}\n`);

const start = '2026-05-01T10:00:00.000Z';
const end = '2026-05-01T11:00:00.000Z';
const hourDir = join(dir, 'capture', 'ep', 'AllTraffic', '2026', '05', '01', '10');
mkdirSync(hourDir, { recursive: true });
const phones = ['+44 20 7946 0958', '+1 202-555-0143'];
const lines = rows.map((r, i) =>
  captureLine(
    [r[0]!, r[1]!, r[2]!, i % 4 === 0 ? phones[i % 2]! : r[3]!],
    new Date(Date.parse(start) + i * 1000),
    `e${i}`,
  ),
);
lines.push(JSON.stringify('hostile@leak.example.com'));
writeFileSync(join(hourDir, '00-00-000-a.jsonl'), `${lines.join('\n')}\n`);

function readAll(folder: string): string {
  let text = '';
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) text += readFileSync(join(entry.parentPath, entry.name), 'utf8');
  return text;
}

interface BaselineSummary {
  sensitive: {
    mode: string;
    hashed: string[];
    columns: Array<{ column: string; findings: Array<{ type: string; count: number; share: number }> }>;
  };
}

describe('--pii (baseline and executions)', () => {
  it('fail: refuses the training data with one line naming the column and type, and writes nothing', async () => {
    const out = join(dir, 'refused');
    const result = await runCli(['baseline', '--dataset', train, '--out', out, '--pii', 'fail']);
    expect(result.code).toBe(2);
    const errors = result.stderr.trim().split('\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('"email": 300 EMAIL_ADDRESS');
    expect(errors[0]).toContain('you must remove it');
    expect(result.stderr).not.toContain('jane@example.com');
    expect(existsSync(out)).toBe(false);
  });

  it('warn: reports the findings and keeps the values', async () => {
    const out = join(dir, 'warned');
    const result = await runCli(['baseline', '--dataset', train, '--out', out, '--pii', 'warn', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = lastJson<BaselineSummary>(result.stdout);
    expect(summary.sensitive.mode).toBe('warn');
    expect(summary.sensitive.hashed).toEqual([]);
    expect(summary.sensitive.columns).toEqual([
      {
        column: 'email',
        values: 300,
        findings: [{ type: 'EMAIL_ADDRESS', macie: true, count: 300, share: 1 }],
      },
    ]);
    expect(readFileSync(join(out, 'statistics.json'), 'utf8')).toContain('jane@example.com');
  });

  it('redact (default): hashed histograms with the salt beside them; the window reports keep no raw value', async () => {
    const out = join(dir, 'baseline');
    const built = await runCli(['baseline', '--dataset', train, '--out', out]);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/"email"\s+EMAIL_ADDRESS\s+100\.00%\s+300/);
    const sensitive = JSON.parse(readFileSync(join(out, 'sensitive.json'), 'utf8'));
    expect(sensitive.mode).toBe('redact');
    expect(sensitive.columns).toEqual({ email: { EMAIL_ADDRESS: 300 } });
    expect(sensitive.hashed.columns).toEqual(['email']);
    expect(sensitive.hashed.salt).toMatch(/^[0-9a-f]{64}$/);
    const baselineText = readAll(out);
    for (const e of emails) expect(baselineText).not.toContain(e);
    const statistics = JSON.parse(readFileSync(join(out, 'statistics.json'), 'utf8'));
    const email = statistics.features.find((f: { name: string }) => f.name === 'email');
    const buckets = email.string_statistics.distribution.categorical.buckets;
    expect(buckets.map((b: { value: string }) => b.value).sort()).toEqual(
      emails.map((e) => hashCategory(sensitive.hashed.salt, e)).sort(),
    );
    expect(baselineText).toContain('gold'); // columns without findings are untouched

    const run = await runCli(
      [
        'run',
        '--baseline',
        out,
        '--capture',
        join(dir, 'capture'),
        '--endpoint',
        'ep',
        '--start',
        start,
        '--end',
        end,
        '--out',
        join(dir, 'reports'),
        '--json',
      ],
      {
        env: {
          AWS_ACCESS_KEY_ID: 'AKIAAUDITTESTKEY0001',
          AWS_SECRET_ACCESS_KEY: 'audit/Secret+Value0000000000000000000000',
        },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    // Nothing the process printed (summary, logs) holds a payload value or a credential.
    for (const secret of [
      ...emails,
      ...phones,
      'hostile@leak.example.com',
      'AKIAAUDITTESTKEY0001',
      'audit/Secret+Value',
    ])
      expect(run.stdout + run.stderr).not.toContain(secret);
    const summary = lastJson<{
      status: string;
      reportUri: string;
      driftedFeatures: string[];
      issues: { samples: Array<{ message: string }> };
    }>(run.stdout);
    // The same e-mail addresses in the window: their hashes match the baseline's, no drift.
    expect(summary.driftedFeatures).not.toContain('email');
    expect(summary.issues.samples.map((s) => s.message)).toContain('not a JSON object: "[EMAIL_ADDRESS]"');
    // The audit trail: version, settings hash, who ran it, baseline files with ETag and SHA-256.
    const execution = JSON.parse(readFileSync(join(summary.reportUri, 'execution.json'), 'utf8'));
    expect(execution.driftwatchVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(execution.audit.settingsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(execution.audit.runBy).toMatch(/^driftwatch run on /);
    for (const file of execution.baseline as Array<{ uri: string; etag: string; sha256: string }>) {
      expect(file.etag).toMatch(/\w/);
      expect(file.sha256).toBe(createHash('sha256').update(readFileSync(file.uri)).digest('hex'));
    }
    expect(execution.baseline.map((f: { uri: string }) => f.uri.split('/').at(-1))).toEqual([
      'statistics.json',
      'constraints.json',
      'sensitive.json',
    ]);
    const reports = readAll(summary.reportUri);
    for (const secret of [...emails, ...phones, 'hostile@leak.example.com'])
      expect(reports).not.toContain(secret);
    expect(run.stdout).not.toContain('hostile@leak.example.com');
    const window = JSON.parse(readFileSync(join(summary.reportUri, 'statistics.json'), 'utf8'));
    const byName = new Map(window.features.map((f: { name: string }) => [f.name, f]));
    const windowEmail = byName.get('email') as typeof email;
    expect(
      windowEmail.string_statistics.distribution.categorical.buckets
        .map((b: { value: string }) => b.value)
        .sort(),
    ).toEqual(buckets.map((b: { value: string }) => b.value).sort());
    // `contact` had no findings in the baseline, phone numbers in the window: no histogram in the report.
    // A client started sending phone numbers in `contact`: a sensitive_data_check violation naming types only.
    expect(summary.status).toBe('CompletedWithViolations');
    const violations = JSON.parse(
      readFileSync(join(summary.reportUri, 'constraint_violations.json'), 'utf8'),
    );
    const sensitiveChecks = violations.violations.filter(
      (v: { constraint_check_type: string }) => v.constraint_check_type === 'sensitive_data_check',
    );
    expect(sensitiveChecks).toEqual([
      {
        feature_name: 'contact',
        constraint_check_type: 'sensitive_data_check',
        description:
          'Sensitive data found: 75 PHONE_NUMBER among 300 values; the baseline of this feature had none.',
      },
    ]);
    const contact = byName.get('contact') as { string_statistics: Record<string, unknown> };
    expect(contact.string_statistics.distribution).toBeUndefined();
    expect(contact.string_statistics.common).toBeDefined();
  });

  it('warn in an execution keeps the values of a column the baseline did not flag', async () => {
    const run = await runCli([
      'run',
      '--baseline',
      join(dir, 'warned'),
      '--capture',
      join(dir, 'capture'),
      '--endpoint',
      'ep',
      '--start',
      start,
      '--end',
      end,
      '--out',
      join(dir, 'reports-warn'),
      '--pii',
      'warn',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const { reportUri } = lastJson<{ reportUri: string }>(run.stdout);
    expect(readFileSync(join(reportUri, 'statistics.json'), 'utf8')).toContain(phones[0]);
  });
});
