import { defineConfig } from '@playwright/test';
import {
  E2E_ADMIN_DATABASE_URL,
  E2E_ADMIN_EMAIL,
  E2E_ADMIN_PASSWORD,
  E2E_BASE_URL,
  E2E_CACHE_PREFIX,
  E2E_DATABASE_NAME,
  E2E_DATABASE_URL,
  E2E_PORT,
  E2E_REDIS_URL,
} from './tests/e2e/support/e2e-env';

// Playwright cannot download its browser here: Debian's chromium is used instead.
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export default defineConfig({
  testDir: './tests/e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  globalTeardown: './tests/e2e/support/global-teardown.ts',
  use: {
    baseURL: E2E_BASE_URL,
    viewport: { width: 1280, height: 800 },
    reducedMotion: 'reduce',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: 'node tests/e2e/support/serve.mjs',
    url: `${E2E_BASE_URL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
    env: {
      E2E_ADMIN_DATABASE_URL,
      E2E_DATABASE_NAME,
      E2E_PORT: String(E2E_PORT),
      DATABASE_URL: E2E_DATABASE_URL,
      REDIS_URL: E2E_REDIS_URL,
      CACHE_KEY_PREFIX: E2E_CACHE_PREFIX,
      DEMO_PRODUCTS: '800',
      LOG_LEVEL: 'warn',
      // A default schedule firing mid-test would make a strategy busy (409) at random: the runner
      // stays off here; the schedules themselves (and Run now) work without it.
      SCHEDULER_ENABLED: 'false',
      KILN_ADMIN_EMAIL: E2E_ADMIN_EMAIL,
      KILN_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
      KILN_DATA_DIR: `.data/e2e-${process.env.E2E_RUN_ID}`,
    },
  },
});
