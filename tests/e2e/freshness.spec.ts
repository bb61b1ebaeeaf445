import { expect, test } from '@playwright/test';
import type { FreshnessOverview } from '@/lib/api/freshness';
import { api, query, signIn } from './support/session';

test.beforeEach(async ({ page }) => signIn(page));

test('a price changed in the database reaches the cached product, and the Freshness page counts it', async ({ page }) => {
  // The shared test server's wal_level is replica: auto falls back to the triggers.
  const [product] = await query<{ id: number; price: string }>(`select id, price::text from products where status = 'active' order by id desc limit 1`);
  const read = async () => {
    const response = await page.request.get(`/api/shop/products/${product!.id}`);
    expect(response.ok()).toBe(true);
    return { cache: response.headers()['x-kiln-cache'], price: ((await response.json()) as { price: number }).price };
  };
  await read(); // cached by the read path
  expect((await read()).cache).toBe('hit');
  const before = await api<FreshnessOverview>(page.request, 'GET', '/api/freshness');
  const rewarmedBefore = before.strategies.find((s) => s.strategy === 'hot_products')!.totals.rewarmed;

  const price = (Number(product!.price) + 1.25).toFixed(2);
  await query(`update products set price = $1 where id = $2`, [price, product!.id]);
  await expect.poll(async () => (await read()).price, { timeout: 15_000 }).toBe(Number(price));
  expect((await read()).cache).toBe('hit'); // re-warmed in place, not dropped

  await page.goto('/freshness');
  await expect(page.getByTestId('stream-state')).toHaveText('streaming');
  await expect(page.getByTestId('stream-mode')).toHaveText('triggers');
  const row = page.getByTestId('freshness-hot_products');
  await expect.poll(async () => Number((await row.locator('td').nth(2).textContent())?.replace(/,/g, '')), { timeout: 15_000 }).toBeGreaterThan(rewarmedBefore);
  await expect(page.getByTestId('delay-chart')).toContainText(/hot products/i);
});

test('re-warm on change is switched off and on for a strategy in Settings', async ({ page }) => {
  await page.goto('/settings');
  const form = page.getByRole('form', { name: 'sessions' });
  const box = form.getByLabel('Re-warm on change');
  await expect(box).toBeChecked();
  await box.uncheck();
  await form.getByRole('button', { name: 'Save sessions' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved');
  const views = await api<{ strategies: { name: string; rewarmOnChange: boolean }[] }>(page.request, 'GET', '/api/strategies');
  expect(views.strategies.find((s) => s.name === 'sessions')!.rewarmOnChange).toBe(false);
  await page.goto('/freshness');
  await expect(page.getByTestId('freshness-sessions')).toContainText('re-warm off');
  await api(page.request, 'PATCH', '/api/strategies/sessions', { rewarmOnChange: true });
});

