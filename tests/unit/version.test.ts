import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { driftwatchVersion } from '../../src/core/version.js';

describe('driftwatchVersion', () => {
  it("is package.json's version (the one place it is written)", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(driftwatchVersion()).toBe(pkg.version);
    expect(driftwatchVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
