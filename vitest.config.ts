import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (tests/unit: pure code and local fakes, starts no service) and `integration`
 * (tests/integration: real Redis and moto_server, started by the global setup). `npx vitest run --project
 * unit` runs only the first. A unit test file fails if it leaves a socket, server, child process or timer
 * open (tests/support/leak-check.ts); integration files are checked with `LEAK_CHECK=integration` (not
 * yet by default: tests/integration/jobs.test.ts leaves 6 timers).
 */
const leakCheckIntegration = process.env.LEAK_CHECK === 'integration';

export default defineConfig({
  test: {
    setupFiles: ['tests/support/fast-check.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: integration tests start processes of their own.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          setupFiles: ['tests/support/leak-check.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          setupFiles: leakCheckIntegration ? ['tests/support/leak-check.ts'] : [],
        },
      },
    ],
  },
});
