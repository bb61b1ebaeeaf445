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

test('rules, incidents and silences read in words; a silence chosen from the lists is listed the same way', async ({ page }) => {
  await page.goto('/alerts');
  const rules = page.getByRole('region', { name: 'Rules' });
  await expect(rules.getByText('Governor at its floor', { exact: true })).toBeVisible();
  await expect(rules.getByText('Cache unreachable', { exact: true })).toBeVisible();
  await expect(rules).not.toContainText('N seconds');
  const form = page.getByRole('form', { name: 'Silence alerts' });
  await form.getByLabel('Rule').selectOption({ label: 'Run failed' });
  await form.getByLabel('About').selectOption({ label: 'Hot products' });
  await form.getByLabel('Reason').fill('e2e: maintenance');
  await form.getByRole('button', { name: 'Silence' }).click();
  const silences = page.getByRole('region', { name: 'Silences' });
  await expect(silences.getByRole('listitem').filter({ hasText: 'e2e: maintenance' })).toContainText('Run failed · Hot products');
  await expect(silences).not.toContainText('strategy:hot_products');
});
