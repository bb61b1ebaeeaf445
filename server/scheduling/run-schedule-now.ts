import 'server-only';
import type { Database } from '../db/client';
import type { StartRunInput } from '../warmup/warmer';
import type { StartedRun, Warmer } from '../warmup/warmer';
import { profileForSlot } from './schedule-profile';
import { requireSchedule } from './schedule-store';

/**
 * Starts a run of the schedule's scope now, whether or not the schedule is paused: the schedule's
 * run (trigger `schedule`, its schedule linked), with the operator who pressed Run now as
 * `triggeredBy` (a slot's run has the schedule's name there). The schedule's next slot sees it as
 * its previous run (and skips if it is still going). `inTransaction` (the audit entry) is written with
 * the run's record. Refused like any run: StrategiesBusyError (409)
 * when a strategy in scope is being warmed, AppError for a scope with nothing enabled.
 */
export async function runScheduleNow(
  deps: { database: Database; warmer: Warmer },
  id: number,
  actor: string,
  inTransaction?: StartRunInput['inTransaction'],
): Promise<StartedRun> {
  const schedule = await requireSchedule(deps.database, id);
  return deps.warmer.startRun({
    trigger: 'schedule',
    triggeredBy: actor,
    scope: schedule.scope,
    concurrency: schedule.concurrency ?? undefined,
    onlyMissing: schedule.onlyMissing,
    profile: profileForSlot(schedule, new Date()),
    scheduleId: schedule.id,
    inTransaction,
  });
}
