import { expect, test } from './support/fixtures';
import { api, signIn } from './support/session';

type Schedule = { id: number; name: string; cron: string; timezone: string; enabled: boolean; scope: unknown };
type Preview = { description: string; nextFireTimes: { at: string; local: string }[] };

test.beforeEach(async ({ page }) => signIn(page));

test('a bad expression is refused in words and nothing is saved; a good one previews, saves and pauses', async ({ page }) => {
  const name = `E2E weekday warmup ${Date.now().toString(36)}`;
  const schedules = async () => (await api<{ schedules: Schedule[] }>(page.request, 'GET', '/api/schedules')).schedules;
  const before = await schedules();

  await page.goto('/schedules');
  await page.getByRole('button', { name: 'New schedule' }).click();
  const form = page.getByRole('form', { name: 'New schedule' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel(/Cron expression/).fill('61 * * * *');
  const cronError = form.locator('[aria-invalid="true"]');
  await expect(cronError).toHaveCount(1);
  await expect(form.getByRole('alert').first()).toContainText(/minute|61/i);
  await form.getByRole('button', { name: 'Create schedule' }).click();
  await expect(form.getByRole('alert').first()).toContainText(/minute|61/i);
  expect((await schedules()).map((s) => s.name)).not.toContain(name);
  expect((await schedules()).length).toBe(before.length);

  await form.getByLabel(/Cron expression/).fill('15 3 * * 1-5');
  await form.getByLabel('Time zone').fill('Europe/Berlin');
  const expected = await api<Preview>(page.request, 'POST', '/api/schedules/preview', { cron: '15 3 * * 1-5', timezone: 'Europe/Berlin' });
  const preview = page.getByTestId('schedule-preview');
  await expect(preview).toContainText(expected.description);
  await expect(preview).toContainText('Next 5 fire times in Europe/Berlin');
  await expect(preview.locator('time')).toHaveCount(5);
  const shown = await preview.locator('time').evaluateAll((times) => times.map((t) => t.getAttribute('datetime')));
  expect(shown).toEqual(expected.nextFireTimes.map((t) => t.at));
  await expect(form.locator('[aria-invalid="true"]')).toHaveCount(0);

  await form.getByLabel('Some strategies').check();
  await form.getByLabel('hot products').check();
  await form.getByRole('button', { name: 'Create schedule' }).click();
  await expect(page.getByRole('status')).toContainText(`Created “${name}”`);
  const saved = (await schedules()).find((s) => s.name === name);
  expect(saved).toMatchObject({ cron: '15 3 * * 1-5', timezone: 'Europe/Berlin', enabled: true, scope: { strategies: ['hot_products'] } });

  const row = page.locator(`[data-testid="schedule-${saved!.id}"]`);
  await expect(row).toContainText('15 3 * * 1-5 · Europe/Berlin');
  await row.getByRole('button', { name: `Pause ${name}` }).click();
  await expect(row).toContainText('paused');
  await expect(row.getByRole('button', { name: `Resume ${name}` })).toBeVisible();
  expect((await schedules()).find((s) => s.id === saved!.id)?.enabled).toBe(false);
});

test('Run now inside the schedule’s blackout window says so and runs only when the operator says “Run anyway”', async ({ page }) => {
  const name = `E2E quiet all day ${Date.now().toString(36)}`;
  const { schedule } = await api<{ schedule: Schedule }>(page.request, 'POST', '/api/schedules', {
    name,
    cron: '0 3 * * *',
    timezone: 'UTC',
    scope: { strategies: ['categories'] },
    blackoutWindows: [{ days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '24:00' }],
  });
  try {
    await page.goto('/schedules');
    await page.getByRole('button', { name: `Run now: ${name}` }).click();
    const refusal = page.getByRole('alert').filter({ hasText: name });
    await expect(refusal).toContainText('Now is inside a blackout window');
    await expect(refusal).not.toContainText('confirmBlackout');
    expect(page.url()).toMatch(/\/schedules$/); // nothing started
    await refusal.getByRole('button', { name: `Run ${name} anyway` }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split('/').pop()!;
    const { run } = await api<{ run: { scheduleId: number; trigger: string; status: string } }>(page.request, 'GET', `/api/runs/${runId}`);
    expect(run).toMatchObject({ scheduleId: schedule.id, trigger: 'schedule' });
    await expect.poll(async () => (await api<{ run: { status: string } }>(page.request, 'GET', `/api/runs/${runId}`)).run.status, { timeout: 60_000 }).not.toBe('running');
  } finally {
    await api(page.request, 'DELETE', `/api/schedules/${schedule.id}`);
  }
});
