import { expect, test } from './support/fixtures';
import { signIn } from './support/session';

test.beforeEach(async ({ page }) => signIn(page));

test('the Alerts page lists every rule, this round’s included, with the setting in force', async ({ page }) => {
  await page.goto('/alerts');
  const rules = page.getByRole('region', { name: 'Rules' });
  await expect(rules.getByRole('listitem')).toHaveCount(12);
  const row = (rule: string) => rules.getByRole('listitem').filter({ has: page.locator('code', { hasText: new RegExp(`^${rule}$`) }) });
  await expect(row('run_late')).toContainText('same governor profile');
  await expect(row('run_late')).toContainText('(KILN_ALERT_LATE_FACTOR)');
  await expect(row('replica_fallback')).toContainText('fell back from the read replica');
  await expect(row('governor_floor')).toContainText('5 min at the floor (KILN_ALERT_GOVERNOR_FLOOR_MINUTES)');
  await expect(row('prune_failed')).toContainText('pruning pass failed');
  await expect(row('cache_evictions')).toContainText('evicted keys between two samples');
});
