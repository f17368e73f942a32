/**
 * Metrics are published once per execution, also when an earlier attempt stopped while publishing: a
 * marker datum in every PutMetricData call, records on real local storage, CloudWatch on moto_server.
 * (Worker processes killed at each step of a publication: tests/integration/exactly-once.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloudWatchPublisher } from '../../src/alerts/cloudwatch-publisher.js';
import { heartbeatLanded, heartbeatOf, publicationOf } from '../../src/alerts/execution-publication.js';
import type { Datum } from '../../src/alerts/metric-publisher.js';
import { PublicationPendingError } from '../../src/core/errors.js';
import { IssueLog } from '../../src/core/issues.js';
import { RoutingStorage } from '../../src/io/storage.js';
import { type Publication, publishOnce } from '../../src/monitor/once.js';
import { testCloudWatchClient } from '../support/aws.js';

const cloudwatch = testCloudWatchClient();
const storage = new RoutingStorage();
const limits = { maxDatums: 4, maxPayloadBytes: 1_000_000, maxDimensions: 30 };
let prefix: string;
let job: { endpoint: string; scheduleName: string; scheduledTime: string };

/** The last full hour: inside CloudWatch's accepted range, aligned like a scheduled time. */
function lastHour(offsetHours = 0): Date {
  const t = new Date(Date.now() - (1 + offsetHours) * 3600_000);
  t.setUTCMinutes(0, 0, 0);
  return t;
}

/** An execution's publication of `count` datums (metric m<i>, values i and 2i). */
function publication(count: number): Publication {
  const at = new Date(job.scheduledTime);
  const datums: Datum[] = Array.from({ length: count }, (_, i) => ({
    MetricName: `m${i}`,
    Dimensions: [
      { Name: 'Endpoint', Value: job.endpoint },
      { Name: 'MonitoringSchedule', Value: job.scheduleName },
    ],
    Timestamp: at,
    StatisticValues: { SampleCount: 2, Sum: 3 * i, Minimum: i, Maximum: 2 * i },
  }));
  return publicationOf(job, heartbeatOf('data-quality', job, 'Completed'), datums);
}

async function stats(datum: Datum) {
  const out = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'aws/sagemaker/Endpoints/data-metrics',
      MetricName: datum.MetricName,
      Dimensions: datum.Dimensions,
      StartTime: new Date(Date.parse(job.scheduledTime) - 3_600_000),
      EndTime: new Date(Date.parse(job.scheduledTime) + 3_600_000),
      Period: 7200,
      Statistics: ['SampleCount', 'Sum', 'Minimum', 'Maximum'],
    }),
  );
  const points = out.Datapoints ?? [];
  return {
    calls: points.length,
    sampleCount: points.reduce((n, p) => n + (p.SampleCount ?? 0), 0),
    sum: points.reduce((n, p) => n + (p.Sum ?? 0), 0),
  };
}

/** Every datum and marker of `p` (cut in batches of 3 + marker) is in CloudWatch once. */
async function expectOnce(p: Publication, batches: number): Promise<void> {
  for (const [i, d] of p.datums.entries())
    expect(await stats(d), d.MetricName).toEqual({ calls: 1, sampleCount: 2, sum: 3 * i });
  expect((await stats(p.heartbeat)).sampleCount).toBe(1);
  for (let b = 0; b < batches - 1; b++) expect((await stats(p.batchMarker(b, batches))).sampleCount).toBe(1);
}

function leaveClaim(claim: Record<string, unknown>, ageMs = 3_600_000): void {
  const claimedAt = new Date(Date.now() - ageMs).toISOString();
  writeFileSync(join(prefix, '.metrics-claim'), JSON.stringify({ claimedAt, by: 'dead', ...claim }));
}

beforeEach(() => {
  prefix = mkdtempSync(join(tmpdir(), 'dw-once-'));
  job = {
    endpoint: `ep-${randomUUID().slice(0, 8)}`,
    scheduleName: 'hourly',
    scheduledTime: lastHour().toISOString(),
  };
});

afterEach(() => rmSync(prefix, { recursive: true, force: true }));

