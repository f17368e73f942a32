import { describe, expect, it } from 'vitest';
import { canonicalJson, executionAudit, settingsSha256 } from '../../src/security/audit.js';

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
});
