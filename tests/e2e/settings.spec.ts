import { expect, test } from './support/fixtures';
import { api, signIn } from './support/session';

test.beforeEach(async ({ page }) => signIn(page));

test('retuning concurrency applies at once and says how many running runs took it', async ({ page }) => {
  await page.goto('/settings');
  const before = (await api<{ settings: { maxConcurrency: number } }>(page.request, 'GET', '/api/settings')).settings.maxConcurrency;
  await expect(page.getByTestId('current-concurrency')).toHaveText(String(before));

  const answered = page.waitForResponse((r) => r.url().endsWith('/api/settings') && r.request().method() === 'PATCH');
  await page.getByRole('button', { name: 'Night 50' }).click();
  const { retunedRuns } = (await (await answered).json()) as { retunedRuns: number };
  const runs = retunedRuns === 0 ? 'no run was going' : `${retunedRuns} running ${retunedRuns === 1 ? 'run' : 'runs'} retuned`;
  await expect(page.getByTestId('concurrency-outcome')).toHaveText(`Concurrency ${before} → 50: ${runs}`);
  await expect(page.getByTestId('current-concurrency')).toHaveText('50');
  expect((await api<{ settings: { maxConcurrency: number } }>(page.request, 'GET', '/api/settings')).settings.maxConcurrency).toBe(50);

  await page.getByRole('spinbutton', { name: 'Concurrency' }).fill('0');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.locator('#concurrency-error')).toHaveText('Enter a whole number from 1 to 256');
  expect((await api<{ settings: { maxConcurrency: number } }>(page.request, 'GET', '/api/settings')).settings.maxConcurrency).toBe(50);

  await page.getByRole('button', { name: 'Normal 20' }).click();
  await expect(page.getByTestId('current-concurrency')).toHaveText('20');
});

test('a strategy setting the server refuses is explained beside its field and nothing changes', async ({ page }) => {
  await page.goto('/settings');
  const form = page.getByRole('form', { name: 'hot products' });
  await form.getByLabel('Top N').fill('0');
  await form.getByRole('button', { name: 'Save hot products' }).click();
  // Beside the field it names, in words (not the API's `options.topN`).
  await expect(form.getByRole('alert')).toContainText('expected number to be >=1');
  await expect(form.getByRole('alert')).not.toContainText('options.topN');
  const strategies = await api<{ strategies: { name: string; options: Record<string, unknown> }[] }>(page.request, 'GET', '/api/strategies');
  expect(strategies.strategies.find((s) => s.name === 'hot_products')!.options.topN).toBe(100);
});

test('the run timeout is saved from the defaults, and a value the server refuses is explained beside it', async ({ page }) => {
  type Settings = { settings: { runTimeoutSeconds: number } };
  await page.goto('/settings');
  const before = (await api<Settings>(page.request, 'GET', '/api/settings')).settings.runTimeoutSeconds;
  const field = page.getByRole('spinbutton', { name: 'Run timeout (seconds)' });
  await expect(field).toHaveValue(String(before));

  await field.fill('5');
  await page.getByRole('button', { name: 'Save defaults' }).click();
  await expect(page.locator('section[aria-labelledby="defaults-heading"]').getByRole('alert')).toHaveText('Expected a whole number of seconds from 10 to 86,400');
  expect((await api<Settings>(page.request, 'GET', '/api/settings')).settings.runTimeoutSeconds).toBe(before);

  await field.fill('7200');
  await expect(page.getByText('2 h: a run still going after this long is stopped and fails')).toBeVisible();
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/settings') && r.request().method() === 'PATCH');
  await page.getByRole('button', { name: 'Save defaults' }).click();
  expect((await saved).request().postDataJSON()).toEqual({ runTimeoutSeconds: 7200 });
  await expect(page.locator('section[aria-labelledby="defaults-heading"]').getByRole('status')).toHaveText('Saved');
  expect((await api<Settings>(page.request, 'GET', '/api/settings')).settings.runTimeoutSeconds).toBe(7200);
  await api(page.request, 'PATCH', '/api/settings', { runTimeoutSeconds: before });
});
