import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as runs from '@/app/api/runs/route';
import * as runNowRoute from '@/app/api/schedules/[id]/run/route';
import * as schedulesRoute from '@/app/api/schedules/route';
import { MemoryCache } from '@/server/cache/memory-cache';
import { createSchedule } from '@/server/scheduling/create-schedule';
import { fireSlot } from '@/server/scheduling/fire-slot';
import { auditRows, errorOf, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';
import { fireRows, schedulesDigest, silentLogger, writeContext } from '../../support/scheduling';
import { shopStrategies } from '../../support/shop-strategies';
import { testWarmer } from '../../support/warmer';

const cache = () => new MemoryCache({ maxBytes: 1 << 20 });
const WEEKDAYS_11_14 = [{ days: [1, 2, 3, 4, 5], start: '11:00', end: '14:00' }];
// Monday 1 June 2026, 12:00 in Berlin (CEST, UTC+2).
const MONDAY_NOON_BERLIN = new Date('2026-06-01T10:00:00Z');

async function runCount(database: Parameters<typeof fireRows>[0]): Promise<number> {
  const [{ n }] = (await database.rows<{ n: number }>(sql`select count(*)::int as n from runs`)) as [{ n: number }];
  return n;
}

describe('blackout windows', () => {
  it('records a slot inside a window as skipped_blackout with the window, and starts no run; a slot outside one runs', async () => {
    const { database } = await useTestDatabase();
    const context = writeContext(database);
    const noon = (await createSchedule(context, { name: 'Noon', cron: '0 12 * * *', timezone: 'Europe/Berlin', scope: { strategies: ['hot_products'] }, blackoutWindows: WEEKDAYS_11_14 }, 'ops')).after!;
    const weekend = (await createSchedule(context, { name: 'Noon, quiet at weekends', cron: '0 12 * * *', timezone: 'Europe/Berlin', scope: { strategies: ['categories'] }, blackoutWindows: [{ days: [0, 6], start: '00:00', end: '24:00' }] }, 'ops')).after!;
    expect(noon.blackoutWindows).toEqual(WEEKDAYS_11_14);
    const warmer = await testWarmer(database, cache(), shopStrategies());

    const skipped = await fireSlot({ database, warmer, logger: silentLogger }, noon.id, MONDAY_NOON_BERLIN, 'schedule');
    expect(skipped).toMatchObject({ claimed: true, outcome: 'skipped_blackout', reason: 'Inside the blackout window Mon-Fri 11:00-14:00 (Europe/Berlin)' });
    expect(skipped.runId).toBeUndefined();
    expect(await fireRows(database, noon.id)).toEqual([
      expect.objectContaining({ slot_at: MONDAY_NOON_BERLIN.toISOString(), outcome: 'skipped_blackout', reason: skipped.reason, run_id: null }),
    ]);
    expect(await runCount(database)).toBe(0);

    const started = await fireSlot({ database, warmer, logger: silentLogger }, weekend.id, MONDAY_NOON_BERLIN, 'schedule');
    expect(started).toMatchObject({ claimed: true, outcome: 'started', runId: expect.any(String) });
    expect(await runCount(database)).toBe(1);
  });

  it('refuses a bad window with 400 naming the field, and saves nothing', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database);
    const admin = await signedIn(database, 'admin');
    const before = await schedulesDigest(database);
    const cases: [unknown, string][] = [
      [{ days: [1, 2], start: '11:00', end: '14:00' }, 'blackoutWindows'],
      [[{ days: [7], start: '11:00', end: '14:00' }], 'blackoutWindows[0].days'],
      [[{ days: [], start: '11:00', end: '14:00' }], 'blackoutWindows[0].days'],
      [[{ days: [1], start: '11:00', end: '14:00' }, { days: [1], start: '25:00', end: '14:00' }], 'blackoutWindows[1].start'],
      [[{ days: [1], start: '11:00', end: '11:00' }], 'blackoutWindows[0].end'],
      [[{ days: [1], start: '11:00', end: '14:00', zone: 'UTC' }], 'blackoutWindows[0].zone'],
    ];
    for (const [windows, field] of cases) {
      const response = await schedulesRoute.POST(request('/api/schedules', { session: admin.session, body: { name: 'Bad', cron: '0 3 * * *', scope: { all: true }, blackoutWindows: windows } }), undefined as never);
      expect(await errorOf(response)).toMatchObject({ status: 400, code: 'invalid_request', field });
    }
    expect(await schedulesDigest(database)).toBe(before);
  });

  it('answers a manual trigger inside a covering schedule\'s window 409 in_blackout unless confirmed; disabled or unrelated schedules do not count', async () => {
    const { database } = await useTestDatabase({ shop: true });
    const runtime = await useTestRuntime(database);
    const operator = await signedIn(database, 'operator');
    const allDay = [{ days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '24:00' }];
    await createSchedule({ database, registry: runtime.registry, defaultTimezone: 'UTC' }, { name: 'Shop hours', cron: '0 3 * * *', timezone: 'Pacific/Auckland', scope: { tags: ['products'] }, blackoutWindows: allDay }, 'ops');
    await createSchedule({ database, registry: runtime.registry, defaultTimezone: 'UTC' }, { name: 'Paused one', cron: '0 3 * * *', scope: { strategies: ['categories'] }, blackoutWindows: allDay, enabled: false }, 'ops');
    const post = (body: unknown) => runs.POST(request('/api/runs', { session: operator.session, body }), undefined as never);

    const refused = await post({ scope: { strategies: ['hot_products'] } });
    expect(await errorOf(refused)).toMatchObject({
      status: 409,
      code: 'in_blackout',
      field: 'confirmBlackout',
      message: 'Now is inside a blackout window: every day 00:00-24:00 (Pacific/Auckland) of schedule "Shop hours" for hot_products. Send "confirmBlackout": true to run anyway',
    });
    expect(await runCount(database)).toBe(0);
    expect(await auditRows(database, sql`action = 'run.trigger'`)).toEqual([]);

    // Not covered: categories' only schedule with a window is paused.
    const other = await post({ scope: { strategies: ['categories'] } });
    expect(other.status).toBe(202);

    const confirmed = await post({ scope: { strategies: ['hot_products'] }, confirmBlackout: true });
    expect(confirmed.status).toBe(202);
    const { runId } = (await confirmed.json()) as { runId: string };
    const [audit] = await auditRows(database, sql`target = ${`run:${runId}`}`);
    expect(audit!.after).toMatchObject({ confirmedBlackout: ['Shop hours: every day 00:00-24:00 (Pacific/Auckland)'] });
    expect(await runCount(database)).toBe(2);
  });

  it('answers Run now inside the schedule\u2019s own window 409 in_blackout, saves no run, and runs once confirmed (audited as confirmed); a bad body is 400 naming the field', async () => {
    const { database } = await useTestDatabase({ shop: true });
    const runtime = await useTestRuntime(database);
    const operator = await signedIn(database, 'operator');
    const allDay = [{ days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '24:00' }];
    const schedule = (await createSchedule({ database, registry: runtime.registry, defaultTimezone: 'UTC' }, { name: 'Quiet all day', cron: '0 3 * * *', timezone: 'UTC', scope: { strategies: ['categories'] }, blackoutWindows: allDay }, 'ops')).after!;
    const press = (body?: unknown) =>
      runNowRoute.POST(request(`/api/schedules/${schedule.id}/run`, { session: operator.session, ...(body === undefined ? {} : { body }) }), { params: Promise.resolve({ id: String(schedule.id) }) });

    expect(await errorOf(await press())).toMatchObject({ status: 409, code: 'in_blackout', field: 'confirmBlackout' });
    expect(await errorOf(await press({ confirmBlackout: 'yes' }))).toMatchObject({ status: 400, field: 'confirmBlackout' });
    expect(await errorOf(await press({ confirm: true }))).toMatchObject({ status: 400 });
    expect(await runCount(database)).toBe(0);
    expect(await auditRows(database, sql`action = 'schedule.run_now'`)).toEqual([]);

    const confirmed = await press({ confirmBlackout: true });
    expect(confirmed.status).toBe(202);
    const { runId } = (await confirmed.json()) as { runId: string };
    const [row] = await database.rows<{ trigger: string; schedule_id: number }>(sql`select trigger, schedule_id from runs where id = ${runId}::uuid`);
    expect(row).toEqual({ trigger: 'schedule', schedule_id: schedule.id });
    const [audit] = await auditRows(database, sql`action = 'schedule.run_now'`);
    expect(audit!.after).toMatchObject({ runId, confirmedBlackout: ['Quiet all day: every day 00:00-24:00 (UTC)'] });
  });
});
