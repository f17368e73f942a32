import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (tests/unit: pure code and local fakes, starts no service) and `integration`
 * (tests/integration: real Redis and moto_server, started by the global setup). `npx vitest run --project
 * unit` runs only the first. A test file of either project fails if it leaves a socket, server, child
 * process or timer open (tests/support/leak-check.ts).
 */

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
          setupFiles: ['tests/support/leak-check.ts'],
        },
      },
    ],
  },
});
