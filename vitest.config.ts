import { defineConfig } from 'vitest/config';

// Two layers: unit (no I/O, fast) and integration (real Postgres and Redis named by
// TEST_DATABASE_URL / TEST_REDIS_URL). Playwright owns tests/e2e/**/*.spec.ts.
export default defineConfig({
  resolve: {
    tsconfigPaths: true,
    // 'server-only' throws outside React Server Components; tests import server modules directly.
    alias: { 'server-only': new URL('./tests/support/empty.ts', import.meta.url).pathname },
  },
  test: {
    projects: [
      {
        extends: true,
        // `vitest run` with several projects needs each (with its own maxWorkers) in a group of its own.
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/integration-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: more workers only make the databases fight for CPU.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // Faults and replicas: own Redis and Postgres servers that the tests kill and freeze,
          // and several Kiln processes. One file at a time, so timings are not another test's noise.
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/integration-setup.ts', 'tests/support/faults-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          maxWorkers: 1,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          // Long variants on real minutes (npm run test:soak); not part of npm test.
          name: 'soak',
          include: ['tests/soak/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/integration-setup.ts', 'tests/support/faults-setup.ts'],
          testTimeout: 900_000,
          hookTimeout: 300_000,
          maxWorkers: 1,
          fileParallelism: false,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
