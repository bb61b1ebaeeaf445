import 'server-only';
import { and, desc, eq, sql } from 'drizzle-orm';
import { blackoutAt, describeBlackout } from '@/lib/blackout';
import type { Database } from '../db/client';
import { type Schedule, type ScheduleFire, runs } from '../db/schema';
import type { Logger } from '../logger';
import { StrategiesBusyError } from '../warmup/run-records';
import type { Warmer } from '../warmup/warmer';
import { parseCron } from './cron-expression';
import { isSlot } from './cron-slots';
import { profileForSlot } from './schedule-profile';
import { findSchedule } from './schedule-store';

export type FireTrigger = 'schedule' | 'catch_up';
export type FireOutcome = ScheduleFire['outcome'];

export type FireReport = {
  scheduleId: number;
  slotAt: Date;
  trigger: FireTrigger;
  /** This process won the slot's claim (and recorded its outcome). */
  claimed: boolean;
  /** Why it did not claim: another process had (`taken`), or the slot is no longer the schedule's. */
  notClaimed?: 'taken' | 'deleted' | 'paused' | 'not_a_slot';
  outcome?: FireOutcome;
  runId?: string;
  reason?: string;
};

export type FireDeps = { database: Database; warmer: Warmer; logger: Logger };

/**
 * Fires one slot of a schedule, at most once across every process:
 * 1. re-reads the schedule and gives up if it was deleted, paused, or its current expression does
 *    not have this slot (a process that has not reloaded an edit yet fires nothing of the old one);
 * 2. claims the slot with an insert on the (schedule, slot) key: the process whose insert wins does
 *    the work, the others stop here;
 * 3. starts the run, or records why not: the schedule's previous run still going (skipped_overlap),
 *    a strategy busy in another run (skipped_busy), anything else (error).
 * The claim comes before the run so that a slow process never loses a fire to a faster one that
 * then finds nothing to do; a process that dies between the two leaves an `error` row saying so.
 */
export async function fireSlot(deps: FireDeps, scheduleId: number, slotAt: Date, trigger: FireTrigger): Promise<FireReport> {
  const { database, warmer, logger } = deps;
  const report: FireReport = { scheduleId, slotAt, trigger, claimed: false };
  const schedule = await findSchedule(database, scheduleId);
  if (!schedule) return { ...report, notClaimed: 'deleted' };
  if (!schedule.enabled) return { ...report, notClaimed: 'paused' };
  if (!belongsTo(schedule, slotAt)) return { ...report, notClaimed: 'not_a_slot' };
  if (!(await claimSlot(database, schedule.id, slotAt, warmer.owner))) return { ...report, notClaimed: 'taken' };

  const result = blackout(schedule, slotAt, trigger) ?? (await startRunFor(deps, schedule, trigger, slotAt));
  await recordOutcome(deps, schedule.id, slotAt, result);
  const log = { schedule: schedule.name, scheduleId: schedule.id, slot: slotAt.toISOString(), trigger, ...result };
  if (result.outcome === 'skipped_blackout') logger.info(log, `Schedule "${schedule.name}" did not run for ${slotAt.toISOString()}: ${result.reason}`);
  else if (result.outcome === 'started') logger.info(log, `Schedule "${schedule.name}" fired for ${slotAt.toISOString()}: run ${result.runId}`);
  else logger.warn(log, `Schedule "${schedule.name}" did not run for ${slotAt.toISOString()}: ${result.reason}`);
  return { ...report, claimed: true, ...result };
}

/** Takes the slot if no process has; false when another one already did. */
async function claimSlot(database: Database, scheduleId: number, slotAt: Date, owner: string): Promise<boolean> {
  try {
    const rows = await database.rows<{ claimed: number }>(sql`
      insert into schedule_fires (schedule_id, slot_at, outcome, claimed_by, reason)
      values (${scheduleId}, ${slotAt.toISOString()}::timestamptz, 'error', ${owner},
              ${`Claimed by ${owner}, which stopped before it started the run`})
      on conflict (schedule_id, slot_at) do nothing
      returning 1 as claimed`);
    return rows.length === 1;
  } catch (error) {
    if (isForeignKeyViolation(error)) return false; // deleted between the read and the claim
    throw error;
  }
}

type StartResult = { outcome: FireOutcome; runId?: string; reason?: string };

/**
 * Writes what the claimed slot did. The run may have started already, so a write that fails (the
 * database went away a moment after the start) is tried again for about 30 s rather than leaving
 * the claim's "stopped before it started the run" on record; past that it throws (logged).
 */
async function recordOutcome(deps: FireDeps, scheduleId: number, slotAt: Date, result: StartResult): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.database.rows(sql`
        update schedule_fires set outcome = ${result.outcome}, run_id = ${result.runId ?? null}::uuid, reason = ${result.reason ?? null}
        where schedule_id = ${scheduleId} and slot_at = ${slotAt.toISOString()}::timestamptz`);
      return;
    } catch (error) {
      if (attempt >= 10) throw error;
      if (attempt === 0) deps.logger.warn({ err: error, scheduleId, slot: slotAt.toISOString(), ...result }, `Recording the fire of ${slotAt.toISOString()} failed; trying again`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 4000)));
    }
  }
}

async function startRunFor(deps: FireDeps, schedule: Schedule, trigger: FireTrigger, slotAt: Date): Promise<StartResult> {
  // Runs no longer die with a process (their shards are retried elsewhere): a running run is running.
  const [previous] = await deps.database.db
    .select({ id: runs.id, createdAt: runs.createdAt })
    .from(runs)
    .where(and(eq(runs.scheduleId, schedule.id), eq(runs.status, 'running')))
    .orderBy(desc(runs.createdAt))
    .limit(1);
  if (previous) {
    return { outcome: 'skipped_overlap', reason: `The previous run of this schedule (${previous.id}, started ${previous.createdAt.toISOString().slice(0, 19)}Z) is still running` };
  }
  try {
    const run = await deps.warmer.startRun({
      trigger,
      triggeredBy: schedule.name,
      scope: schedule.scope,
      concurrency: schedule.concurrency ?? undefined,
      onlyMissing: schedule.onlyMissing,
      profile: profileForSlot(schedule, slotAt),
      scheduleId: schedule.id,
    });
    return { outcome: 'started', runId: run.runId };
  } catch (error) {
    if (error instanceof StrategiesBusyError) return { outcome: 'skipped_busy', reason: error.message };
    return { outcome: 'error', reason: (error as Error).message };
  }
}

/**
 * A slot inside one of the schedule's blackout windows is skipped, an expected skip (logged as
 * information, no alert). A late catch-up is skipped too when it would start inside one now.
 */
function blackout(schedule: Schedule, slotAt: Date, trigger: FireTrigger): StartResult | null {
  const now = new Date();
  const window = blackoutAt(schedule.blackoutWindows, schedule.timezone, slotAt) ?? (trigger === 'catch_up' ? blackoutAt(schedule.blackoutWindows, schedule.timezone, now) : null);
  if (!window) return null;
  return { outcome: 'skipped_blackout', reason: `Inside the blackout window ${describeBlackout(window)} (${schedule.timezone})` };
}

function belongsTo(schedule: Schedule, slotAt: Date): boolean {
  try {
    return isSlot(parseCron(schedule.cron), schedule.timezone, slotAt);
  } catch {
    return false; // a row that no longer parses fires nothing
  }
}

function isForeignKeyViolation(error: unknown): boolean {
  for (let e = error as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.code === '23503') return true;
  return false;
}
