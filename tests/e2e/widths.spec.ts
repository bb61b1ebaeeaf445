import type { Locator } from '@playwright/test';
import { type Page, expect, test } from './support/fixtures';
import { api, signIn } from './support/session';

// Every console page at a phone's width and a laptop's: the document is never wider than the
// viewport, the page's main controls sit inside it (a table may scroll sideways inside its panel,
// its action column stays pinned in view), and no figure in a card is cut off.

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'laptop', width: 1280, height: 800 },
] as const;

/** `shell: false`: a page outside the console's frame (no nav, no Sign out: the password page is a card of its own). */
type Check = { name: string; path: (ids: { run: string }) => string; controls: (page: Page) => Locator[]; shell?: false };

const button = (page: Page, name: string | RegExp) => page.getByRole('button', { name }).first();
const PAGES: Check[] = [
  { name: 'overview', path: () => '/', controls: (p) => [button(p, 'Warm all'), button(p, /^Warm now/)] },
  { name: 'history', path: () => '/history?range=7d', controls: (p) => [button(p, 'Export CSV'), p.getByRole('searchbox', { name: 'Search runs' }), p.getByRole('group', { name: 'Time range' })] },
  { name: 'run', path: ({ run }) => `/runs/${run}`, controls: (p) => [p.getByRole('navigation', { name: 'Breadcrumb' }), button(p, /Run again/)] },
  { name: 'schedules', path: () => '/schedules', controls: (p) => [button(p, 'New schedule'), button(p, /Run now/), button(p, /^Edit /), button(p, /^Delete /)] },
  { name: 'workers', path: () => '/workers', controls: () => [] },
  { name: 'alerts', path: () => '/alerts', controls: () => [] },
  { name: 'freshness', path: () => '/freshness', controls: () => [] },
  { name: 'settings', path: () => '/settings', controls: (p) => [button(p, /^Save /)] },
  { name: 'audit', path: () => '/audit', controls: (p) => [button(p, 'Export CSV')] },
  { name: 'admin', path: () => '/admin', controls: (p) => [button(p, 'Add operator'), button(p, /^Reset password/)] },
  { name: 'password', path: () => '/account/password', controls: (p) => [button(p, /Change password/)], shell: false },
  { name: 'unknown page', path: () => '/no-such-page', controls: (p) => [p.getByRole('link', { name: 'Overview' }).last()] },
];

async function settled(page: Page) {
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  await expect(page.locator('[role="status"][aria-live="polite"]:has(.animate-pulse)')).toHaveCount(0);
}

/** The document no wider than the viewport, the heading and `controls` inside it, no figure in a card cut off. */
async function expectFits(page: Page, name: string, controls: Locator[]) {
  await settled(page);
  const widths = await page.evaluate(() => ({ document: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.document, `${name}: the document is ${widths.document} px wide in a ${widths.viewport} px viewport`).toBeLessThanOrEqual(widths.viewport);
  await expectWithinWidth(page, page.getByRole('heading', { level: 1 }).first(), `${name}: the heading`);
  for (const control of controls) await expectWithinWidth(page, control, `${name}: ${control.toString()}`);
  // A figure in a card wraps rather than being cut ("9.." for 9,412).
  const cut = await page.evaluate(() =>
    [...document.querySelectorAll('main dd')].filter((dd) => dd instanceof HTMLElement && dd.offsetParent !== null && dd.scrollWidth > dd.clientWidth + 1).map((dd) => dd.textContent),
  );
  expect(cut, `${name}: figures cut off`).toEqual([]);
}

/** Fails naming the element when it is not wholly inside the viewport's width. */
async function expectWithinWidth(page: Page, locator: Locator, what: string) {
  await expect(locator, `${what} is on the page`).toBeVisible();
  const box = await locator.boundingBox();
  const width = page.viewportSize()!.width;
  expect(box, what).not.toBeNull();
  expect(box!.x, `${what} starts inside the viewport`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} ends inside the ${width} px viewport`).toBeLessThanOrEqual(width + 0.5);
}

for (const viewport of VIEWPORTS) {
  test(`at ${viewport.width}x${viewport.height} every console page fits the width and keeps its main controls in view`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    // Signed out first: the sign-in page is a card of its own.
    await page.goto('/login');
    await expectFits(page, 'sign-in', [page.getByLabel('Email'), page.getByLabel('Password'), button(page, 'Sign in')]);

    await signIn(page);
    const [run] = (await api<{ items: { id: string }[] }>(page.request, 'GET', '/api/runs?limit=1')).items;
    expect(run, 'a run to open (the e2e server warms at start)').toBeDefined();
    // An operator other than the admin, so the admin page has a row with actions (whatever ran before).
    await api(page.request, 'POST', '/api/operators', { email: `widths-${viewport.width}-${Date.now()}@e2e.kiln.local`, name: 'Widths', role: 'viewer', password: 'widths-password-1' });

    for (const check of PAGES) {
      await page.goto(check.path({ run: run!.id }));
      await expectFits(page, check.name, check.controls(page));

      // Sign out and every section stay reachable: in the bar on a laptop, behind Menu on a phone.
      if (check.shell === false) continue;
      if (viewport.name === 'phone') {
        await expect(page.getByRole('button', { name: 'Sign out' })).toBeHidden();
        await page.getByRole('button', { name: 'Menu' }).click();
        await expectWithinWidth(page, page.getByRole('button', { name: 'Sign out' }), `${check.name}: Sign out in the menu`);
        await expectWithinWidth(page, page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }), `${check.name}: Audit in the menu`);
        await page.getByRole('button', { name: 'Menu' }).click();
        await expect(page.getByRole('button', { name: 'Sign out' })).toBeHidden();
      } else {
        await expectWithinWidth(page, page.getByRole('button', { name: 'Sign out' }), `${check.name}: Sign out`);
      }
    }
  });
}

test('a run page is part of History: the nav marks History and the breadcrumb leads back to it', async ({ page }) => {
  await signIn(page);
  const [run] = (await api<{ items: { id: string }[] }>(page.request, 'GET', '/api/runs?limit=1')).items;
  await page.goto(`/runs/${run!.id}`);
  await settled(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'History' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'Overview' })).not.toHaveAttribute('aria-current', 'page');
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'History' }).click();
  await expect(page).toHaveURL(/\/history/);
});

test('a missing run says so without offering to try again, and an unknown address shows the themed 404 inside the shell', async ({ page }) => {
  await signIn(page);
  await page.goto('/runs/00000000-0000-4000-8000-000000000000');
  await expect(page.getByText(/No run with id 00000000-0000-4000-8000-000000000000/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);

  await page.emulateMedia({ colorScheme: 'dark' });
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).or(page.getByRole('button', { name: 'Menu' })).first()).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
});
