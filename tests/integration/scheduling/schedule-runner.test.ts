import { describe, expect, it } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import type { Database } from '@/server/db/client';
import { createSchedule } from '@/server/scheduling/create-schedule';
import type { FireReport } from '@/server/scheduling/fire-slot';
import { previewSchedule } from '@/server/scheduling/preview-schedule';
import type { RunnerEvent } from '@/server/scheduling/schedule-runner';
import type { ScheduleClock } from '@/server/scheduling/schedule-clock';
import { updateSchedule } from '@/server/scheduling/update-schedule';
import { acceleratedClock, alignedOrigin } from '../../support/accelerated-clock';
import { useTestDatabase } from '../../support/db';
import { fireRows, sleep, testRunner, writeContext } from '../../support/scheduling';
import { shopStrategies } from '../../support/shop-strategies';
import { testWarmer } from '../../support/warmer';

const MINUTE = 60_000;
const untilScheduleTime = (clock: ScheduleClock, at: Date) => sleep(Math.max(0, clock.toReal(at).getTime() - Date.now()));

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    const value = probe();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs a runner over Berlin schedules through `startAt` + 16 schedule minutes (16 s) and returns the slots each fired. */
async function firesAcross(database: Database, startAt: string): Promise<{ fired: Record<string, string[]>; previewed: Record<string, string[]> }> {
  const context = writeContext(database, 'Europe/Berlin');
  const fixed = (await createSchedule(context, { name: 'fixed', cron: '*/5 2 * * *', scope: { strategies: ['hot_products'] } }, 'ops')).after!;
  const hourly = (await createSchedule(context, { name: 'every hour', cron: '*/5 * * * *', scope: { strategies: ['categories'] } }, 'ops')).after!;
  const clock = acceleratedClock({ secondsPerMinute: 1, origin: alignedOrigin(1), startAt: new Date(startAt) });
  const runner = testRunner(database, await testWarmer(database, new MemoryCache({ maxBytes: 1 << 20 }), shopStrategies()), clock, { lateFireSeconds: 600, pollIntervalMs: 60_000 });
  await runner.start();
  const end = new Date(Date.parse(startAt) + 15 * MINUTE);
  await untilScheduleTime(clock, new Date(end.getTime() + MINUTE));
  await runner.stop();
  const fired: Record<string, string[]> = {};
  const previewed: Record<string, string[]> = {};
  for (const s of [fixed, hourly]) {
    const rows = await fireRows(database, s.id);
    expect(rows.every((r) => r.outcome === 'started' && r.trigger === 'schedule')).toBe(true);
    fired[s.cron] = rows.map((r) => r.slot_at).filter((at) => Date.parse(at) <= end.getTime());
    previewed[s.cron] = previewSchedule(s.cron, s.timezone, clock.fromReal(s.updatedAt), 20).nextFireTimes.map((t) => t.at).filter((at) => Date.parse(at) <= end.getTime());
  }
  return { fired, previewed };
}

