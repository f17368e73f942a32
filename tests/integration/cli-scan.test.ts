import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJson, runCli } from '../support/cli.js';

describe('driftwatch scan', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dw-scan-'));
    await writeFile(
      join(dir, 'train.csv'),
      'id,email,card,plan\n1,jane@example.com,4111111111111111,gold\n2,bob@corp.io,5500 0000 0000 0004,silver\n3,,4111111111111112,gold\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the findings per column with type, share and count', async () => {
    const out = await runCli(['scan', '--dataset', join(dir, 'train.csv'), '--json']);
    expect(out.code).toBe(0);
    const result = lastJson<{
      columns: Array<{ column: string; findings: Array<{ type: string; count: number; share: number }> }>;
    }>(out.stdout);
    expect(result.columns).toEqual([
      { column: 'email', values: 2, findings: [{ type: 'EMAIL_ADDRESS', macie: true, count: 2, share: 1 }] },
      {
        column: 'card',
        values: 3,
        findings: [{ type: 'CREDIT_CARD_NUMBER', macie: true, count: 2, share: 2 / 3 }],
      },
    ]);
    expect(out.stdout).not.toContain('jane@example.com');
    const table = await runCli(['scan', '--dataset', join(dir, 'train.csv')]);
    expect(table.stdout).toMatch(/"card"\s+CREDIT_CARD_NUMBER\s+66\.67%\s+2/);
  });
});
