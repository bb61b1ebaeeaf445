import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from './support/fixtures';
import { api, signIn } from './support/session';

const THEMES = ['light', 'dark'] as const;
const SHOTS = 'test-results/screenshots';

/** Waits until the page's data has loaded (no loading placeholder left) and charts have drawn. */
async function settled(page: Page) {
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  await expect(page.locator('[role="status"][aria-live="polite"]:has(.animate-pulse)')).toHaveCount(0);
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}

for (const theme of THEMES) {
  test(`every page in the ${theme} theme has no serious or critical accessibility violation (screenshots under ${SHOTS})`, async ({ page }) => {
    test.setTimeout(240_000); // axe over every page, twice, on a busy 2-core machine
    await page.emulateMedia({ colorScheme: theme });
    await page.goto('/login');
    await settled(page);
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(theme === 'dark');
    expect(await seriousViolations(page), 'login').toEqual([]);
    await page.screenshot({ path: `${SHOTS}/login-${theme}.png` });

    await signIn(page);
    const [run] = (await api<{ items: { id: string }[] }>(page.request, 'GET', '/api/runs?limit=1')).items;
    const dryRun = await finishedDryRun(page);
    const pages: [string, string][] = [
      ['overview', '/'],
      ['history', '/history?range=7d'],
      ['run', `/runs/${run!.id}`],
      ['dry-run', `/runs/${dryRun}`],
      ['schedules', '/schedules'],
      ['workers', '/workers'],
      ['freshness', '/freshness'],
      ['settings', '/settings'],
      ['audit', '/audit'],
      ['admin', '/admin'],
      ['password', '/account/password'],
    ];
    for (const [name, path] of pages) {
      await page.goto(path);
      await settled(page);
      expect(await seriousViolations(page), name).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/${name}-${theme}.png`, fullPage: true });
    }

    // The confirmation before Warm all, with its estimate.
    await page.goto('/');
    await settled(page);
    await page.getByRole('button', { name: 'Warm all' }).click();
    await expect(page.getByTestId('estimate-total-keys')).toBeVisible();
    expect(await seriousViolations(page), 'warm dialog').toEqual([]);
    await page.screenshot({ path: `${SHOTS}/warm-dialog-${theme}.png` });
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('warm-dialog')).toHaveCount(0);
  });
}

/** A dry run of every strategy (its detail shows the estimate it stored), once it has ended. */
async function finishedDryRun(page: Page): Promise<string> {
  const { runId } = await api<{ runId: string }>(page.request, 'POST', '/api/runs', { scope: { all: true }, dryRun: true });
  await expect.poll(async () => (await api<{ run: { status: string } }>(page.request, 'GET', `/api/runs/${runId}`)).run.status).not.toBe('running');
  return runId;
}

test('the theme toggle is remembered across loads and applied before the page paints', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await signIn(page);
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
  // The class must be there when the HTML is parsed, before React runs: no light flash.
  await page.goto('/settings', { waitUntil: 'domcontentloaded' });
  expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await page.reload();
  expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
});
