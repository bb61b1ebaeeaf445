import { expect, test } from './support/fixtures';
import { api, query, signIn } from './support/session';
import { E2E_BASE_URL } from './support/e2e-env';

test('an empty operator form names every missing field at once, and sends nothing', async ({ page }) => {
  await signIn(page);
  await page.goto('/admin');
  const before = await query<{ n: number }>('select count(*)::int as n from operators');
  const form = page.getByRole('form', { name: 'Add an operator' });
  await form.getByRole('button', { name: 'Add operator' }).click();
  await expect(form.getByText('Expected an email address')).toBeVisible();
  await expect(form.getByText('Required')).toBeVisible();
  await expect(form.getByText('Must be at least 12 characters')).toBeVisible();
  await expect(form.getByRole('alert')).toHaveCount(3);
  // No field name from the API in what the operator reads.
  await expect(form).not.toContainText(/email:|password:|name:/);
  expect((await query<{ n: number }>('select count(*)::int as n from operators'))[0]!.n).toBe(before[0]!.n);
});

test('an admin resets an operator’s password from the page: the new one signs in, the old one and their sessions do not', async ({ page, browser }) => {
  await signIn(page);
  const email = `reset-${Date.now().toString(36)}@e2e.kiln.local`;
  await api(page.request, 'POST', '/api/operators', { email, name: 'Reset me', role: 'viewer', password: 'the-old-password-1' });
  // The operator is signed in elsewhere when the reset happens.
  const other = await browser.newContext();
  const login = await other.request.post(`${E2E_BASE_URL}/api/auth/login`, { data: { email, password: 'the-old-password-1' }, headers: { origin: E2E_BASE_URL } });
  expect(login.status()).toBe(200);

  await page.goto('/admin');
  await page.getByRole('button', { name: `Reset password of ${email}` }).click();
  const form = page.getByRole('form', { name: `Reset password of ${email}` });
  await form.getByLabel(`New password for ${email}`).fill('short');
  await form.getByRole('button', { name: 'Set password' }).click();
  await expect(form.getByRole('alert')).toHaveText('Must be at least 12 characters');
  await form.getByLabel(`New password for ${email}`).fill('the-new-password-2');
  // The password the admin passes on is to be kept this time.
  await expect(form.getByRole('checkbox', { name: 'They choose a new one at sign-in' })).toBeChecked();
  await form.getByRole('checkbox', { name: 'They choose a new one at sign-in' }).uncheck();
  await form.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByTestId(`operator-${email}`).getByRole('status')).toHaveText('Password reset: their sessions ended');

  expect((await other.request.get(`${E2E_BASE_URL}/api/auth/me`)).status()).toBe(401);
  const signInAs = (password: string) => other.request.post(`${E2E_BASE_URL}/api/auth/login`, { data: { email, password }, headers: { origin: E2E_BASE_URL } });
  expect((await signInAs('the-old-password-1')).status()).toBe(401);
  const kept = await signInAs('the-new-password-2');
  expect(kept.status()).toBe(200);
  expect(((await kept.json()) as { operator: { mustChangePassword?: boolean } }).operator.mustChangePassword).toBeUndefined();
  const [audit] = await query<{ after: { passwordReset?: boolean; mustChangePassword?: boolean } }>(`select after from audit_log where action = 'operator.update' order by id desc limit 1`);
  expect(audit!.after).toMatchObject({ passwordReset: true, mustChangePassword: false });

  // Reset again, as by default: the next sign-in lands on the password page, which asks for a new one.
  await page.getByRole('button', { name: `Reset password of ${email}` }).click();
  await form.getByLabel(`New password for ${email}`).fill('the-new-password-3');
  await form.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByTestId(`operator-${email}`).getByRole('status')).toHaveText('Password reset: their sessions ended; they choose a new one at sign-in');
  expect((await query<{ m: boolean }>('select must_change_password as m from operators where email = $1', [email]))[0]!.m).toBe(true);
  const forced = await signInAs('the-new-password-3');
  expect(((await forced.json()) as { operator: { mustChangePassword?: boolean } }).operator.mustChangePassword).toBe(true);
  const theirs = await other.newPage();
  await theirs.goto(`${E2E_BASE_URL}/`);
  await expect(theirs).toHaveURL(/\/account\/password/);
  await other.close();
});

test('audit rows link their target, say what changed, and export as CSV', async ({ page }) => {
  await signIn(page);
  await api(page.request, 'PATCH', '/api/strategies/hot_products', { priority: 99 });
  await page.goto('/audit');
  const row = page.getByTestId('audit-table').locator('tbody tr').filter({ hasText: 'strategy.update' }).first();
  await expect(row.getByRole('link', { name: 'strategy Hot products' })).toHaveAttribute('href', '/settings');
  await expect(row).toContainText('priority 100 → 99');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^kiln-audit-.*\.csv$/);
  await expect(page.getByText(/Exported \d+ entries/)).toBeVisible();
  await api(page.request, 'PATCH', '/api/strategies/hot_products', { priority: 100 });
});

test('an operator edit made on a stale row is refused (If-Match, 412) with what changed, and applied again on the current row when asked', async ({ page }) => {
  await signIn(page);
  const email = `stale-${Date.now().toString(36)}@e2e.kiln.local`;
  const created = await api(page.request, 'POST', '/api/operators', { email, name: 'Stale me', role: 'viewer', password: 'a-long-password-1' });
  const id = (created as { operator: { id: number } }).operator.id;
  await page.goto('/admin');
  const row = page.getByTestId(`operator-${email}`);
  await expect(row.getByRole('button', { name: `Disable ${email}` })).toBeVisible();

  // Another admin renames them and makes them an operator while this page still shows the old row.
  await api(page.request, 'PATCH', `/api/operators/${id}`, { name: 'Renamed elsewhere', role: 'operator' });
  const patches: (string | null)[] = [];
  page.on('request', (r) => {
    if (r.method() === 'PATCH' && r.url().endsWith(`/api/operators/${id}`)) patches.push(r.headers()['if-match'] ?? null);
  });
  await row.getByRole('button', { name: `Disable ${email}` }).click();
  const notice = row.getByRole('alert').filter({ hasText: 'your change was not saved' });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('Name: Stale me → Renamed elsewhere');
  await expect(notice).toContainText('Role: viewer → operator');
  const [before] = await query<{ disabled: boolean; name: string }>(`select disabled_at is not null as disabled, name from operators where id = ${id}`);
  expect(before).toEqual({ disabled: false, name: 'Renamed elsewhere' });

  await notice.getByRole('button', { name: 'Apply my change again' }).click();
  await expect(row.getByRole('button', { name: `Enable ${email}` })).toBeVisible();
  const [after] = await query<{ disabled: boolean; name: string; role: string }>(`select disabled_at is not null as disabled, name, role from operators where id = ${id}`);
  expect(after).toEqual({ disabled: true, name: 'Renamed elsewhere', role: 'operator' });
  // Both sends named the version they were based on: the page's, then the current one.
  expect(patches).toHaveLength(2);
  expect(patches.every((h) => h !== null && /^"\d+"$/.test(h))).toBe(true);
  expect(patches[0]).not.toBe(patches[1]);
});
