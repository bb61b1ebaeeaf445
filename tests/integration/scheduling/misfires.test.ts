import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import type { Database } from '@/server/db/client';
import { type Schedule, schedules } from '@/server/db/schema';
import { parseCron } from '@/server/scheduling/cron-expression';
import { createSchedule } from '@/server/scheduling/create-schedule';
import { MAX_MISSED_RECORDS, catchUpMissedSlots } from '@/server/scheduling/handle-misfires';
import { useTestDatabase } from '../../support/db';
import { fireRows, silentLogger, writeContext } from '../../support/scheduling';
import { shopStrategies } from '../../support/shop-strategies';
import { testWarmer } from '../../support/warmer';

const NOW = new Date('2026-06-01T10:25:30Z');
const UNTIL = new Date(NOW.getTime() - 60_000);
/** Every 10 minutes after the last fire at 09:30 up to 10:24:30. */
const MISSED = ['09:40', '09:50', '10:00', '10:10', '10:20'].map((t) => `2026-06-01T${t}:00.000Z`);

async function scheduleWithHistory(database: Database, input: Record<string, unknown>, changedAt = '2026-06-01T09:00:00Z'): Promise<Schedule> {
  const created = (await createSchedule(writeContext(database), { name: 'Every ten minutes', cron: '*/10 * * * *', scope: { all: true }, ...input }, 'ops')).after!;
  // A schedule last changed at 09:00 that last fired at 09:30, before every process stopped.
  await database.rows(sql`update schedules set updated_at = ${changedAt}::timestamptz where id = ${created.id}`);
  await database.rows(sql`insert into schedule_fires (schedule_id, slot_at, outcome, claimed_by) values (${created.id}, '2026-06-01T09:30:00Z', 'started', 'gone:1')`);
  const [row] = await database.db.select().from(schedules).where(eq(schedules.id, created.id));
  return row!;
}

async function catchUp(database: Database, schedule: Schedule, owner?: string) {
  const warmer = await testWarmer(database, new MemoryCache({ maxBytes: 1 << 20 }), shopStrategies(), owner);
  return catchUpMissedSlots({ database, warmer, logger: silentLogger }, schedule, parseCron(schedule.cron), { now: NOW, until: UNTIL });
}

describe('slots every process missed while down', () => {
  it('are recorded missed, with the reason, under the skip policy', async () => {
    const { database } = await useTestDatabase();
    const schedule = await scheduleWithHistory(database, { misfirePolicy: 'skip' });
    const reports = await catchUp(database, schedule);
    expect(reports.map((r) => r.outcome)).toEqual(Array(5).fill('missed'));
    const fires = (await fireRows(database)).slice(1);
    expect(fires.map((f) => f.slot_at)).toEqual(MISSED);
    expect(fires.every((f) => f.outcome === 'missed' && f.reason === 'No Kiln process was running at this time; the misfire policy is skip')).toBe(true);
    expect(await database.rows(sql`select id from runs`)).toEqual([]);
  });

  it('are caught up with one catch_up run for the latest under run_once within the grace window; the older ones are missed', async () => {
    const { database } = await useTestDatabase();
    const schedule = await scheduleWithHistory(database, { misfirePolicy: 'run_once', misfireGraceSeconds: 600 });
    await catchUp(database, schedule);
    const fires = (await fireRows(database)).slice(1);
    expect(fires.map((f) => [f.slot_at, f.outcome, f.trigger])).toEqual([
      ...MISSED.slice(0, 4).map((slot) => [slot, 'missed', null]),
      [MISSED[4], 'started', 'catch_up'],
    ]);
    expect(fires[0]!.reason).toBe('No Kiln process was running at this time; run_once catches up only the latest missed slot');
    const runs = await database.rows<{ trigger: string; triggered_by: string; schedule_id: number }>(sql`select trigger, triggered_by, schedule_id from runs`);
    expect(runs).toEqual([{ trigger: 'catch_up', triggered_by: 'Every ten minutes', schedule_id: schedule.id }]);
  });

  it('are all missed under run_once when the latest is past the grace window, saying how late it was', async () => {
    const { database } = await useTestDatabase();
    const schedule = await scheduleWithHistory(database, { misfirePolicy: 'run_once', misfireGraceSeconds: 60 });
    await catchUp(database, schedule);
    const fires = (await fireRows(database)).slice(1);
    expect(fires.map((f) => f.outcome)).toEqual(Array(5).fill('missed'));
    expect(fires[4]!.reason).toBe('No Kiln process was running at this time; it was 330 s late, past the 60 s grace window');
    expect(await database.rows(sql`select id from runs`)).toEqual([]);
  });

  it('count only from the schedule\'s last change: slots of a paused schedule are not caught up', async () => {
    const { database } = await useTestDatabase();
    const schedule = await scheduleWithHistory(database, { misfirePolicy: 'skip' }, '2026-06-01T10:15:00Z');
    await catchUp(database, schedule);
    expect((await fireRows(database)).slice(1).map((f) => f.slot_at)).toEqual([MISSED[4]]);
  });

  it('are caught up once when two processes start at the same moment', async () => {
    const { database } = await useTestDatabase();
    const schedule = await scheduleWithHistory(database, { misfirePolicy: 'run_once' });
    await Promise.all([catchUp(database, schedule, 'a:1'), catchUp(database, schedule, 'b:2')]);
    const fires = (await fireRows(database)).slice(1);
    expect(fires.map((f) => [f.slot_at, f.outcome])).toEqual([...MISSED.slice(0, 4).map((s) => [s, 'missed']), [MISSED[4], 'started']]);
    const [{ n }] = (await database.rows<{ n: number }>(sql`select count(*)::int as n from runs`)) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('are looked for a day back at most, and at most the latest hundred are recorded', async () => {
    const { database } = await useTestDatabase();
    const context = writeContext(database);
    const hourly = (await createSchedule(context, { name: 'Hourly', cron: '0 * * * *', scope: { all: true }, misfirePolicy: 'skip' }, 'ops')).after!;
    const minutely = (await createSchedule(context, { name: 'Every minute', cron: '* * * * *', scope: { all: true }, misfirePolicy: 'skip' }, 'ops')).after!;
    await database.rows(sql`update schedules set updated_at = '2026-05-20T00:00:00Z'`);
    for (const row of await database.db.select().from(schedules)) await catchUp(database, row);

    const hours = (await fireRows(database, hourly.id)).map((f) => f.slot_at);
    expect(hours).toEqual(Array.from({ length: 24 }, (_, i) => new Date(Date.parse('2026-05-31T11:00:00Z') + i * 3_600_000).toISOString()));
    const minutes = (await fireRows(database, minutely.id)).map((f) => f.slot_at);
    expect(minutes).toHaveLength(MAX_MISSED_RECORDS);
    expect(minutes.at(-1)).toBe('2026-06-01T10:24:00.000Z');
    expect(minutes[0]).toBe(new Date(Date.parse('2026-06-01T10:24:00Z') - (MAX_MISSED_RECORDS - 1) * 60_000).toISOString());
  });
});
