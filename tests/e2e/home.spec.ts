import { expect, test } from '@playwright/test';
import postgres from 'postgres';
import { E2E_DATABASE_URL } from './support/e2e-env';

test('the first page shows the shop\u2019s real size and both backends answering', async ({ page }) => {
  await page.goto('/');
  const sql = postgres(E2E_DATABASE_URL, { max: 1 });
  try {
    const [counts] = await sql`select (select count(*)::int from products) as products, (select count(*)::int from orders) as orders,
                                     (select count(*)::int from shop_users) as users, (select count(*)::int from categories) as categories`;
    const format = (n: number) => n.toLocaleString('en-US');
    await expect(page.getByTestId('count-products')).toHaveText(format(counts!.products));
    await expect(page.getByTestId('count-orders')).toHaveText(format(counts!.orders));
    await expect(page.getByTestId('count-users')).toHaveText(format(counts!.users));
    await expect(page.getByTestId('count-categories')).toHaveText(format(counts!.categories));
    expect(counts!.products).toBe(800);
  } finally {
    await sql.end();
  }
  await expect(page.getByTestId('backend-database')).toContainText('PostgreSQL');
  await expect(page.getByTestId('backend-database')).toContainText('answers');
  await expect(page.getByTestId('backend-cache')).toContainText('Redis');
  await expect(page.getByTestId('backend-cache')).toContainText('answers');
});

test('health answers without sign-in; readiness reports its checks', async ({ request }) => {
  const health = await request.get('/api/health');
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok' });
  const ready = await request.get('/api/ready');
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({ ready: true, checks: { database: { ok: true } } });
});
