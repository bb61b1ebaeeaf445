import { type APIRequestContext, type Page, expect } from '@playwright/test';
import postgres from 'postgres';
import { E2E_ADMIN_EMAIL, E2E_ADMIN_PASSWORD, E2E_BASE_URL, E2E_DATABASE_URL } from './e2e-env';

/**
 * Signs the page's browser context in through the API (the form is tested once, in sign-in.spec):
 * the session cookie lands in the context, so the page and `page.request` both carry it.
 */
export async function signIn(page: Page, email = E2E_ADMIN_EMAIL, password = E2E_ADMIN_PASSWORD): Promise<void> {
  const response = await page.request.post('/api/auth/login', { data: { email, password }, headers: { origin: E2E_BASE_URL } });
  expect(response.status(), await response.text()).toBe(200);
}

/** A JSON call to the API as the signed-in context, failing the test on anything but 2xx. */
export async function api<T>(request: APIRequestContext, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, data?: unknown): Promise<T> {
  const response = await request.fetch(path, { method, data, headers: { origin: E2E_BASE_URL } });
  expect(response.ok(), `${method} ${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return (await response.json()) as T;
}

/** Reads the e2e database directly, so a test checks the page against the data, not against itself. */
export async function query<T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const sql = postgres(E2E_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(text, params as never[])) as unknown as T[];
  } finally {
    await sql.end();
  }
}

export const format = (n: number) => n.toLocaleString('en-US');
