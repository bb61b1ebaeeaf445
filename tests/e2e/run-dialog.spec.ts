import { expect, test } from './support/fixtures';
import type { RunEstimate } from '@/lib/api/effect';
import { api, format, query, signIn } from './support/session';

test.beforeEach(async ({ page }) => signIn(page));

const runStarted = (page: import('@playwright/test').Page) => page.waitForResponse((r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST');

test('Warm now on one strategy asks first with its estimate; a dry run and an only-missing run are started from the dialog as asked', async ({ page }) => {
  test.setTimeout(120_000); // two runs to their end
  await page.goto('/');
  const dialog = page.getByTestId('warm-dialog');
  const runsBefore = (await query<{ n: number }>('select count(*)::int as n from runs'))[0]!.n;

  await page.getByRole('button', { name: 'Warm now: recommendations' }).click();
  await expect(dialog.getByRole('heading', { name: 'Warm recommendations?' })).toBeVisible();
  await expect(dialog.getByTestId('estimate-recommendations').getByTestId('estimate-keys')).toHaveText('4');
  expect((await query<{ n: number }>('select count(*)::int as n from runs'))[0]!.n).toBe(runsBefore); // asking started nothing

  await dialog.getByRole('checkbox', { name: /Dry run/ }).check();
  const dry = runStarted(page);
  await dialog.getByRole('button', { name: 'Start dry run' }).click();
  const dryResponse = await dry;
  expect(dryResponse.request().postDataJSON()).toEqual({ scope: { strategies: ['recommendations'] }, profile: 'fixed', dryRun: true });
  const { runId: dryId } = (await dryResponse.json()) as { runId: string };
  await expect(dialog).toHaveCount(0);
  await expect(page.locator(`[data-testid="run-progress"][data-run-id="${dryId}"]`)).toHaveAttribute('data-status', 'succeeded');
  expect((await query('select dry_run, only_missing, trigger::text from runs where id = $1', [dryId]))[0]).toEqual({ dry_run: true, only_missing: false, trigger: 'manual' });

  await page.getByRole('button', { name: 'Warm now: recommendations' }).click();
  await expect(dialog.getByRole('checkbox', { name: /Dry run/ })).not.toBeChecked(); // every dialog starts from a plain run
  await dialog.getByRole('checkbox', { name: /Only missing keys/ }).check();
  const missing = runStarted(page);
  await dialog.getByRole('button', { name: 'Start warmup' }).click();
  const missingResponse = await missing;
  expect(missingResponse.request().postDataJSON()).toEqual({ scope: { strategies: ['recommendations'] }, profile: 'fixed', onlyMissing: true });
  const { runId } = (await missingResponse.json()) as { runId: string };
  await expect(page.locator(`[data-testid="run-progress"][data-run-id="${runId}"]`)).toHaveAttribute('data-status', 'succeeded');
  expect((await query('select dry_run, only_missing from runs where id = $1', [runId]))[0]).toEqual({ dry_run: false, only_missing: true });
});

test('the bulk catalog is never started without the dialog, and Warm all shows the run overhead as its own line that adds up to the total', async ({ page }) => {
  await page.goto('/');
  const dialog = page.getByTestId('warm-dialog');
  const catalog = page.getByRole('button', { name: 'Warm now: product catalog' });
  if (await catalog.count()) {
    await catalog.click();
    await expect(dialog.getByRole('heading', { name: 'Warm product catalog?' })).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
  }

  // A finished run gives the estimate its overhead history.
  await page.getByRole('button', { name: 'Warm now: recommendations' }).click();
  const started = runStarted(page);
  await dialog.getByRole('button', { name: 'Start warmup' }).click();
  const { runId } = (await (await started).json()) as { runId: string };
  await expect(page.locator(`[data-testid="run-progress"][data-run-id="${runId}"]`)).toHaveAttribute('data-status', 'succeeded');

  await page.getByRole('button', { name: 'Warm all' }).click();
  await expect(dialog.getByTestId('estimate-total')).toBeVisible();
  const estimate = await api<RunEstimate>(page.request, 'POST', '/api/runs/estimate', { scope: { all: true } });
  expect(estimate.total.overheadMs).not.toBeNull();
  expect(estimate.total.strategiesMs! + estimate.total.overheadMs!).toBe(estimate.total.expectedMs);
  await expect(dialog.getByTestId('estimate-overhead')).toContainText('Run overhead');
  await expect(dialog.getByTestId('estimate-total-keys')).toHaveText(format(estimate.total.keys));

  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(viewport);
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
    await expect(dialog.getByRole('button', { name: 'Start warmup' })).toBeInViewport();
    await expect(dialog.getByRole('checkbox', { name: /Only missing keys/ })).toBeInViewport();
  }
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
});

const SHOTS = 'test-results/screenshots/dasha';

test('the schedules page shows each strategy’s coverage gaps with a schedule that closes them; Use fills the new-schedule form (screenshots at both widths, both themes)', async ({ page }) => {
  test.setTimeout(180_000); // eight page loads for the screenshots on a busy 2-core machine
  await page.goto('/schedules');
  // The defaults (nightly, pre-peak 08:30, half-hourly hot products, six-hourly categories, weekend
  // promotion) warm sessions (TTL 15 min) only at 02:00 (Saturdays also 01:00) and recommendations
  // (TTL 30 min) also at 08:30: most of the week each is uncovered.
  const gaps = page.getByTestId('coverage-gaps');
  await expect(gaps).toBeVisible();
  for (const [strategy, label, cron, ttl] of [
    ['sessions', 'Sessions', '*/10 * * * *', '15 min'],
    ['recommendations', 'Recommendations', '*/20 * * * *', '30 min'],
  ] as const) {
    const row = gaps.getByTestId(`coverage-${strategy}`);
    await expect(row.getByRole('rowheader')).toHaveText(label);
    await expect(row.getByRole('cell').first()).toHaveText(ttl);
    await expect(row).toContainText('Nightly full warmup');
    const covered = Number((await row.getByTestId('coverage-covered').innerText()).replace('%', ''));
    expect(covered).toBeGreaterThan(0);
    expect(covered).toBeLessThan(10); // a handful of runs a day, each keeping the keys for minutes
    await expect(row.getByTestId('coverage-gaps-count')).toHaveText(/^\d+ gaps,/);
    await expect(row.getByTestId('coverage-suggestion')).toHaveText(cron);
  }
  // A strategy its schedules keep warm has no gap and no suggestion.
  const hot = gaps.getByTestId('coverage-hot_products');
  await expect(hot.getByTestId('coverage-covered')).toHaveText('100.0%');
  await expect(hot.getByTestId('coverage-suggestion')).toHaveCount(0);

  await gaps.getByTestId('coverage-sessions').getByRole('button', { name: 'Use the suggested schedule for Sessions' }).click();
  const form = page.getByRole('form', { name: 'New schedule' });
  await expect(form).toBeVisible();
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('Keep sessions warm');
  await expect(form.getByRole('textbox', { name: /expression/i })).toHaveValue('*/10 * * * *');
  await expect(form.getByRole('checkbox', { name: 'Sessions' })).toBeChecked();
  await expect(form.getByRole('checkbox', { name: 'Hot products' })).not.toBeChecked();
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(form).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Run now: Nightly full warmup' })).toBeVisible();

  // The delete question opens over the page: the table keeps its width and its rows their place.
  const table = page.getByRole('region', { name: 'Schedules', exact: true }).getByRole('table');
  const before = await table.boundingBox();
  await page.getByRole('button', { name: 'Delete Nightly full warmup' }).click();
  await expect(page.getByRole('group', { name: 'Delete “Nightly full warmup”?' })).toBeVisible();
  expect(await table.boundingBox()).toEqual(before);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('group', { name: 'Delete “Nightly full warmup”?' })).toHaveCount(0);

  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      await page.setViewportSize(viewport);
      await page.goto('/schedules');
      await expect(gaps).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/schedules-${viewport.width}-${theme}.png`, fullPage: true });
      await page.goto('/');
      await page.getByRole('button', { name: 'Warm all' }).click();
      await expect(page.getByTestId('warm-dialog').getByTestId('estimate-total')).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/warm-all-dialog-${viewport.width}-${theme}.png` });
      await page.getByTestId('warm-dialog').getByRole('button', { name: 'Cancel' }).click();
    }
  }
});

test('Run now on a schedule is recorded as the schedule’s run, with who pressed it, and its run page links the schedule', async ({ page }) => {
  await page.goto('/schedules');
  await page.getByRole('button', { name: 'Run now: Category refresh' }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = page.url().split('/runs/')[1]!;
  const [row] = await query<{ trigger: string; triggered_by: string; name: string }>(
    'select r.trigger::text, r.triggered_by, s.name from runs r join schedules s on s.id = r.schedule_id where r.id = $1',
    [runId],
  );
  expect(row).toMatchObject({ trigger: 'schedule', name: 'Category refresh' });
  const link = page.getByTestId('run-schedule-link');
  await expect(link).toHaveText('Category refresh');
  await expect(page.getByText(`Run now by ${row!.triggered_by}`)).toBeVisible();
  await link.click();
  await expect(page).toHaveURL(/\/schedules#schedule-\d+$/);
});
