import { expect, test } from '@playwright/test';
import { signIn } from './support/session';

for (const theme of ['light', 'dark'] as const) {
  for (const [w, h] of [[1280, 800], [390, 844]] as const) {
    test(`shots ${theme} ${w}`, async ({ page }) => {
      await page.setViewportSize({ width: w, height: h });
      await page.emulateMedia({ colorScheme: theme });
      await signIn(page);
      for (const path of ['/freshness', '/settings']) {
        await page.goto(path);
        await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
        await page.waitForTimeout(1500);
        await page.screenshot({ path: `/tmp/shots/${path.slice(1)}-${theme}-${w}.png`, fullPage: true });
      }
    });
  }
}
