import 'server-only';
import type { Database } from '../db/client';
import type { StrategyRegistry } from '../warmup/registry';
import type { StartRunInput } from '../warmup/warmer';
import type { StartedRun, Warmer } from '../warmup/warmer';
import { type BlackoutHit, refuseInBlackout } from './blackout-guard';
import { profileForSlot } from './schedule-profile';
import { requireSchedule } from './schedule-store';

export type RunScheduleNowOptions = {
  /** Who pressed Run now (the run's `triggeredBy`). */
  actor: string;
  /** Run even inside a blackout window (the operator confirmed it). */
  confirmBlackout?: boolean;
  /** Written with the run's record (the audit entry), told the blackout windows the operator confirmed. */
  inTransaction?: (tx: Parameters<NonNullable<StartRunInput['inTransaction']>>[0], row: Parameters<NonNullable<StartRunInput['inTransaction']>>[1], blackouts: BlackoutHit[]) => Promise<void>;
};

/**
 * Starts a run of the schedule's scope now, whether or not the schedule is paused: the schedule's
 * run (trigger `schedule`, its schedule linked), with the operator who pressed Run now as
 * `triggeredBy` (a slot's run has the schedule's name there). The schedule's next slot sees it as
 * its previous run (and skips if it is still going). Refused like any manual run: 409 `in_blackout`
 * inside a blackout window of an enabled schedule covering its strategies (its own included) unless
 * confirmed; StrategiesBusyError (409) when a strategy in scope is being warmed; AppError for a
 * scope with nothing enabled.
 */
export async function runScheduleNow(
  deps: { database: Database; warmer: Warmer; registry?: StrategyRegistry },
  id: number,
  options: RunScheduleNowOptions,
): Promise<StartedRun> {
  const schedule = await requireSchedule(deps.database, id);
  const blackouts = deps.registry ? await refuseInBlackout(deps.database, deps.registry, schedule.scope, options.confirmBlackout === true) : [];
  const audit = options.inTransaction;
  return deps.warmer.startRun({
    trigger: 'schedule',
    triggeredBy: options.actor,
    scope: schedule.scope,
    concurrency: schedule.concurrency ?? undefined,
    onlyMissing: schedule.onlyMissing,
    profile: profileForSlot(schedule, new Date()),
    scheduleId: schedule.id,
    inTransaction: audit ? (tx, row) => audit(tx, row, blackouts) : undefined,
  });
}
