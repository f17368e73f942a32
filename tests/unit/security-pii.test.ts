import { describe, expect, it } from 'vitest';
import { statisticsFromProfile } from '../../src/baseline/statistics.js';
import { DatasetProfile } from '../../src/metrics/profile/dataset-profile.js';
import {
  baselineSensitivity,
  flaggedColumns,
  HASH_PREFIX,
  hashCategory,
  hashProfileCategories,
  parseSensitiveBaseline,
  protectPartialProfile,
  protectStatistics,
  redactText,
  windowProtection,
} from '../../src/security/pii.js';

describe('pii redaction', () => {
  it('masks sensitive values inside messages, quoted or not, and leaves the rest', () => {
    expect(redactText('not a JSON object: "jane@example.com"')).toBe('not a JSON object: "[EMAIL_ADDRESS]"');
    expect(redactText("bad value '4111 1111 1111 1111' in col")).toBe(
      "bad value '[CREDIT_CARD_NUMBER ****1111]' in col",
    );
    expect(redactText('from 10.1.2.3, key AKIAIOSFODNN7EXAMPLE')).toBe(
      'from [IP_ADDRESS], key [AWS_ACCESS_KEY_ID]',
    );
    expect(redactText('line 4: expected 3 columns, got 5')).toBe('line 4: expected 3 columns, got 5');
  });

  it('hashes deterministically per salt, and differently across salts', () => {
    const a = baselineSensitivity('redact', new Map([['email', { EMAIL_ADDRESS: 1 }]])).hashed!.salt;
    const b = baselineSensitivity('redact', new Map([['email', { EMAIL_ADDRESS: 1 }]])).hashed!.salt;
    expect(a).not.toBe(b);
    expect(hashCategory(a, 'x@y.io')).toBe(hashCategory(a, 'x@y.io'));
    expect(hashCategory(a, 'x@y.io')).not.toBe(hashCategory(b, 'x@y.io'));
    expect(hashCategory(a, 'x@y.io')).toMatch(new RegExp(`^${HASH_PREFIX}[0-9a-f]{32}$`));
    expect(baselineSensitivity('warn', new Map([['email', { EMAIL_ADDRESS: 1 }]])).hashed).toBeUndefined();
  });

  it('keeps no min, max or sketch of a flagged numeric column (card numbers without separators)', () => {
    const profile = new DatasetProfile(['card', 'n']);
    for (const card of ['4111111111111111', '5500000000000004', '4012888888881881'])
      profile.addRow([card, '3']);
    expect([...flaggedColumns(profile).keys()]).toEqual(['card']);
    const stats = protectStatistics(statisticsFromProfile(profile), { drop: new Set(['card']) });
    const card = stats.features[0]!.numerical_statistics!;
    expect(card.min).toBeNaN();
    expect(card.max).toBeNaN();
    expect(card.distribution).toBeUndefined();
    expect(stats.features[1]!.numerical_statistics!.max).toBe(3);
  });

  it('hashes the baseline columns in every mode and leaves out window-only flagged columns unless warn', () => {
    const window = new DatasetProfile(['email', 'note']);
    window.addRow(['a@b.io', 'call +44 20 7946 0958']);
    window.addRow(['carol@d.io', '+44 20 7946 0958']);
    const baseline = parseSensitiveBaseline(
      JSON.stringify({
        version: 1,
        mode: 'redact',
        columns: { email: { EMAIL_ADDRESS: 2 } },
        hashed: { algorithm: 'hmac-sha256', salt: 'ab'.repeat(32), columns: ['email'] },
      }),
      'sensitive.json',
    );
    const redact = windowProtection('redact', baseline, window);
    expect([...redact.hash]).toEqual(['email']);
    expect([...redact.drop]).toEqual(['note']);
    const warn = windowProtection('warn', baseline, window);
    expect([...warn.hash]).toEqual(['email']);
    expect([...warn.drop]).toEqual([]);
    expect(() => parseSensitiveBaseline('{"version":2}', 'f')).toThrow(
      /not a driftwatch sensitive-data file/,
    );
  });
});

