import { type Page, expect, test } from './support/fixtures';
import { E2E_ADMIN_EMAIL, E2E_ADMIN_PASSWORD, E2E_BASE_URL } from './support/e2e-env';
import { api, query, signIn } from './support/session';

const SHOTS = 'test-results/screenshots';

/**
 * The `next` tricks that once sent a visitor to another site after signing in, as a browser reads
 * them: a tab or a newline inside `//`, a backslash, `//`, a scheme, a path that resolves to `//`.
 */
const TRICKS = [
  '%2F%09%2Fevil.example',
  '%2F%0A%2Fevil.example',
  '%2F%0D%2Fevil.example',
  '%2F%5Cevil.example',
  '%2F%2Fevil.example',
  'https%3A%2F%2Fevil.example',
  'https%3Aevil.example',
  '%2F.%2F%2Fevil.example',
  '%2F..%2F%2Fevil.example',
  'javascript%3Aalert(1)',
];

/** Records every request the page makes to another host (none may happen), and refuses it. */
async function watchForeignRequests(page: Page): Promise<string[]> {
  const foreign: string[] = [];
  await page.context().route(
    (url) => url.origin !== E2E_BASE_URL,
    async (route) => {
      foreign.push(route.request().url());
      await route.abort();
    },
  );
  return foreign;
}

test('every answer carries the security headers and a fresh CSP nonce, pages and API alike', async ({ request }) => {
  const nonces = new Set<string>();
  for (const path of ['/login', '/login', '/api/health', '/api/auth/me', '/no-such-page']) {
    const response = await request.get(path, { maxRedirects: 0 });
    const headers = response.headers();
    const csp = headers['content-security-policy'] ?? '';
    expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'/);
    expect(csp).not.toContain("'unsafe-inline' 'nonce");
    expect(csp.split(';').find((d) => d.trim().startsWith('script-src'))).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    expect(headers['permissions-policy']).toContain('camera=()');
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // Plain http here: no HSTS (it is sent when KILN_PUBLIC_URL is https).
    expect(headers['strict-transport-security']).toBeUndefined();
    nonces.add(/nonce-([^']+)/.exec(csp)![1]!);
  }
  expect(nonces.size).toBe(5);
  // A request id a client makes up is replaced.
  const forged = await request.get('/api/health', { headers: { 'x-request-id': 'chosen-by-the-client' } });
  expect(forged.headers()['x-request-id']).not.toBe('chosen-by-the-client');
});

test('the theme script runs under the CSP with the page’s nonce', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const response = await page.goto('/login');
  const nonce = /nonce-([^']+)/.exec(response!.headers()['content-security-policy']!)![1];
  expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
  // The browser hides nonce attributes from the DOM; the property keeps the value.
  expect(await page.evaluate(() => (document.querySelector('head script:not([src])') as HTMLScriptElement).nonce)).toBe(nonce);
});

for (const trick of TRICKS) {
  test(`next=${trick} keeps a fresh sign-in and a signed-in visitor on Kiln`, async ({ page }) => {
    const foreign = await watchForeignRequests(page);
    await page.goto(`/login?next=${trick}`);
    await page.getByLabel('Email').fill(E2E_ADMIN_EMAIL);
    await page.getByLabel('Password').fill(E2E_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
    expect(new URL(page.url()).origin).toBe(E2E_BASE_URL);

    // Signed in now: the server's redirect of /login is checked the same way.
    const response = await page.goto(`/login?next=${trick}`);
    expect(response!.status()).toBeLessThan(500);
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
    expect(new URL(page.url()).origin).toBe(E2E_BASE_URL);
    expect(foreign).toEqual([]);
  });
}

test('next= a path of Kiln still brings the visitor back to it', async ({ page }) => {
  await page.goto('/login?next=%2Fhistory%3Frange%3D7d');
  await page.getByLabel('Email').fill(E2E_ADMIN_EMAIL);
  await page.getByLabel('Password').fill(E2E_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${E2E_BASE_URL}/history?range=7d`);
});

test('an operator with a generated password must choose one first, and the old one stops working', async ({ page }) => {
  await signIn(page);
  const email = `fresh-${Date.now()}@e2e.kiln.local`;
  await api(page.request, 'POST', '/api/operators', { email, name: 'Fresh', role: 'operator', password: 'generated password 1' });
  await query('update operators set must_change_password = true where email = $1', [email]);
  await page.context().clearCookies();

  await page.goto('/settings');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('generated password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account\/password\?next=%2Fsettings$/);
  await expect(page.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
  // Nothing else opens meanwhile.
  await page.goto('/history');
  await expect(page).toHaveURL(/\/account\/password\?next=%2Fhistory$/);

  await page.getByLabel('Generated password').fill('generated password 1');
  await page.getByLabel('New password', { exact: true }).fill('my very own password');
  await page.getByLabel('New password again').fill('not the same password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('The two new passwords differ')).toBeVisible();
  await page.getByLabel('New password again').fill('my very own password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(`${E2E_BASE_URL}/history`);
  await expect(page.getByTestId('signed-in-as')).toContainText(email);

  const [row] = await query<{ must_change_password: boolean }>('select must_change_password from operators where email = $1', [email]);
  expect(row!.must_change_password).toBe(false);
  const old = await page.request.post('/api/auth/login', { data: { email, password: 'generated password 1' }, headers: { origin: E2E_BASE_URL } });
  expect(old.status()).toBe(401);
});

test('an operator changes their own password from the header link; a wrong current one is named', async ({ page }) => {
  await signIn(page);
  const email = `own-${Date.now()}@e2e.kiln.local`;
  await api(page.request, 'POST', '/api/operators', { email, name: 'Own', role: 'viewer', password: 'first password 12' });
  await page.context().clearCookies();
  await signIn(page, email, 'first password 12');
  await page.goto('/');
  await page.getByTestId('signed-in-as').getByRole('link', { name: email }).click();
  await expect(page.getByRole('heading', { name: 'Change your password' })).toBeVisible();
  await page.getByLabel('Current password').fill('not it at all');
  await page.getByLabel('New password', { exact: true }).fill('second password 12');
  await page.getByLabel('New password again').fill('second password 12');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('is not your current password')).toBeVisible();
  await page.getByLabel('Current password').fill('first password 12');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page).toHaveURL(`${E2E_BASE_URL}/`);
});

for (const theme of ['light', 'dark'] as const) {
  for (const [width, height] of [[1280, 800], [390, 844]] as const) {
    test(`the sign-in, password and admin pages at ${width}x${height} in the ${theme} theme (screenshots under ${SHOTS})`, async ({ page }) => {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: theme });
      await page.goto('/login');
      await expect(page.getByRole('heading', { name: 'Sign in to Kiln' })).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/security-login-${width}-${theme}.png`, fullPage: true });
      await signIn(page);
      await page.goto('/account/password');
      await expect(page.getByRole('heading', { name: 'Change your password' })).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/security-password-${width}-${theme}.png`, fullPage: true });
      await page.goto('/admin');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/security-admin-${width}-${theme}.png`, fullPage: true });
    });
  }
}
