import 'server-only';
import type { Actor } from '@/lib/api/auth';
import type { ScheduleView } from '@/lib/api/schedules';
import { recordAudit } from '../audit/record-audit';
import type { ClientInfo } from '../auth/client-info';
import type { Database } from '../db/client';
import type { ScheduleRunner } from './schedule-runner';
import { getSchedule } from './get-schedule';
import type { ScheduleChange } from './schedule-store';

type Deps = { database: Database; scheduler: Pick<ScheduleRunner, 'refresh'> };

/**
 * After a schedule change made through this process: its audit entry (who, before, after), an
 * immediate reload of this process's runner (the others poll within 5 s), and the new view.
 */
export async function afterScheduleChange(
  runtime: Deps,
  action: 'schedule.create' | 'schedule.update' | 'schedule.pause' | 'schedule.resume' | 'schedule.delete',
  change: ScheduleChange,
  actor: Actor,
  client: ClientInfo,
): Promise<ScheduleView | null> {
  const id = change.after?.id ?? change.before?.id;
  await recordAudit(runtime.database.db, { actor, action, target: `schedule:${id}`, before: change.before, after: change.after, ...client });
  await runtime.scheduler.refresh().catch(() => {}); // the poll catches up if this reload fails
  return change.after ? getSchedule(runtime.database, change.after.id) : null;
}
