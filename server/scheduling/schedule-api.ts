import 'server-only';
import type { Actor } from '@/lib/api/auth';
import type { ScheduleView } from '@/lib/api/schedules';
import { recordAudit } from '../audit/record-audit';
import type { ClientInfo } from '../auth/client-info';
import type { Database, Db } from '../db/client';
import type { ScheduleRunner } from './schedule-runner';
import { getSchedule } from './get-schedule';
import type { ScheduleChange } from './schedule-store';

type Deps = { database: Database; scheduler: Pick<ScheduleRunner, 'refresh'> };

export type ScheduleAction = 'schedule.create' | 'schedule.update' | 'schedule.pause' | 'schedule.resume' | 'schedule.delete';

/**
 * The audit entry of a schedule change (who, before, after), for the change's own transaction
 * (`inTransaction` of the schedule use cases): a change that fails leaves no entry, and a change
 * that is kept always has one.
 */
export function auditScheduleChange(action: ScheduleAction, actor: Actor, client: ClientInfo): (tx: Db, change: ScheduleChange) => Promise<void> {
  return async (tx, change) => {
    const id = change.after?.id ?? change.before?.id;
    await recordAudit(tx, { actor, action, target: `schedule:${id}`, before: change.before, after: change.after, ...client });
  };
}

/** The action a schedule PATCH is audited as: a patch of `enabled` alone is a pause or a resume. */
export function schedulePatchAction(patch: Record<string, unknown>): ScheduleAction {
  return Object.keys(patch).length === 1 && 'enabled' in patch ? (patch.enabled ? 'schedule.resume' : 'schedule.pause') : 'schedule.update';
}

/**
 * After a schedule change made through this process: an immediate reload of this process's
 * runner (the others poll within 5 s), and the new view.
 */
export async function afterScheduleChange(runtime: Deps, change: ScheduleChange): Promise<ScheduleView | null> {
  await runtime.scheduler.refresh().catch(() => {}); // the poll catches up if this reload fails
  return change.after ? getSchedule(runtime.database, change.after.id) : null;
}
