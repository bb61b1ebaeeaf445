import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import { strategySettings } from '@/server/db/schema';
import { createSchedule } from '@/server/scheduling/create-schedule';
import { deleteSchedule } from '@/server/scheduling/delete-schedule';
import { fireSlot } from '@/server/scheduling/fire-slot';
import { setScheduleEnabled } from '@/server/scheduling/set-schedule-enabled';
import { useTestDatabase } from '../../support/db';
import { fireRows, silentLogger, writeContext } from '../../support/scheduling';
import { shopStrategies } from '../../support/shop-strategies';
import { testWarmer } from '../../support/warmer';

const cache = () => new MemoryCache({ maxBytes: 1 << 20 });
const SLOT = new Date('2026-06-01T10:00:00Z');
const NEXT = new Date('2026-06-01T10:01:00Z');

describe('firing a schedule slot', () => {
  it('lets exactly one of two processes claim the slot and start its run; the other does nothing', async () => {
    const { database } = await useTestDatabase();
    const schedule = (await createSchedule(writeContext(database), { name: 'Every minute', cron: '* * * * *', scope: { all: true } }, 'ops')).after!;
    const a = await testWarmer(database, cache(), shopStrategies(), 'host-a:1');
    const b = await testWarmer(database, cache(), shopStrategies(), 'host-b:2');
    const reports = await Promise.all([a, b].map((warmer) => fireSlot({ database, warmer, logger: silentLogger }, schedule.id, SLOT, 'schedule')));
    const winner = reports.find((r) => r.claimed)!;
    expect(reports.filter((r) => r.claimed)).toHaveLength(1);
    expect(reports.find((r) => !r.claimed)).toMatchObject({ notClaimed: 'taken' });
    expect(winner).toMatchObject({ outcome: 'started', runId: expect.any(String) });
    const runs = await database.rows<{ id: string; trigger: string; triggered_by: string; schedule_id: number }>(sql`select id::text, trigger, triggered_by, schedule_id from runs`);
    expect(runs).toEqual([{ id: winner.runId, trigger: 'schedule', triggered_by: 'Every minute', schedule_id: schedule.id }]);
    const [fire] = await fireRows(database);
    expect(fire).toMatchObject({ slot_at: SLOT.toISOString(), outcome: 'started', run_id: winner.runId, reason: null, claimed_by: reports[0]!.claimed ? 'host-a:1' : 'host-b:2' });
  });

  it('records the started run even when writing the outcome fails at first (the database went away a moment after the start)', async () => {
    const { database } = await useTestDatabase();
    const schedule = (await createSchedule(writeContext(database), { name: 'Every minute', cron: '* * * * *', scope: { all: true } }, 'ops')).after!;
    const warmer = await testWarmer(database, cache(), shopStrategies());
    // The claim is the first raw statement, the outcome's write the second: it fails twice.
    let statements = 0;
    const flaky: typeof database = {
      ...database,
      rows: async (query) => {
        statements++;
        if (statements === 2 || statements === 3) throw new Error('write CONNECTION_CLOSED 127.0.0.1:5432');
        return database.rows(query);
      },
    };
    const report = await fireSlot({ database: flaky, warmer, logger: silentLogger }, schedule.id, SLOT, 'schedule');
    expect(report).toMatchObject({ claimed: true, outcome: 'started', runId: expect.any(String) });
    expect(statements).toBe(4);
    const [fire] = await fireRows(database);
    expect(fire).toMatchObject({ outcome: 'started', run_id: report.runId, reason: null });
  });

  it('records a fire while the schedule\'s previous run is still going as skipped_overlap, naming that run', async () => {
    const { database } = await useTestDatabase();
    const schedule = (await createSchedule(writeContext(database), { name: 'Slow', cron: '* * * * *', scope: { strategies: ['hot_products'] }, concurrency: 1 }, 'ops')).after!;
    const warmer = await testWarmer(database, cache(), shopStrategies({ keys: 20, delayMs: 100 }));
    const first = await fireSlot({ database, warmer, logger: silentLogger }, schedule.id, SLOT, 'schedule');
    expect(first.outcome).toBe('started');
    const second = await fireSlot({ database, warmer, logger: silentLogger }, schedule.id, NEXT, 'schedule');
    expect(second).toMatchObject({ claimed: true, outcome: 'skipped_overlap', reason: expect.stringContaining(`The previous run of this schedule (${first.runId}, started `) });
    expect((await fireRows(database)).map((f) => [f.slot_at, f.outcome, f.reason])).toEqual([
      [SLOT.toISOString(), 'started', null],
      [NEXT.toISOString(), 'skipped_overlap', second.reason],
    ]);
    const [{ n }] = (await database.rows<{ n: number }>(sql`select count(*)::int as n from runs`)) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('records skipped_busy when another run is warming a strategy in scope, naming that run', async () => {
    const { database } = await useTestDatabase();
    const schedule = (await createSchedule(writeContext(database), { name: 'Hot', cron: '* * * * *', scope: { tags: ['products'] } }, 'ops')).after!;
    const warmer = await testWarmer(database, cache(), shopStrategies({ keys: 20, delayMs: 100 }));
    const manual = await warmer.startRun({ trigger: 'manual', triggeredBy: 'alice', scope: { strategies: ['hot_products'] }, concurrency: 1 });
    const report = await fireSlot({ database, warmer, logger: silentLogger }, schedule.id, SLOT, 'schedule');
    expect(report).toMatchObject({ claimed: true, outcome: 'skipped_busy', reason: `Already being warmed: hot_products (run ${manual.runId.slice(0, 8)})` });
    expect((await fireRows(database))[0]).toMatchObject({ outcome: 'skipped_busy', reason: report.reason, run_id: null });
  });

  it('records error with the message when the run cannot start', async () => {
    const { database } = await useTestDatabase();
    const schedule = (await createSchedule(writeContext(database), { name: 'Categories', cron: '* * * * *', scope: { strategies: ['categories'] } }, 'ops')).after!;
    await database.db.insert(strategySettings).values({ strategy: 'categories', enabled: false });
    const warmer = await testWarmer(database, cache(), shopStrategies());
    const report = await fireSlot({ database, warmer, logger: silentLogger }, schedule.id, SLOT, 'schedule');
    expect(report).toMatchObject({ claimed: true, outcome: 'error', reason: 'Disabled strategy: categories; enable it in the settings first' });
    expect((await fireRows(database))[0]).toMatchObject({ outcome: 'error', reason: report.reason });
  });

  it('fires nothing for a slot the current expression does not have, nor for a paused or deleted schedule', async () => {
    const { database } = await useTestDatabase();
    const context = writeContext(database);
    const schedule = (await createSchedule(context, { name: 'Half-hourly', cron: '*/30 * * * *', scope: { all: true } }, 'ops')).after!;
    const warmer = await testWarmer(database, cache(), shopStrategies());
    const deps = { database, warmer, logger: silentLogger };
    expect(await fireSlot(deps, schedule.id, new Date('2026-06-01T10:01:00Z'), 'schedule')).toMatchObject({ claimed: false, notClaimed: 'not_a_slot' });
    expect(await fireSlot(deps, schedule.id, new Date('2026-06-01T10:30:30Z'), 'schedule')).toMatchObject({ claimed: false, notClaimed: 'not_a_slot' });
    await setScheduleEnabled(database, schedule.id, false, 'ops');
    expect(await fireSlot(deps, schedule.id, new Date('2026-06-01T10:30:00Z'), 'schedule')).toMatchObject({ claimed: false, notClaimed: 'paused' });
    await deleteSchedule(database, schedule.id, 'ops');
    expect(await fireSlot(deps, schedule.id, new Date('2026-06-01T10:30:00Z'), 'schedule')).toMatchObject({ claimed: false, notClaimed: 'deleted' });
    expect(await fireRows(database)).toEqual([]);
    expect(await database.rows(sql`select id from runs`)).toEqual([]);
  });
});