describe('sensitive_data_check and its metric', () => {
  it('flags a feature with sensitive values whose baseline had none, and publishes their count', async () => {
    const { sensitiveDataViolations } = await import('../../src/security/pii.js');
    const { featureMetricInputs } = await import('../../src/alerts/execution-publication.js');
    const { dataQualityMetricData } = await import('../../src/alerts/data-quality-metrics.js');
    const train = new DatasetProfile(['email', 'note']);
    train.addRow(['ann@b.io', 'hello']);
    const statistics = statisticsFromProfile(train);
    const window = new DatasetProfile(['email', 'note']);
    window.addRow(['carol@d.io', '+44 20 7946 0958']);
    window.addRow(['eve@f.io', 'fine']);
    // No sensitive.json (a SageMaker baseline): the baseline's buckets are scanned instead.
    const violations = sensitiveDataViolations(window, { statistics });
    expect(violations.map((v) => [v.feature_name, v.constraint_check_type])).toEqual([
      ['note', 'sensitive_data_check'],
    ]);
    expect(violations[0]!.description).toBe(
      'Sensitive data found: 1 PHONE_NUMBER among 2 values; the baseline of this feature had none.',
    );
    expect(
      sensitiveDataViolations(window, {
        statistics,
        sensitive: { version: 1, mode: 'warn', columns: { email: {}, note: {} } },
      }),
    ).toEqual([]);
    const { datums } = dataQualityMetricData({
      endpoint: 'ep',
      scheduleName: 's',
      timestamp: new Date(0),
      features: featureMetricInputs(window, { violations, features: [] }, true),
    });
    const sensitive = datums.filter((d) => d.MetricName?.startsWith('feature_sensitive_values_'));
    expect(sensitive.map((d) => [d.MetricName, d.Value])).toEqual([
      ['feature_sensitive_values_email', 2],
      ['feature_sensitive_values_note', 1],
    ]);
  });

  it('a partial profile leaves its process with hashed or masked categories, whatever the split', () => {
    const salt = baselineSensitivity('redact', new Map([['email', { EMAIL_ADDRESS: 1 }]])).hashed!.salt;
    const sensitive = {
      version: 1 as const,
      mode: 'redact' as const,
      columns: {},
      hashed: { algorithm: 'hmac-sha256' as const, salt, columns: ['email'] },
    };
    const profile = new DatasetProfile(['email', 'contact', 'plan']);
    const rows = [
      ['jane@example.com', '+44 20 7946 0958', 'gold'],
      ['bob@corp.io', 'none', 'gold'],
      ['jane@example.com', '+1 202-555-0143', 'silver'],
    ];
    for (const r of rows) profile.addRow(r);
    const issues = {
      total: 1,
      counts: { bad: 1 },
      samples: [{ kind: 'bad', source: 's', message: 'not a JSON object: "li@mail.example.org"' }],
    };
    const partial = protectPartialProfile({ profile: profile.toJSON(), issues }, 'redact', sensitive);
    const text = JSON.stringify(partial);
    for (const secret of [
      'jane@example.com',
      'bob@corp.io',
      '+44 20 7946 0958',
      '+1 202-555-0143',
      'li@mail.example.org',
    ])
      expect(text).not.toContain(secret);
    const restored = DatasetProfile.fromJSON(partial.profile as never);
    expect([...restored.column('contact')!.categories]).toEqual([
      ['[PHONE_NUMBER]', 2],
      ['none', 1],
    ]);
    expect([...restored.column('plan')!.categories]).toEqual([
      ['gold', 2],
      ['silver', 1],
    ]);
    // Hashed in the part, not hashed again at check time: the same buckets as hashing the whole window.
    hashProfileCategories(restored, salt, ['email']);
    expect(new Map(restored.column('email')!.categories)).toEqual(
      new Map([
        [hashCategory(salt, 'jane@example.com'), 2],
        [hashCategory(salt, 'bob@corp.io'), 1],
      ]),
    );
    expect(protectPartialProfile({ profile: profile.toJSON(), issues }, 'warn', sensitive).issues).toBe(
      issues,
    );
  });
});
