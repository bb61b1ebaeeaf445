import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createSchedule } from '@/server/scheduling/create-schedule';
import { setScheduleEnabled } from '@/server/scheduling/set-schedule-enabled';
import { acceleratedClock, alignedOrigin } from '../../support/accelerated-clock';
import { type Child, spawnTsChild } from '../../support/child-process';
import { useTestDatabase } from '../../support/db';
import { fireRows, sleep, writeContext } from '../../support/scheduling';

const CHILD = 'tests/support/schedule-child.ts';
const S = 3; // real seconds per schedule minute
const MINUTE = 60_000;

type Event = Record<string, unknown>;
const fires = (child: Child) => child.lines.filter((l) => l.event === 'fire');
const command = (child: Child, cmd: Record<string, unknown>) => child.send(JSON.stringify(cmd));
const minuteOf = (iso: string) => new Date(iso).getUTCMinutes();

/** Kiln processes on one database and one test clock, started together. */
async function startProcesses(url: string, origin: Date, count: number, pollMs = 5000): Promise<Child[]> {
  const children = Array.from({ length: count }, () => spawnTsChild(CHILD, ['--db', url, '--seconds-per-minute', String(S), '--origin', origin.toISOString(), '--poll-ms', String(pollMs)]));
  await Promise.all(children.map((c) => c.waitFor('ready')));
  for (const child of children) command(child, { cmd: 'start' });
  await Promise.all(children.map((c) => c.waitFor('started')));
  return children;
}

