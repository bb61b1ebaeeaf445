import 'server-only';
import type { Schedule } from '../db/schema';
import { scheduleFires } from '../db/schema';
import type { CronSpec } from './cron-expression';
import { slotsBetween } from './cron-slots';
import { type FireDeps, type FireReport, fireSlot } from './fire-slot';
import { lastFireSlot } from './schedule-store';

/** The most missed slots recorded at once; older ones are only counted in the log. */
export const MAX_MISSED_RECORDS = 100;
/** How far back a starting process looks for slots every process missed. */
export const MISFIRE_LOOKBACK_SECONDS = 86_400;

export type CatchUpWindow = {
  /** Schedule time now. */
  now: Date;
  /** The newest slot that counts as missed; later ones are still fired normally. */
  until: Date;
  /** Schedule time of an instant the database wrote (updated_at); the identity outside tests. */
  fromReal?: (real: Date) => Date;
  lookbackSeconds?: number;
};

/**
 * On start: the slots of a schedule that no process fired while every process was down, handled
 * by its misfire policy. They are the slots after the later of its last recorded fire and its last
 * change (a paused schedule has nothing to catch up), at most `lookbackSeconds` back, up to `until`.
 */
export async function catchUpMissedSlots(deps: FireDeps, schedule: Schedule, spec: CronSpec, window: CatchUpWindow): Promise<FireReport[]> {
  const fromReal = window.fromReal ?? ((d: Date) => d);
  const lastFire = await lastFireSlot(deps.database, schedule.id);
  const after = Math.max(
    lastFire?.getTime() ?? 0,
    fromReal(schedule.updatedAt).getTime(),
    window.now.getTime() - (window.lookbackSeconds ?? MISFIRE_LOOKBACK_SECONDS) * 1000,
  );
  const missed = slotsBetween(spec, schedule.timezone, new Date(after), window.until);
  return applyMisfirePolicy(deps, schedule, missed, window.now, 'No Kiln process was running at this time');
}

/**
 * Applies the schedule's misfire policy to slots nobody fired in time (oldest first):
 * - `skip`: each is recorded `missed`;
 * - `run_once`: the latest, if it is within the grace window, is claimed and run once with trigger
 *   `catch_up`; the others (and a latest one past the window) are recorded `missed`.
 * Every record goes through the slot's unique key, so processes starting together act once, and a
 * slot another process did fire is left as it is.
 */
export async function applyMisfirePolicy(deps: FireDeps, schedule: Schedule, missed: Date[], now: Date, why: string): Promise<FireReport[]> {
  if (missed.length === 0) return [];
  const latest = missed.at(-1)!;
  const lateSeconds = Math.round((now.getTime() - latest.getTime()) / 1000);
  const catchUp = schedule.misfirePolicy === 'run_once' && lateSeconds <= schedule.misfireGraceSeconds ? latest : undefined;
  const reasonFor = (slot: Date) => {
    if (schedule.misfirePolicy === 'skip') return `${why}; the misfire policy is skip`;
    if (slot !== latest) return `${why}; run_once catches up only the latest missed slot`;
    return `${why}; it was ${lateSeconds} s late, past the ${schedule.misfireGraceSeconds} s grace window`;
  };
  const toRecord = (catchUp ? missed.slice(0, -1) : missed).slice(-MAX_MISSED_RECORDS);
  const omitted = missed.length - (catchUp ? 1 : 0) - toRecord.length;
  const reports: FireReport[] = [];
  if (toRecord.length) {
    const recorded = await deps.database.db
      .insert(scheduleFires)
      .values(toRecord.map((slotAt) => ({ scheduleId: schedule.id, slotAt, outcome: 'missed' as const, reason: reasonFor(slotAt), claimedBy: deps.warmer.owner })))
      .onConflictDoNothing()
      .returning({ slotAt: scheduleFires.slotAt, reason: scheduleFires.reason });
    for (const r of recorded) reports.push({ scheduleId: schedule.id, slotAt: r.slotAt, trigger: 'catch_up', claimed: true, outcome: 'missed', reason: r.reason ?? undefined });
    if (recorded.length) {
      deps.logger.warn(
        { schedule: schedule.name, scheduleId: schedule.id, missed: recorded.length, notRecorded: omitted },
        `Schedule "${schedule.name}" missed ${recorded.length + omitted} slot(s) (${why.toLowerCase()})`,
      );
    }
  }
  if (catchUp) reports.push(await fireSlot(deps, schedule.id, catchUp, 'catch_up'));
  return reports;
}
