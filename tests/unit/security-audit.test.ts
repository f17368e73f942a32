import { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { canonicalJson, executionAudit, settingsSha256, touchesAws } from '../../src/security/audit.js';
import { callerIdentityLookup } from '../../src/security/caller-identity.js';

describe('execution audit', () => {
  const job = {
    monitorName: 'm',
    baselineUri: 's3://b/base/',
    windowStart: 'a',
    windowEnd: 'b',
    scheduledTime: 'b',
    pii: 'redact',
  };
  it('hashes the settings without the window, independent of key order', () => {
    const sameSettingsOtherWindow = {
      pii: 'redact',
      baselineUri: 's3://b/base/',
      monitorName: 'm',
      windowStart: 'x',
      windowEnd: 'y',
      scheduledTime: 'y',
    };
    expect(settingsSha256(job)).toBe(settingsSha256(sameSettingsOtherWindow));
    expect(settingsSha256(job)).not.toBe(settingsSha256({ ...job, pii: 'warn' }));
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });
  it('names the job id of a worker attempt', () => {
    expect(executionAudit(job, 'job data-quality:m:1700000000000 attempt 2 on host pid 7')).toMatchObject({
      jobId: 'data-quality:m:1700000000000',
      runBy: 'job data-quality:m:1700000000000 attempt 2 on host pid 7',
    });
    expect(executionAudit(job, undefined).jobId).toBeUndefined();
  });

  it('records the caller identity only for executions that touch AWS', () => {
    expect(touchesAws(job)).toBe(true);
    expect(touchesAws({ ...job, baselineUri: '/data/base/' })).toBe(false);
    expect(touchesAws({ ...job, baselineUri: '/data/base/', cloudwatch: true })).toBe(true);
    const caller = { arn: 'arn:aws:iam::1:user/u', account: '1' };
    expect(executionAudit(job, undefined, caller).caller).toEqual(caller);
  });
  it('says why the caller identity is unavailable (STS unreachable) instead of failing', async () => {
    // A port nothing listens on: the lookup answers within its timeouts and names the failure.
    const client = new STSClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const lookup = callerIdentityLookup({ client });
    const first = await lookup();
    expect(first.unavailable).toMatch(/^STS GetCallerIdentity: .*connection refused/);
    expect(await lookup()).toBe(first); // asked once, not on every execution
    client.destroy();
  });
});
