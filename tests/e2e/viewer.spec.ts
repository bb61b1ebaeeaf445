import { type Page, expect, test } from './support/fixtures';
import { api, signIn } from './support/session';

const PAGES = ['/', '/history', '/schedules', '/settings', '/audit'];
const ACTIONS = /^(Warm|Start warmup|Sample now|Cancel run|Retry|Save|Apply|Run now|Pause|Resume|Edit|Delete|New schedule|Create|Add operator|Remove|Disable|Enable|Revoke|Peak|Normal|Night)/;

/** Waits until the page's data has loaded (no loading placeholder left). */
async function settled(page: Page) {
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('main [role="status"][aria-live="polite"]:has(.animate-pulse)')).toHaveCount(0);
}

test('a viewer sees every page and no control that would change something; an operator sees them', async ({ page, browser }) => {
  await signIn(page);
  const email = `viewer-${Date.now().toString(36)}@e2e.kiln.local`;
  const password = 'viewer-password-12345';
  await api(page.request, 'POST', '/api/operators', { email, name: 'E2E viewer', role: 'viewer', password });
  const [run] = (await api<{ items: { id: string }[] }>(page.request, 'GET', '/api/runs?limit=1')).items;
  const pages = [...PAGES, `/runs/${run!.id}`];

  // The admin, on the same pages, has the controls: the check below can see them when they are there.
  for (const path of ['/', '/schedules', '/settings']) {
    await page.goto(path);
    await settled(page);
    expect(await page.locator('[data-mutates]').count(), path).toBeGreaterThan(0);
  }

  const context = await browser.newContext();
  const viewer = await context.newPage();
  try {
    await signIn(viewer, email, password);
    for (const path of pages) {
      await viewer.goto(path);
      await settled(viewer);
      await expect(viewer.getByTestId('signed-in-as')).toContainText('viewer');
      expect(await viewer.locator('[data-mutates]').count(), path).toBe(0);
      const names = await viewer.getByRole('button').evaluateAll((buttons) => buttons.map((b) => (b.getAttribute('aria-label') ?? b.textContent ?? '').trim()));
      expect(names.filter((n) => ACTIONS.test(n)), path).toEqual([]);
    }
    await expect(viewer.getByRole('link', { name: 'Admin' })).toHaveCount(0);
    await viewer.goto('/admin');
    await expect(viewer.getByRole('heading', { name: 'Not for your role' })).toBeVisible();
  } finally {
    await context.close();
  }
});
