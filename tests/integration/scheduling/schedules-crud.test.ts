import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import { AppError } from '@/server/errors';
import { createSchedule } from '@/server/scheduling/create-schedule';
import { deleteSchedule } from '@/server/scheduling/delete-schedule';
import { getSchedule } from '@/server/scheduling/get-schedule';
import { listSchedules } from '@/server/scheduling/list-schedules';
import { runScheduleNow } from '@/server/scheduling/run-schedule-now';
import { setScheduleEnabled } from '@/server/scheduling/set-schedule-enabled';
import { updateSchedule } from '@/server/scheduling/update-schedule';
import { useTestDatabase } from '../../support/db';
import { shopStrategies } from '../../support/shop-strategies';
import { schedulesDigest, writeContext } from '../../support/scheduling';
import { testWarmer } from '../../support/warmer';

const good = { name: 'Nightly full warmup', cron: '0 2 * * *', scope: { all: true }, concurrency: 50 };

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected the change to be refused');
}

describe('schedules in Postgres', () => {
  it('refuses each bad input, naming the problem, and leaves the schedules table unchanged', async () => {
    const { database } = await useTestDatabase();
    const context = writeContext(database);
    const { after: existing } = await createSchedule(context, good, 'alice@example.com');
    await createSchedule(context, { ...good, name: 'Category refresh', cron: '0 */6 * * *', scope: { strategies: ['categories'] } }, 'alice@example.com');
    const before = await schedulesDigest(database);

    const bad: [Record<string, unknown>, string, RegExp][] = [
      [{ cron: '61 * * * *' }, 'cron', /61 is out of range for the minute field/],
      [{ cron: '* * * *' }, 'cron', /got 4 fields/],
      [{ cron: '*/0 * * * *' }, 'cron', /step \/0 in the minute field must be at least 1/],
      [{ cron: '0 0 30 2 *' }, 'cron', /never fires/],
      [{ cron: '* * * * * *' }, 'cron', /fires at most once a minute/],
      [{ cron: '' }, 'cron', /Enter a cron expression/],
      [{ cron: '* '.repeat(5120) }, 'cron', /10240 characters long/],
      [{ cron: '٥ * * * *' }, 'cron', /U\+0665/],
      [{ timezone: 'Mars/Phobos' }, 'timezone', /Unknown time zone/],
      [{ scope: { strategies: [] } }, 'scope.strategies', /Name at least one strategy/],
      [{ scope: { strategies: ['no_such_strategy'] } }, 'scope.strategies', /Unknown strategy: no_such_strategy/],
      [{ scope: { tags: ['no_such_tag'] } }, 'scope.tags', /Unknown tag: no_such_tag/],
      [{ name: '  ' }, 'name', /Give the schedule a name/],
      [{ concurrency: 0 }, 'concurrency', /from 1 to 256/],
      [{ misfireGraceSeconds: 100_000 }, 'misfireGraceSeconds', /from 0 to 86400/],
    ];
    for (const [change, field, message] of bad) {
      const created = await refusal(createSchedule(context, { ...good, name: 'Another', ...change }, 'mallory'));
      expect({ change, field: created.field, message: created.message }).toEqual({ change, field, message: expect.stringMatching(message) });
      const edited = await refusal(updateSchedule(context, existing!.id, change, 'mallory'));
      expect({ change, field: edited.field }).toEqual({ change, field });
    }
    const duplicate = await refusal(createSchedule(context, { ...good, name: ' Category refresh ' }, 'mallory'));
    expect(duplicate).toMatchObject({ status: 409, field: 'name', message: 'A schedule named "Category refresh" already exists; choose another name' });
    const renamed = await refusal(updateSchedule(context, existing!.id, { name: 'Category refresh' }, 'mallory'));
    expect(renamed).toMatchObject({ status: 409, field: 'name' });
    expect(await refusal(updateSchedule(context, 9999, { cron: '0 3 * * *' }, 'mallory'))).toMatchObject({ status: 404 });

    expect(await schedulesDigest(database)).toBe(before);
  });

  it('creates, edits, pauses, resumes and deletes, recording who changed it last and when', async () => {
    const { database } = await useTestDatabase();
    const context = writeContext(database, 'Europe/Berlin');
    const created = await createSchedule(context, { name: ' Pre-peak warmup ', cron: '30 8 * * *', scope: { strategies: ['hot_products', 'recommendations'] } }, 'alice@example.com');
    expect(created.before).toBeNull();
    expect(created.after).toMatchObject({ name: 'Pre-peak warmup', timezone: 'Europe/Berlin', concurrency: null, enabled: true, misfirePolicy: 'run_once', misfireGraceSeconds: 600, createdBy: 'alice@example.com', updatedBy: 'alice@example.com' });
    const id = created.after!.id;

    const edited = await updateSchedule(context, id, { cron: '45 8 * * 1-5', concurrency: 20 }, 'bob@example.com');
    expect(edited.before).toEqual(created.after);
    expect(edited.after).toMatchObject({ cron: '45 8 * * 1-5', concurrency: 20, createdBy: 'alice@example.com', updatedBy: 'bob@example.com' });
    expect(edited.after!.updatedAt.getTime()).toBeGreaterThan(created.after!.updatedAt.getTime());

    const paused = await setScheduleEnabled(database, id, false, 'carol@example.com');
    expect(paused.after).toMatchObject({ enabled: false, updatedBy: 'carol@example.com' });
    expect((await getSchedule(database, id)).nextFireAt).toBeNull();
    const resumed = await setScheduleEnabled(database, id, true, 'dave@example.com');
    expect(resumed.after).toMatchObject({ enabled: true, updatedBy: 'dave@example.com' });
    expect(resumed.after!.updatedAt.getTime()).toBeGreaterThan(paused.after!.updatedAt.getTime());

    const [stored] = await database.rows<{ cron: string; updated_by: string }>(sql`select cron, updated_by from schedules where id = ${id}`);
    expect(stored).toEqual({ cron: '45 8 * * 1-5', updated_by: 'dave@example.com' });

    const deleted = await deleteSchedule(database, id, 'erin@example.com');
    expect(deleted).toEqual({ before: resumed.after, after: null });
    expect(await refusal(getSchedule(database, id))).toMatchObject({ status: 404, message: `No schedule with id ${id}` });
    expect(await listSchedules(database)).toEqual([]);
    expect(await refusal(deleteSchedule(database, id, 'erin@example.com'))).toMatchObject({ status: 404 });
  });

  it('lists each schedule with its next fire time, its last outcome and its recent missed slots', async () => {
    const { database } = await useTestDatabase();
    const context = writeContext(database, 'Europe/Berlin');
    const now = new Date('2026-03-28T12:00:00Z');
    const nightly = (await createSchedule(context, { name: 'Nightly', cron: '30 2 * * *', scope: { all: true } }, 'ops')).after!;
    const paused = (await createSchedule(context, { name: 'Paused', cron: '0 * * * *', scope: { all: true }, enabled: false }, 'ops')).after!;
    const warmer = await testWarmer(database, new MemoryCache({ maxBytes: 1 << 20 }), shopStrategies());
    const run = await warmer.startRun({ trigger: 'schedule', triggeredBy: 'Nightly', scope: { all: true }, scheduleId: nightly.id });
    await run.done;
    await database.rows(sql`
      insert into schedule_fires (schedule_id, slot_at, outcome, reason, claimed_by, run_id) values
        (${nightly.id}, '2026-03-25T01:30:00Z', 'missed', 'No Kiln process was running at this time', 'a', null),
        (${nightly.id}, '2026-03-26T01:30:00Z', 'missed', 'No Kiln process was running at this time', 'a', null),
        (${nightly.id}, '2026-03-27T01:30:00Z', 'started', null, 'b', ${run.runId}::uuid)`);

    const views = await listSchedules(database, { now });
    expect(views.map((v) => v.name)).toEqual(['Nightly', 'Paused']);
    const [n, p] = views;
    expect(n).toMatchObject({
      id: nightly.id,
      description: 'At 02:30',
      // 02:30 does not exist in Berlin on 29 March: the runner fires at 03:30 CEST.
      nextFireAt: '2026-03-29T01:30:00.000Z',
      nextFireLocal: '2026-03-29T03:30:00+02:00',
      lastFire: { slotAt: '2026-03-27T01:30:00.000Z', outcome: 'started', runId: run.runId, claimedBy: 'b', run: { status: 'succeeded', trigger: 'schedule', total: 15, warmed: 15 } },
      recentMissed: [
        { slotAt: '2026-03-26T01:30:00.000Z', reason: 'No Kiln process was running at this time' },
        { slotAt: '2026-03-25T01:30:00.000Z', reason: 'No Kiln process was running at this time' },
      ],
    });
    expect(p).toMatchObject({ id: paused.id, enabled: false, nextFireAt: null, lastFire: null, recentMissed: [] });
    const earlier = await getSchedule(database, nightly.id, { now: new Date('2026-03-28T00:00:00Z') });
    expect(earlier).toMatchObject({ nextFireAt: '2026-03-28T01:30:00.000Z', nextFireLocal: '2026-03-28T02:30:00+01:00' });
  });

  it('runs a schedule now as the schedule\u2019s run (trigger schedule, linked to it), triggered by the operator who pressed it', async () => {
    const { database } = await useTestDatabase();
    const context = writeContext(database);
    const schedule = (await createSchedule(context, { name: 'Incremental hot data', cron: '*/30 * * * *', scope: { strategies: ['hot_products'] }, concurrency: 10, onlyMissing: true, enabled: false }, 'ops')).after!;
    const warmer = await testWarmer(database, new MemoryCache({ maxBytes: 1 << 20 }), shopStrategies());
    const started = await runScheduleNow({ database, warmer }, schedule.id, { actor: 'alice@example.com' });
    expect(started.strategies).toEqual(['hot_products']);
    expect((await started.done).status).toBe('succeeded');
    const [run] = await database.rows<Record<string, unknown>>(sql`select trigger, triggered_by, schedule_id, concurrency, only_missing, scope from runs where id = ${started.runId}::uuid`);
    expect(run).toEqual({ trigger: 'schedule', triggered_by: 'alice@example.com', schedule_id: schedule.id, concurrency: 10, only_missing: true, scope: { strategies: ['hot_products'] } });
    expect(await refusal(runScheduleNow({ database, warmer }, 12345, { actor: 'alice@example.com' }))).toMatchObject({ status: 404 });
  });
});
