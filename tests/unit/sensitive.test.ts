import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/random.js';
import { labelledCorpus, scoreDetectors } from '../../src/metrics/sensitive/corpus.js';
import { maskSensitive, SensitiveFindings, sensitiveTypeOf } from '../../src/metrics/sensitive/index.js';

describe('sensitive-data detectors', () => {
  it.each([
    ['jane.doe@example.com', 'EMAIL_ADDRESS'],
    ['4111 1111 1111 1111', 'CREDIT_CARD_NUMBER'],
    ['4111111111111111', 'CREDIT_CARD_NUMBER'],
    ['DE89370400440532013000', 'BANK_ACCOUNT_NUMBER'],
    ['GB82 WEST 1234 5698 7654 32', 'BANK_ACCOUNT_NUMBER'],
    ['123-45-6789', 'USA_SOCIAL_SECURITY_NUMBER'],
    ['(415) 555-2671', 'PHONE_NUMBER'],
    ['+49 151 12345678', 'PHONE_NUMBER'],
    ['192.168.10.1', 'IP_ADDRESS'],
    ['2001:db8::ff00:42:8329', 'IP_ADDRESS'],
    ['AKIAIOSFODNN7EXAMPLE', 'AWS_ACCESS_KEY_ID'],
    ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_CREDENTIALS'],
  ])('%s is %s', (text, type) => {
    expect(sensitiveTypeOf(text)).toBe(type);
  });

  it.each([
    '4111111111111112', // Luhn fails
    'DE89370400440532013001', // mod-97 fails
    '666-45-6789',
    '1700000000000',
    '123456789',
    '1.2.3',
    'da39a3ee5e6b4b0d3255bfef95601890afd80709', // SHA-1
    'returning_customer',
    'contact me at jane@example.com',
    '__proto__',
  ])('%s is not sensitive', (text) => {
    expect(sensitiveTypeOf(text)).toBeUndefined();
  });

  it('precision and recall on the generated corpus are at least 0.9 and 0.99 for every type (version numbers look like IPv4, 1 in 10 order numbers pass Luhn)', () => {
    const scores = scoreDetectors(labelledCorpus(mulberry32(17), 500));
    for (const s of scores) {
      expect(s.precision, `${s.type} precision`).toBeGreaterThanOrEqual(0.9);
      expect(s.recall, `${s.type} recall`).toBeGreaterThanOrEqual(0.99);
    }
  });

  it('findings merge by summing and round-trip through JSON', () => {
    const a = new SensitiveFindings();
    const b = new SensitiveFindings();
    for (const v of ['a@example.com', 'x', '4111111111111111']) a.add(v);
    b.add('b@example.org');
    const merged = SensitiveFindings.fromJSON(a.toJSON()).merge(b);
    expect(merged.toJSON()).toEqual({ EMAIL_ADDRESS: 2, CREDIT_CARD_NUMBER: 1 });
    expect(merged.total).toBe(3);
    expect(SensitiveFindings.fromJSON(JSON.parse('{"__proto__": 5, "EMAIL_ADDRESS": 1}')).total).toBe(1);
  });

  it('masks values: only the last four digits of a card number remain', () => {
    expect(maskSensitive('4111 1111 1111 1111', 'CREDIT_CARD_NUMBER')).toBe('[CREDIT_CARD_NUMBER ****1111]');
    expect(maskSensitive('a@b.com', 'EMAIL_ADDRESS')).toBe('[EMAIL_ADDRESS]');
  });
});
