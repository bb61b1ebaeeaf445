import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import type { LastFire, ScheduleView } from '@/lib/api/schedules';
import type { RunStatus, RunTrigger, Schedule, ScheduleFire } from '../db/schema';
import { parseCron } from './cron-expression';
import { nextSlots } from './cron-slots';
import { describeCron } from './preview-schedule';
import { formatLocal } from './time-zone';

export type { LastFire, ScheduleView } from '@/lib/api/schedules';

const MISSED_SHOWN = 10;
const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** Views of the given schedules (two queries, whatever their number). */
export async function buildScheduleViews(database: Database, rows: Schedule[], now: Date = new Date()): Promise<ScheduleView[]> {
  if (rows.length === 0) return [];
  const ids = `{${rows.map((r) => r.id).join(',')}}`;
  const last = await database.rows<{
    schedule_id: number; slot_at: string; outcome: ScheduleFire['outcome']; reason: string | null; claimed_by: string; run_id: string | null;
    status: RunStatus | null; trigger: RunTrigger | null; warmed: number | null; total: number | null; finished_at: string | null;
  }>(sql`
    select f.schedule_id, ${iso('f.slot_at')} as slot_at, f.outcome, f.reason, f.claimed_by, f.run_id::text as run_id,
           r.status, r.trigger, r.warmed::int as warmed, r.total::int as total, ${iso('r.finished_at')} as finished_at
    from unnest(${ids}::int[]) as s(id)
    join lateral (select * from schedule_fires sf where sf.schedule_id = s.id order by sf.slot_at desc limit 1) f on true
    left join runs r on r.id = f.run_id`);
  const missed = await database.rows<{ schedule_id: number; slot_at: string; reason: string | null }>(sql`
    select schedule_id, ${iso('slot_at')} as slot_at, reason from (
      select schedule_id, slot_at, reason, row_number() over (partition by schedule_id order by slot_at desc) as n
      from schedule_fires
      where outcome = 'missed' and schedule_id = any(${ids}::int[]) and slot_at > ${now.toISOString()}::timestamptz - interval '7 days'
    ) m where n <= ${MISSED_SHOWN} order by slot_at desc`);
  return rows.map((row) => {
    const fire = last.find((f) => f.schedule_id === row.id);
    const next = row.enabled ? nextFire(row, now) : null;
    return {
      id: row.id,
      name: row.name,
      cron: row.cron,
      timezone: row.timezone,
      scope: row.scope,
      concurrency: row.concurrency,
      onlyMissing: row.onlyMissing,
      enabled: row.enabled,
      misfirePolicy: row.misfirePolicy,
      misfireGraceSeconds: row.misfireGraceSeconds,
      governorProfile: row.governorProfile,
      blackoutWindows: row.blackoutWindows,
      createdAt: row.createdAt.toISOString(),
      createdBy: row.createdBy,
      updatedAt: row.updatedAt.toISOString(),
      updatedBy: row.updatedBy,
      version: row.version,
      description: describe(row),
      nextFireAt: next?.toISOString() ?? null,
      nextFireLocal: next ? formatLocal(next, row.timezone) : null,
      lastFire: fire
        ? {
            slotAt: fire.slot_at,
            outcome: fire.outcome,
            reason: fire.reason,
            claimedBy: fire.claimed_by,
            runId: fire.run_id,
            run: fire.status ? { status: fire.status, trigger: fire.trigger!, warmed: fire.warmed ?? 0, total: fire.total ?? 0, finishedAt: fire.finished_at } : null,
          }
        : null,
      recentMissed: missed.filter((m) => m.schedule_id === row.id).map((m) => ({ slotAt: m.slot_at, reason: m.reason })),
    };
  });
}

// A row written around the API (by hand, or by an older version) may not parse: it shows, without a next time.
function nextFire(row: Schedule, now: Date): Date | null {
  try {
    return nextSlots(parseCron(row.cron), row.timezone, now, 1)[0]?.at ?? null;
  } catch {
    return null;
  }
}

function describe(row: Schedule): string {
  try {
    return describeCron(parseCron(row.cron));
  } catch (error) {
    return `Invalid: ${(error as Error).message}`;
  }
}
