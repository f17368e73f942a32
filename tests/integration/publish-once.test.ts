/**
 * Metrics are published once per execution, also when an earlier attempt stopped while publishing:
 * claims and markers on real local storage, the heartbeat check against moto_server's CloudWatch.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executionHeartbeatDatum } from '../../src/alerts/data-quality-metrics.js';
import { putMetrics } from '../../src/alerts/publish.js';
import { IssueLog } from '../../src/core/issues.js';
import { RoutingStorage } from '../../src/io/storage.js';
import { publishOnce } from '../../src/monitor/once.js';
import { heartbeatLanded } from '../../src/monitor/publish.js';
import { testCloudWatchClient } from '../support/aws.js';

const cloudwatch = testCloudWatchClient();
const storage = new RoutingStorage();
let prefix: string;
let job: { endpoint: string; scheduleName: string; scheduledTime: string };
let sends: number;

/** The last full hour: inside CloudWatch's accepted range, aligned like a scheduled time. */
function lastHour(offsetHours = 0): Date {
  const t = new Date(Date.now() - (1 + offsetHours) * 3600_000);
  t.setUTCMinutes(0, 0, 0);
  return t;
}

/** What an execution's publication ends with: its heartbeat. */
async function sendHeartbeat(at = new Date(job.scheduledTime)): Promise<number> {
  const { namespace, datum } = executionHeartbeatDatum({
    endpoint: job.endpoint,
    scheduleName: job.scheduleName,
    batch: false,
    type: 'data-quality',
    timestamp: at,
    status: 'Completed',
  });
  return await putMetrics(cloudwatch, namespace, [datum]);
}

const publish = async () => {
  sends++;
  return await sendHeartbeat();
};
const landed = () => heartbeatLanded(cloudwatch, 'data-quality', job);

/** What an attempt that died after claiming (and perhaps after sending) leaves behind. */
function leaveClaim(ageMs = 3_600_000): void {
  const claimedAt = new Date(Date.now() - ageMs).toISOString();
  writeFileSync(join(prefix, '.metrics-claim'), JSON.stringify({ claimedAt }));
}

beforeEach(() => {
  prefix = mkdtempSync(join(tmpdir(), 'dw-once-'));
  job = {
    endpoint: `ep-${randomUUID().slice(0, 8)}`,
    scheduleName: 'hourly',
    scheduledTime: lastHour().toISOString(),
  };
  sends = 0;
});

afterEach(() => rmSync(prefix, { recursive: true, force: true }));

describe('publishOnce', () => {
  it('claims, sends and records; a second attempt sends nothing', async () => {
    expect(await publishOnce(storage, prefix, publish, { landed, claimant: 'job a attempt 1' })).toBe(1);
    expect(JSON.parse(readFileSync(join(prefix, '.metrics-claim'), 'utf8')).by).toBe('job a attempt 1');
    expect(JSON.parse(readFileSync(join(prefix, '.metrics-published'), 'utf8')).metrics).toBe(1);
    expect(await publishOnce(storage, prefix, publish, { landed })).toBe(0);
    expect(sends).toBe(1);
  });

  it('after an attempt that sent everything but died before recording it, sends nothing', async () => {
    leaveClaim();
    await sendHeartbeat();
    const issues = new IssueLog();
    expect(await publishOnce(storage, prefix, publish, { landed, issues })).toBe(0);
    expect(sends).toBe(0);
    expect(JSON.parse(readFileSync(join(prefix, '.metrics-published'), 'utf8')).note).toMatch(
      /earlier attempt/,
    );
    expect(issues.toJSON().counts).toEqual({});
  });

  it('waits for a young claim: its heartbeat showing up while it waits means nothing is sent', async () => {
    leaveClaim(0);
    const late = new Promise((resolve) => setTimeout(resolve, 400)).then(() => sendHeartbeat());
    const started = Date.now();
    expect(await publishOnce(storage, prefix, publish, { landed, settleMs: 20_000, pollMs: 100 })).toBe(0);
    await late;
    expect(sends).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('waits for a young claim until it is settleMs old, then sends; a shutdown ends the wait', async () => {
    leaveClaim(0);
    const started = Date.now();
    expect(await publishOnce(storage, prefix, publish, { landed, settleMs: 700, pollMs: 100 })).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(sends).toBe(1);

    // (This window's heartbeat is in CloudWatch now: the next wait asks about one that never comes.)
    rmSync(join(prefix, '.metrics-published'));
    leaveClaim(0);
    const abort = new AbortController();
    const never = async () => false;
    const waiting = publishOnce(storage, prefix, publish, {
      landed: never,
      pollMs: 100,
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 300);
    await expect(waiting).rejects.toThrow(/abort/i);
    expect(sends).toBe(1);
  });

  it('an attempt whose publication failed gives its claim back, so the retry does not wait', async () => {
    const failing = async () => {
      throw new Error('throttled');
    };
    await expect(publishOnce(storage, prefix, failing, { landed })).rejects.toThrow('throttled');
    expect(existsSync(join(prefix, '.metrics-claim'))).toBe(false);
    const started = Date.now();
    expect(await publishOnce(storage, prefix, publish, { landed, pollMs: 60_000 })).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('after an attempt that died before its heartbeat went out, sends again and says so', async () => {
    leaveClaim();
    // Another window's heartbeat of the same schedule does not count.
    await sendHeartbeat(lastHour(1));
    const issues = new IssueLog();
    expect(await publishOnce(storage, prefix, publish, { landed, issues })).toBe(1);
    expect(sends).toBe(1);
    expect(existsSync(join(prefix, '.metrics-published'))).toBe(true);
    expect(issues.toJSON().counts).toEqual({ 'metrics-republished': 1 });
  });
});

describe('heartbeatLanded', () => {
  it('finds the heartbeat of exactly this schedule and scheduled time', async () => {
    expect(await landed()).toBe(false);
    await sendHeartbeat();
    expect(await landed()).toBe(true);
    expect(await heartbeatLanded(cloudwatch, 'model-quality', job)).toBe(false);
    expect(await heartbeatLanded(cloudwatch, 'data-quality', { ...job, scheduleName: 'other' })).toBe(false);
    const nextHour = new Date(Date.parse(job.scheduledTime) + 3600_000).toISOString();
    expect(await heartbeatLanded(cloudwatch, 'data-quality', { ...job, scheduledTime: nextHour })).toBe(
      false,
    );
  });
});