describe('the schedule runner', () => {
  it('fires exactly the slots the preview lists across both Berlin daylight-saving changes', async () => {
    const [spring, autumn] = await Promise.all([useTestDatabase(), useTestDatabase()]);
    const [march, october] = await Promise.all([firesAcross(spring.database, '2026-03-29T00:55:00Z'), firesAcross(autumn.database, '2026-10-25T00:55:00Z')]);
    const utc = (...times: string[]) => times.map((t) => `${t}:00.000Z`);
    // 29 March: 02:00-02:55 do not exist; the fixed-hour schedule fires them at 03:00-03:55 CEST (01:00Z...).
    expect(march.fired).toEqual({
      '*/5 2 * * *': utc('2026-03-29T01:00', '2026-03-29T01:05', '2026-03-29T01:10'),
      '*/5 * * * *': utc('2026-03-29T00:55', '2026-03-29T01:00', '2026-03-29T01:05', '2026-03-29T01:10'),
    });
    // 25 October: 02:00-02:59 happen twice; the fixed-hour schedule fired them in the first pass only.
    expect(october.fired).toEqual({
      '*/5 2 * * *': utc('2026-10-25T00:55'),
      '*/5 * * * *': utc('2026-10-25T00:55', '2026-10-25T01:00', '2026-10-25T01:05', '2026-10-25T01:10'),
    });
    expect(march.fired).toEqual(march.previewed);
    expect(october.fired).toEqual(october.previewed);
  });

  it('fires nothing of an edited expression before it reloads, and the new expression after', async () => {
    const { database } = await useTestDatabase();
    const context = writeContext(database);
    const schedule = (await createSchedule(context, { name: 'Edited', cron: '* * * * *', scope: { strategies: ['hot_products'] } }, 'ops')).after!;
    const events: RunnerEvent[] = [];
    const clock = acceleratedClock({ secondsPerMinute: 2, origin: alignedOrigin(2) });
    const runner = testRunner(database, await testWarmer(database, new MemoryCache({ maxBytes: 1 << 20 }), shopStrategies()), clock, {
      pollIntervalMs: 3_600_000, // no reload but the one the test asks for
      observer: (event) => events.push(event),
    });
    const reports = () => events.flatMap((e) => (e.type === 'fire' ? [e.report] : []));
    await runner.start();
    await waitFor('two fires', () => (reports().filter((r) => r.outcome === 'started').length >= 2 ? true : undefined));

    const { after } = await updateSchedule(context, schedule.id, { cron: '*/2 * * * *' }, 'alice');
    const editedAt = clock.fromReal(after!.updatedAt).getTime();
    await untilScheduleTime(clock, new Date(editedAt + 5 * MINUTE));
    const stale = reports().filter((r) => r.slotAt.getTime() > editedAt);
    const odd = stale.filter((r) => r.slotAt.getUTCMinutes() % 2 === 1);
    expect(odd.length).toBeGreaterThanOrEqual(2);
    expect(odd.every((r) => !r.claimed && r.notClaimed === 'not_a_slot')).toBe(true);
    expect(runner.scheduled()[0]!.cron).toBe('* * * * *'); // still the old task: it has not reloaded

    await runner.refresh();
    expect(runner.scheduled()).toMatchObject([{ id: schedule.id, cron: '*/2 * * * *' }]);
    const reloadedAt = clock.now().getTime();
    await untilScheduleTime(clock, new Date(reloadedAt + 4 * MINUTE));
    await runner.stop();

    const afterEdit = (await fireRows(database, schedule.id)).filter((f) => Date.parse(f.slot_at) > editedAt);
    expect(afterEdit.length).toBeGreaterThanOrEqual(3);
    expect(afterEdit.every((f) => new Date(f.slot_at).getUTCMinutes() % 2 === 0 && f.outcome === 'started')).toBe(true);
    const attemptedAfterReload = reports().filter((r) => r.slotAt.getTime() > reloadedAt);
    expect(attemptedAfterReload.length).toBeGreaterThanOrEqual(1);
    expect(attemptedAfterReload.every((r) => r.slotAt.getUTCMinutes() % 2 === 0)).toBe(true);
  });

  it('records a slot that comes while the previous run is still going as skipped_overlap, naming the run', async () => {
    const { database } = await useTestDatabase();
    const schedule = (await createSchedule(writeContext(database), { name: 'Slow', cron: '* * * * *', scope: { strategies: ['hot_products'] }, concurrency: 1 }, 'ops')).after!;
    const reports: FireReport[] = [];
    const clock = acceleratedClock({ secondsPerMinute: 2, origin: alignedOrigin(2) });
    // One run takes about 10 keys x 600 ms = 6 s: three schedule minutes.
    const warmer = await testWarmer(database, new MemoryCache({ maxBytes: 1 << 20 }), shopStrategies({ keys: 10, delayMs: 600 }));
    const runner = testRunner(database, warmer, clock, { observer: (e) => e.type === 'fire' && reports.push(e.report) });
    await runner.start();
    await waitFor('three fires', () => (reports.length >= 3 ? true : undefined));
    await runner.stop();
    const [first, ...next] = reports;
    expect(first).toMatchObject({ outcome: 'started', runId: expect.any(String) });
    for (const r of next.slice(0, 2)) expect(r).toMatchObject({ outcome: 'skipped_overlap', reason: expect.stringContaining(`The previous run of this schedule (${first!.runId}, started `) });
    const rows = await fireRows(database, schedule.id);
    expect(rows.slice(0, 3).map((r) => r.outcome)).toEqual(['started', 'skipped_overlap', 'skipped_overlap']);
  });
});
