import { expect, test } from './support/fixtures';
import { E2eCache } from './support/cache';
import { format, query, signIn } from './support/session';

test.beforeEach(async ({ page }) => signIn(page));

test('the overview shows the shop’s real size and both backends answering', async ({ page }) => {
  await page.goto('/');
  const [counts] = await query<{ products: number; orders: number; users: number; categories: number }>(
    `select (select count(*)::int from products) as products, (select count(*)::int from orders) as orders,
            (select count(*)::int from shop_users) as users, (select count(*)::int from categories) as categories`,
  );
  expect(counts!.products).toBe(800);
  await expect(page.getByTestId('count-products')).toHaveText(format(counts!.products));
  await expect(page.getByTestId('count-orders')).toHaveText(format(counts!.orders));
  await expect(page.getByTestId('count-users')).toHaveText(format(counts!.users));
  await expect(page.getByTestId('count-categories')).toHaveText(format(counts!.categories));
  await expect(page.getByTestId('backend-database')).toContainText('PostgreSQL');
  await expect(page.getByTestId('backend-database')).toContainText('answers');
  await expect(page.getByTestId('backend-cache')).toContainText('Redis');
  await expect(page.getByTestId('backend-cache')).toContainText('answers');
});

test('warming a strategy shows its progress to the end; the run is in the history and opens to its detail', async ({ page }) => {
  await page.goto('/');
  // recommendations: no default schedule fires it in the minutes a test takes (except at 08:30 UTC).
  const started = page.waitForResponse((r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Warm now: recommendations' }).click();
  await page.getByTestId('warm-dialog').getByRole('button', { name: 'Start warmup' }).click();
  const { runId } = (await (await started).json()) as { runId: string };

  const progress = page.locator(`[data-testid="run-progress"][data-run-id="${runId}"]`);
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute('data-status', 'succeeded');
  const [run] = await query<{ total: number; warmed: number; status: string }>('select total::int, warmed::int, status::text from runs where id = $1', [runId]);
  expect(run).toMatchObject({ status: 'succeeded', total: 4, warmed: 4 });
  await expect(progress.getByTestId('progress-done')).toHaveText(format(run!.total));
  await expect(progress.getByTestId('progress-warmed')).toHaveText(format(run!.warmed));
  await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');

  await page.getByRole('link', { name: 'History' }).click();
  await page.getByRole('combobox', { name: 'Strategy' }).selectOption('recommendations');
  await page.getByRole('combobox', { name: 'Trigger' }).selectOption('manual');
  const row = page.locator(`tr[data-run-id="${runId}"]`);
  await expect(row).toContainText('4 / 4');
  await expect(row).toContainText('succeeded');
  await row.getByRole('link').click();

  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Run ${runId.slice(0, 8)}`);
  const results = page.locator('#strategy-results-heading').locator('xpath=ancestor::section');
  await expect(results.getByRole('row', { name: /recommendations/i })).toContainText('100.0%');
  await expect(page.getByText('No key failed in this run.')).toBeVisible();
  await expect(page.getByTestId('run-timeline')).toContainText('Recommendations');
});

test('a key that really fails is shown with its error and found by search; Retry failed keys warms exactly it in a new run', async ({ page }) => {
  const key = 'Category:tree:root';
  const cache = new E2eCache();
  try {
    // Another writer's hash at one of the strategy's keys: the warmer will not overwrite it.
    await cache.occupyWithHash(key);
    await page.goto('/');
    const started = page.waitForResponse((r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Warm now: categories' }).click();
    await page.getByTestId('warm-dialog').getByRole('button', { name: 'Start warmup' }).click();
    const { runId } = (await (await started).json()) as { runId: string };
    await expect(page.locator(`[data-testid="run-progress"][data-run-id="${runId}"]`)).toHaveAttribute('data-status', 'partial');
    const failures = await query<{ key: string; error: string }>('select key, error from run_failures where run_id = $1', [runId]);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.key).toBe(key);
    expect(failures[0]!.error).toContain('WRONGTYPE');

    await page.goto(`/runs/${runId}`);
    const panel = page.locator('section[aria-labelledby="failed-keys-heading"]');
    const row = panel.getByRole('row', { name: new RegExp(key) });
    await expect(row).toContainText(failures[0]!.error);
    const search = panel.getByRole('searchbox', { name: 'Search failed keys and errors' });
    await search.fill('wrongtype');
    await expect(panel).toContainText('1 matching “wrongtype” among 1 recorded failures');
    await expect(row).toBeVisible();
    await search.fill('Product:id');
    await expect(panel).toContainText('No failed key or error matches “Product:id”.');
    await expect(row).toHaveCount(0);
    await search.fill('');
    await expect(row).toBeVisible();

    // The other writer is gone: the retry can write the key.
    await cache.delete(key);
    await page.getByRole('button', { name: 'Retry the failed key' }).click();
    await page.getByTestId('warm-dialog').getByRole('button', { name: 'Retry the failed key' }).click();
    await expect(page).not.toHaveURL(new RegExp(`/runs/${runId}$`));
    const retryId = page.url().split('/runs/')[1]!;
    await expect(page.getByRole('heading', { level: 1 })).toContainText('succeeded');
    const [retry] = await query<{ trigger: string; retry_of: string; key_filter: unknown; status: string; total: number; warmed: number }>(
      'select trigger::text, retry_of::text, key_filter, status::text, total::int, warmed::int from runs where id = $1',
      [retryId],
    );
    expect(retry).toEqual({ trigger: 'retry', retry_of: runId, key_filter: { categories: [key] }, status: 'succeeded', total: 1, warmed: 1 });
    await expect(page.getByText(`retry by`)).toContainText(`run ${runId.slice(0, 8)}`);
    await expect(page.getByText('No key failed in this run.')).toBeVisible();
    expect(await cache.type(key)).toBe('string');
  } finally {
    if ((await cache.type(key)) === 'hash') await cache.delete(key);
    cache.close();
  }
});
