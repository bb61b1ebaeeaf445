import { TEST_DATABASE_URL, TEST_REDIS_URL, databaseUrl } from '../../support/env';

// The Playwright runner, its workers and the web server all read these: the runner sets them once
// (the config is evaluated first in the runner) and the others inherit them.
process.env.E2E_RUN_ID ??= `${Math.floor(Date.now() / 60_000)}_${Math.random().toString(36).slice(2, 7)}`;

export const E2E_PORT = Number(process.env.E2E_PORT || 3210);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const E2E_DATABASE_NAME = `kiln_e2e_${process.env.E2E_RUN_ID}`;
export const E2E_DATABASE_URL = databaseUrl(E2E_DATABASE_NAME);
export const E2E_ADMIN_DATABASE_URL = TEST_DATABASE_URL;
export const E2E_REDIS_URL = TEST_REDIS_URL;
export const E2E_CACHE_PREFIX = `kiln-e2e:${process.env.E2E_RUN_ID}:`;

/** The admin the e2e server creates on its first start (KILN_ADMIN_EMAIL / KILN_ADMIN_PASSWORD). */
export const E2E_ADMIN_EMAIL = 'admin@e2e.kiln.local';
export const E2E_ADMIN_PASSWORD = 'e2e-admin-password-1';