describe('publishOnce', () => {
  it('sends the datums and the heartbeat in one call when they fit; a second attempt sends nothing', async () => {
    const p = publication(5);
    expect(
      await publishOnce(storage, prefix, cloudWatchPublisher(cloudwatch), p, {
        claimant: 'job a attempt 1',
        token: 't1',
      }),
    ).toBe(6);
    const claim = JSON.parse(readFileSync(join(prefix, '.metrics-claim'), 'utf8'));
    expect(claim).toMatchObject({ by: 'job a attempt 1', token: 't1', batches: [5] });
    expect(JSON.parse(readFileSync(join(prefix, '.metrics-published'), 'utf8'))).toMatchObject({
      metrics: 6,
      batches: 1,
    });
    // Counted by every attempt: what the window has in CloudWatch.
    expect(await publishOnce(storage, prefix, cloudWatchPublisher(cloudwatch), p)).toBe(6);
    await expectOnce(p, 1);
  });

  it('cuts datums that do not fit one call into batches, each with its own marker', async () => {
    const p = publication(7);
    expect(await publishOnce(storage, prefix, cloudWatchPublisher(cloudwatch), p, { limits })).toBe(10);
    for (const i of [1, 2, 3]) expect(existsSync(join(prefix, `.metrics-batch-${i}`))).toBe(true);
    await expectOnce(p, 3);
  });

  it('after an attempt that sent a batch and died before recording it, sends only the other batches', async () => {
    const p = publication(7);
    // What the dead attempt did: claimed with its cut, sent batch 1 (with its marker), nothing recorded.
    leaveClaim({ batches: [3, 3, 1] }, 0);
    await cloudwatch.send(
      new (await import('@aws-sdk/client-cloudwatch')).PutMetricDataCommand({
        Namespace: p.namespace,
        MetricData: [...p.datums.slice(0, 3), p.batchMarker(0, 3)],
      }),
    );
    const issues = new IssueLog();
    // Another cut today (1000 per call) does not matter: the claim's cut is followed.
    expect(
      await publishOnce(storage, prefix, cloudWatchPublisher(cloudwatch), p, {
        issues,
        settleMs: 60_000,
        defer: true,
      }),
    ).toBe(10);
    expect(JSON.parse(readFileSync(join(prefix, '.metrics-batch-1'), 'utf8')).note).toMatch(
      /earlier attempt/,
    );
    await expectOnce(p, 3);
    expect(issues.toJSON().counts).toEqual({ 'metrics-publication-resumed': 1 });
  });

  it('a young claim whose batch is not in CloudWatch defers (no waiting in place); once settled, sends', async () => {
    const p = publication(2);
    leaveClaim({ batches: [2] }, 0);
    const started = Date.now();
    const pending = await publishOnce(storage, prefix, cloudWatchPublisher(cloudwatch), p, {
      settleMs: 60_000,
      pollMs: 5_000,
      defer: true,
    }).catch((e: unknown) => e);
    expect(pending).toBeInstanceOf(PublicationPendingError);
    expect(Date.now() - started).toBeLessThan(4_000);
    const retryAt = (pending as PublicationPendingError).retryAt;
    expect(retryAt - started).toBeGreaterThanOrEqual(4_000);
    expect(retryAt - started).toBeLessThanOrEqual(6_000);
    expect(await heartbeatLanded(cloudWatchPublisher(cloudwatch), 'data-quality', job)).toBe(false);

    // The claim is old now: the batch was never sent, so this attempt sends it and says so.
    leaveClaim({ batches: [2] }, 120_000);
    const issues = new IssueLog();
    expect(
      await publishOnce(storage, prefix, cloudWatchPublisher(cloudwatch), p, {
        issues,
        settleMs: 60_000,
        defer: true,
      }),
    ).toBe(3);
    expect(issues.toJSON().counts).toEqual({ 'metrics-publication-resumed': 1 });
    expect(JSON.parse(readFileSync(join(prefix, '.metrics-claim'), 'utf8')).by).not.toBe('dead');
    await expectOnce(p, 1);
  });

  it('without defer (the CLI) waits in place, and a shutdown ends the wait', async () => {
    leaveClaim({ batches: [2] }, 0);
    const abort = new AbortController();
    const waiting = publishOnce(storage, prefix, cloudWatchPublisher(cloudwatch), publication(2), {
      pollMs: 100,
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 300);
    await expect(waiting).rejects.toThrow(/abort/i);
    expect(await heartbeatLanded(cloudWatchPublisher(cloudwatch), 'data-quality', job)).toBe(false);
  });

  it('a window too old for CloudWatch publishes nothing and says so', async () => {
    job.scheduledTime = new Date(Date.now() - 15 * 86_400_000).toISOString();
    const issues = new IssueLog();
    expect(
      await publishOnce(storage, prefix, cloudWatchPublisher(cloudwatch), publication(3), { issues }),
    ).toBe(0);
    expect(issues.toJSON().counts).toEqual({ 'metric-datum-invalid': 1 });
  });
});

describe('heartbeatLanded', () => {
  it('finds the heartbeat of exactly this schedule and scheduled time', async () => {
    expect(await heartbeatLanded(cloudWatchPublisher(cloudwatch), 'data-quality', job)).toBe(false);
    await publishOnce(storage, prefix, cloudWatchPublisher(cloudwatch), publication(0));
    expect(await heartbeatLanded(cloudWatchPublisher(cloudwatch), 'data-quality', job)).toBe(true);
    expect(await heartbeatLanded(cloudWatchPublisher(cloudwatch), 'model-quality', job)).toBe(false);
    expect(
      await heartbeatLanded(cloudWatchPublisher(cloudwatch), 'data-quality', {
        ...job,
        scheduleName: 'other',
      }),
    ).toBe(false);
    const nextHour = new Date(Date.parse(job.scheduledTime) + 3600_000).toISOString();
    expect(
      await heartbeatLanded(cloudWatchPublisher(cloudwatch), 'data-quality', {
        ...job,
        scheduledTime: nextHour,
      }),
    ).toBe(false);
  });
});
