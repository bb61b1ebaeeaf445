import { expect, test } from './support/fixtures';
import { E2E_ADMIN_EMAIL, E2E_ADMIN_PASSWORD } from './support/e2e-env';

test('a visitor is sent to sign in, is told a wrong password in words, and lands on the page they asked for', async ({ page }) => {
  await page.goto('/history?range=7d');
  await expect(page).toHaveURL(/\/login\?next=%2Fhistory%3Frange%3D7d$/);

  await page.getByLabel('Email').fill(E2E_ADMIN_EMAIL);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('form [role="alert"]')).toHaveText('Email or password is incorrect');
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel('Password').fill(E2E_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/history\?range=7d$/);
  await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
  await expect(page.getByTestId('signed-in-as')).toContainText(`${E2E_ADMIN_EMAIL} · admin`);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings$/);
});

test('health answers without sign-in; readiness reports its checks', async ({ request }) => {
  const health = await request.get('/api/health');
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok' });
  const ready = await request.get('/api/ready');
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({ ready: true, checks: { database: { ok: true } } });
});

test('when the session ends, the next call to the API sends the page to sign in, remembering where it was', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(E2E_ADMIN_EMAIL);
  await page.getByLabel('Password').fill(E2E_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  await page.goto('/audit');
  await expect(page.getByTestId('audit-table')).toBeVisible();
  // The session ends behind the page's back (as after 12 idle hours or a sign-out elsewhere).
  expect((await page.request.post('/api/auth/logout', { headers: { origin: new URL(page.url()).origin } })).status()).toBe(200);
  await page.getByLabel('Outcome').selectOption('denied');
  await expect(page).toHaveURL(/\/login\?next=%2Faudit$/);
});
