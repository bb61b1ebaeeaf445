import { type APIRequestContext, expect, test } from './support/fixtures';
import type { HitRate, HitRateTotals, RunEstimate } from '@/lib/api/effect';
import { E2eCache } from './support/cache';
import { api, format, query, signIn } from './support/session';

test.beforeEach(async ({ page }) => signIn(page));

/** Totals of every shop read of the last hour, as the API counts them. */
async function hitRateTotals(request: APIRequestContext): Promise<{ totals: Map<string, HitRateTotals>; perMiss: Map<string, number> }> {
  const to = new Date(Date.now() + 120_000).toISOString();
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const data = await api<HitRate>(request, 'GET', `/api/effect/hit-rate?from=${from}&to=${to}&bucket=1m`);
  return { totals: new Map(data.totals.map((t) => [t.family, t])), perMiss: new Map(data.families.map((f) => [f.family, f.queriesPerMiss])) };
}

/** The size of the categories strategy's warm set, from the shop's tables: levels 1 and 2, and the tree. */
async function categoriesWarmSet(): Promise<number> {
  const [row] = await query<{ n: number }>('select count(*)::int as n from categories where level <= 2');
  return row!.n + 1;
}

test('shop reads appear in the hit-rate panel; deleting warmed keys drops the coverage, warming brings it back to 100%', async ({ page, request }) => {
  const before = await hitRateTotals(page.request);
  await page.goto('/');
  const panel = page.locator('section[aria-labelledby="effect-heading"]');
  if (before.totals.get('all')!.reads === 0) await expect(panel.getByTestId('hit-rate-empty')).toContainText('GET /api/shop/products/{id}');

  // The shop reads its cache through the read path, with the credential a shop backend holds (a
  // shop_reader token); each answer says whether it was a hit.
  const { secret } = await api<{ secret: string }>(page.request, 'POST', '/api/tokens', { name: `e2e shop ${Date.now()}`, role: 'shop_reader' });
  const [product] = await query<{ id: number }>(`select id from products where status = 'active' order by id desc limit 1`);
  const paths: [string, string][] = [
    ['categories', '/api/shop/categories'],
    ['categories', '/api/shop/categories'],
    ['categories', '/api/shop/categories'],
    ['recommendations', '/api/shop/recommendations/homepage'],
    ['recommendations', '/api/shop/recommendations/homepage'],
    ['products', `/api/shop/products/${product!.id}`],
    ['products', `/api/shop/products/${product!.id}`],
  ];
  const ours = new Map<string, { reads: number; hits: number }>();
  for (const [family, path] of paths) {
    const response = await request.get(path, { headers: { authorization: `Bearer ${secret}` } });
    expect(response.status(), path).toBe(200);
    const hit = response.headers()['x-kiln-cache'] === 'hit';
    for (const key of [family, 'all']) {
      const sum = ours.get(key) ?? { reads: 0, hits: 0 };
      ours.set(key, { reads: sum.reads + 1, hits: sum.hits + (hit ? 1 : 0) });
    }
  }
  // The second read of the product found what the first one cached.
  expect(ours.get('products')!.hits).toBeGreaterThanOrEqual(1);

  // Counts reach the database every 5 s and the panel reads them every 10 s: it moves on its own.
  for (const family of ['all', 'categories', 'recommendations', 'products']) {
    const row = panel.getByTestId(`hit-rate-${family}`);
    const was = before.totals.get(family)!;
    await expect(row.getByTestId('reads'), family).toHaveText(format(was.reads + ours.get(family)!.reads), { timeout: 30_000 });
    await expect(row.getByTestId('hits'), family).toHaveText(format(was.hits + ours.get(family)!.hits));
  }
  const after = await hitRateTotals(page.request);
  const productsAvoided = before.totals.get('products')!.dbQueriesAvoided + ours.get('products')!.hits * after.perMiss.get('products')!;
  await expect(panel.getByTestId('hit-rate-products').getByTestId('db-queries-avoided')).toHaveText(format(productsAvoided));
  await expect(panel.getByTestId('hit-rate-all').getByTestId('db-queries')).toHaveText(format(after.totals.get('all')!.dbQueries));
  await expect(panel.getByTestId('chart-hit-rate').locator('.recharts-line')).toHaveCount(5);

  // The warmed categories leave the cache behind Kiln's back; a sample on demand sees it.
  const warmSet = await categoriesWarmSet();
  const cache = new E2eCache();
  try {
    await cache.deleteKeys('Category:*');
    expect(await cache.keys('Category:*')).toEqual([]);
    const coverage = page.getByTestId('coverage-categories');
    const sampled = page.waitForResponse((r) => r.url().endsWith('/api/effect/coverage/sample') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sample now' }).click();
    expect((await sampled).status()).toBe(201);
    const enabled = (await api<{ strategies: { enabled: boolean }[] }>(page.request, 'GET', '/api/strategies')).strategies.filter((s) => s.enabled).length;
    await expect(page.getByTestId('sample-outcome')).toContainText(`Sampled ${enabled} strategies`);
    await expect(coverage.getByTestId('coverage-present')).toHaveText(`0 / ${format(warmSet)}`);
    await expect(coverage.getByTestId('coverage-value')).toHaveText('0.0%');
    await expect(coverage).toContainText('no key present');
    await expect(coverage).toContainText('between runs');

    // Warm the strategy again, sample: the whole warm set is back.
    const started = page.waitForResponse((r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Warm now: categories' }).click();
    await page.getByTestId('warm-dialog').getByRole('button', { name: 'Start warmup' }).click();
    const { runId } = (await (await started).json()) as { runId: string };
    await expect(page.locator(`[data-testid="run-progress"][data-run-id="${runId}"]`)).toHaveAttribute('data-status', 'succeeded');
    expect((await cache.keys('Category:*')).length).toBe(warmSet);
    const resampled = page.waitForResponse((r) => r.url().endsWith('/api/effect/coverage/sample') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sample now' }).click();
    expect((await resampled).status()).toBe(201);
    await expect(coverage).toContainText('between runs');
    await expect(coverage.getByTestId('coverage-present')).toHaveText(`${format(warmSet)} / ${format(warmSet)}`);
    await expect(coverage.getByTestId('coverage-value')).toHaveText('100.0%');
    await expect(coverage.getByTestId('ttl-histogram')).toHaveAttribute('aria-label', new RegExp(`75–100%: ${warmSet} keys`));
  } finally {
    cache.close();
  }
});

test('Warm catalog and Warm all ask first with the estimate’s key counts; Cancel starts nothing, Start warmup starts that run', async ({ page }) => {
  const runCount = async () => (await query<{ n: number }>('select count(*)::int as n from runs'))[0]!.n;
  await page.goto('/');
  const dialog = page.getByTestId('warm-dialog');

  await page.getByRole('button', { name: 'Warm catalog' }).click();
  await expect(dialog.getByRole('heading', { name: 'Warm catalog?' })).toBeVisible();
  const catalog = await api<RunEstimate>(page.request, 'POST', '/api/runs/estimate', { scope: { tags: ['catalog'] } });
  await expect(dialog.locator('tbody tr:not([data-testid="estimate-overhead"])')).toHaveCount(catalog.strategies.length);
  expect(catalog.strategies.map((s) => s.strategy)).toEqual(['hot_products', 'recommendations', 'categories']);
  const runsBefore = await runCount();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  expect(await runCount()).toBe(runsBefore);

  await page.getByRole('button', { name: 'Warm all' }).click();
  await expect(dialog.getByRole('heading', { name: 'Warm all strategies?' })).toBeVisible();
  const estimate = await api<RunEstimate>(page.request, 'POST', '/api/runs/estimate', { scope: { all: true } });
  const enabled = (await api<{ strategies: { name: string; enabled: boolean }[] }>(page.request, 'GET', '/api/strategies')).strategies.filter((s) => s.enabled);
  expect(estimate.strategies.map((s) => s.strategy)).toEqual(enabled.map((s) => s.name));
  for (const s of estimate.strategies) {
    await expect(dialog.getByTestId(`estimate-${s.strategy}`).getByTestId('estimate-keys'), s.strategy).toHaveText(format(s.keys.count));
  }
  await expect(dialog.getByTestId('estimate-total-keys')).toHaveText(format(estimate.total.keys));
  // Counted independently, from the shop's tables and the recommendation lists.
  expect(estimate.strategies.find((s) => s.strategy === 'categories')!.keys.count).toBe(await categoriesWarmSet());
  expect(estimate.strategies.find((s) => s.strategy === 'recommendations')!.keys.count).toBe(4);

  const started = page.waitForResponse((r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: 'Start warmup' }).click();
  const response = await started;
  expect(response.request().postDataJSON()).toEqual({ scope: { all: true }, profile: 'fixed' });
  const { runId } = (await response.json()) as { runId: string };
  await expect(dialog).toHaveCount(0);
  await expect(page.locator(`[data-testid="run-progress"][data-run-id="${runId}"]`)).toHaveAttribute('data-status', 'succeeded');
  // The estimate was the run: the catalog strategies warmed exactly the keys it counted.
  const results = await query<{ strategy: string; total: number }>('select strategy, total::int from run_strategies where run_id = $1', [runId]);
  for (const name of ['hot_products', 'recommendations', 'categories']) {
    expect(results.find((r) => r.strategy === name)?.total, name).toBe(estimate.strategies.find((s) => s.strategy === name)!.keys.count);
  }
});

test('a dry run’s detail shows the estimate it stored, and no coverage (it wrote nothing)', async ({ page }) => {
  const { runId } = await api<{ runId: string }>(page.request, 'POST', '/api/runs', { scope: { tags: ['catalog'] }, dryRun: true });
  type Detail = { status: string; estimate: RunEstimate | null };
  await expect.poll(async () => (await api<{ run: Detail }>(page.request, 'GET', `/api/runs/${runId}`)).run.status).not.toBe('running');
  const { estimate } = (await api<{ run: Detail }>(page.request, 'GET', `/api/runs/${runId}`)).run;
  expect(estimate!.strategies.map((s) => s.keys.basis)).toEqual(['dry_run', 'dry_run', 'dry_run']);

  await page.goto(`/runs/${runId}`);
  const panel = page.locator('section[aria-labelledby="estimate-heading"]');
  for (const s of estimate!.strategies) {
    await expect(panel.getByTestId(`estimate-${s.strategy}`).getByTestId('estimate-keys'), s.strategy).toHaveText(format(s.keys.count));
  }
  await expect(panel.getByTestId('estimate-total-keys')).toHaveText(format(estimate!.total.keys));
  expect(estimate!.strategies.find((s) => s.strategy === 'categories')!.keys.count).toBe(await categoriesWarmSet());
  await expect(page.locator('#run-coverage-heading')).toHaveCount(0);
});