async function stopProcesses(children: Child[]): Promise<void> {
  for (const child of children) command(child, { cmd: 'stop' });
  await Promise.all(children.map((c) => c.waitFor('stopped')));
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    const value = await probe();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('schedules across real processes', () => {
  it('fires a "* * * * *" schedule in three processes exactly once a slot, five slots in a row, with no gap', async () => {
    const { database, url } = await useTestDatabase();
    const origin = alignedOrigin(S);
    const clock = acceleratedClock({ secondsPerMinute: S, origin });
    const schedule = (await createSchedule(writeContext(database), { name: 'Every minute', cron: '* * * * *', scope: { strategies: ['hot_products'] }, enabled: false }, 'ops')).after!;
    const children = await startProcesses(url, origin, 3, 1000);

    const { after } = await setScheduleEnabled(database, schedule.id, true, 'ops');
    const resumedAt = clock.fromReal(after!.updatedAt).getTime();
    await Promise.all(children.map((c) => until('the schedule loaded', () => c.lines.find((l) => l.event === 'loaded' && (l.schedules as Event[]).length === 1))));
    const first = Math.floor(clock.now().getTime() / MINUTE) * MINUTE + MINUTE;
    const slots = Array.from({ length: 5 }, (_, i) => new Date(first + i * MINUTE).toISOString());
    await sleep(clock.toReal(new Date(first + 5 * MINUTE)).getTime() - Date.now());
    await stopProcesses(children);

    const rows = await fireRows(database, schedule.id);
    const window = rows.filter((r) => slots.includes(r.slot_at));
    expect(window.map((r) => [r.slot_at, r.outcome, r.trigger])).toEqual(slots.map((s) => [s, 'started', 'schedule']));
    expect(new Set(window.map((r) => r.run_id)).size).toBe(5);
    for (const slot of slots) {
      const attempts = children.map((c) => fires(c).filter((f) => f.slotAt === slot));
      expect({ slot, attempts: attempts.map((a) => a.length) }).toEqual({ slot, attempts: [1, 1, 1] });
      expect({ slot, claimed: attempts.flat().filter((a) => a.claimed).length }).toEqual({ slot, claimed: 1 });
    }
    // No gap from the moment it was resumed, and no run without its claim.
    const expectedAll = Array.from({ length: (Date.parse(rows.at(-1)!.slot_at) - Date.parse(rows[0]!.slot_at)) / MINUTE + 1 }, (_, i) => new Date(Date.parse(rows[0]!.slot_at) + i * MINUTE).toISOString());
    expect(rows.map((r) => r.slot_at)).toEqual(expectedAll);
    expect(Date.parse(rows[0]!.slot_at)).toBe(Math.floor(resumedAt / MINUTE) * MINUTE + MINUTE);
    expect(rows.every((r) => r.outcome === 'started')).toBe(true);
    const [{ n }] = (await database.rows<{ n: number }>(sql`select count(*)::int as n from runs where schedule_id = ${schedule.id}`)) as [{ n: number }];
    expect(n).toBe(rows.length);
  });

  it('changes when every process fires within 15 s of an edit made through one of them; the old expression stops everywhere', async () => {
    const { database, url } = await useTestDatabase();
    const origin = alignedOrigin(S);
    const clock = acceleratedClock({ secondsPerMinute: S, origin });
    const schedule = (await createSchedule(writeContext(database), { name: 'Even minutes', cron: '*/2 * * * *', scope: { strategies: ['hot_products'] } }, 'ops')).after!;
    const children = await startProcesses(url, origin, 3); // the production poll interval: 5 s
    await until('an even slot fired', async () => ((await fireRows(database, schedule.id)).length ? true : undefined));

    command(children[0]!, { cmd: 'update', id: schedule.id, patch: { cron: '1-59/2 * * * *' } });
    const updated = await children[0]!.waitFor('updated');
    const editedAt = Date.parse(updated.now as string);
    const reloads = await Promise.all(
      children.map((c) => until('the edit reached it', () => c.lines.find((l) => l.event === 'loaded' && (l.schedules as Event[])[0]?.cron === '1-59/2 * * * *'), 20_000)),
    );
    const delays = reloads.map((r) => (r.at as number) - (updated.at as number));
    expect(Math.max(...delays)).toBeLessThanOrEqual(15_000);
    const lastReload = Math.max(...reloads.map((r) => Date.parse(r.now as string)));
    await sleep(clock.toReal(new Date(Math.floor(lastReload / MINUTE) * MINUTE + 4 * MINUTE)).getTime() - Date.now() + 200);
    await stopProcesses(children);

    const rows = await fireRows(database, schedule.id);
    expect(rows.filter((r) => Date.parse(r.slot_at) <= editedAt).every((r) => minuteOf(r.slot_at) % 2 === 0)).toBe(true);
    const afterEdit = rows.filter((r) => Date.parse(r.slot_at) > editedAt);
    expect(afterEdit.length).toBeGreaterThanOrEqual(2);
    expect(afterEdit.every((r) => minuteOf(r.slot_at) % 2 === 1 && r.outcome === 'started')).toBe(true);
    children.forEach((child, i) => {
      const reloadedAt = Date.parse(reloads[i]!.now as string);
      const attempts = fires(child).filter((f) => Date.parse(f.slotAt as string) > editedAt);
      // Until it reloaded, the process still woke for even slots and refused them; after, it tries odd ones only.
      expect(attempts.filter((f) => minuteOf(f.slotAt as string) % 2 === 0).every((f) => f.notClaimed === 'not_a_slot')).toBe(true);
      const afterReload = attempts.filter((f) => Date.parse(f.slotAt as string) > reloadedAt);
      expect({ process: i, slots: afterReload.length >= 2, odd: afterReload.every((f) => minuteOf(f.slotAt as string) % 2 === 1) }).toEqual({ process: i, slots: true, odd: true });
    });
  });

  it('handles the slots missed while every process was stopped by each schedule\'s misfire policy when one starts again', async () => {
    const { database, url } = await useTestDatabase();
    const origin = alignedOrigin(S);
    const context = writeContext(database);
    const runOnce = (await createSchedule(context, { name: 'Run once', cron: '* * * * *', scope: { strategies: ['hot_products'] }, misfirePolicy: 'run_once' }, 'ops')).after!;
    const skip = (await createSchedule(context, { name: 'Skip', cron: '* * * * *', scope: { strategies: ['categories'] }, misfirePolicy: 'skip' }, 'ops')).after!;
    const before = await startProcesses(url, origin, 2, 1000);
    await until('both schedules fired', async () => {
      const rows = await fireRows(database);
      return rows.some((r) => r.schedule_id === runOnce.id) && rows.some((r) => r.schedule_id === skip.id) ? true : undefined;
    });
    // Runs no longer die with their process (a stopped worker hands its shards back and the run
    // goes on when a worker returns): let them end, so that the slots below are truly missed ones.
    await until('the runs ended', async () => ((await database.rows(sql`select 1 from runs where status = 'running'`)).length === 0 ? true : undefined));
    await stopProcesses(before);
    const lastFired = new Map((await fireRows(database)).map((r) => [r.schedule_id, Date.parse(r.slot_at)]));

    await sleep(4 * S * 1000); // four schedule minutes with no process
    const [after] = await startProcesses(url, origin, 1, 1000);
    const restartedAt = Date.parse(after!.lines.find((l) => l.event === 'started')!.now as string);
    await sleep(2 * S * 1000);
    await stopProcesses([after!]);

    const missedUntil = restartedAt - MINUTE; // younger slots still fire normally after a restart
    for (const schedule of [runOnce, skip]) {
      const rows = (await fireRows(database, schedule.id)).filter((r) => Date.parse(r.slot_at) > lastFired.get(schedule.id)!);
      const expected = [];
      for (let at = lastFired.get(schedule.id)! + MINUTE; at <= missedUntil; at += MINUTE) expected.push(new Date(at).toISOString());
      expect(expected.length).toBeGreaterThanOrEqual(3);
      const missed = rows.filter((r) => Date.parse(r.slot_at) <= missedUntil);
      expect(missed.map((r) => r.slot_at)).toEqual(expected);
      if (schedule.misfirePolicy === 'skip') {
        expect(missed.every((r) => r.outcome === 'missed' && r.reason === 'No Kiln process was running at this time; the misfire policy is skip')).toBe(true);
      } else {
        expect(missed.slice(0, -1).every((r) => r.outcome === 'missed' && /run_once catches up only the latest missed slot/.test(r.reason!))).toBe(true);
        expect(missed.at(-1)).toMatchObject({ outcome: 'started', trigger: 'catch_up' });
      }
      const live = rows.filter((r) => Date.parse(r.slot_at) > missedUntil);
      expect(live.length).toBeGreaterThanOrEqual(1);
      // Any other outcome is shown with its row.
      expect(live.filter((r) => !((r.outcome === 'started' && r.trigger === 'schedule') || r.outcome === 'skipped_overlap'))).toEqual([]);
    }
  });
});
