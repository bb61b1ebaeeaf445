import 'server-only';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { runs, schedules } from '../db/schema';
import { AppError } from '../errors';
import { staleVersion } from '../http/if-match';
import type { ScheduleChange, ScheduleWriteOptions } from './schedule-store';

/**
 * Deletes a schedule and its fire records; its runs stay, no longer linked to it. `actor` is for
 * the caller's audit entry (the row is gone, so there is no updated_by to set).
 *
 * Its runs are unlinked first, explicitly: a running one's row is locked by the shard that is
 * ending it, and taking the runs' rows before the schedule's keeps the order every shard uses
 * (a delete that went schedule first, then its runs through ON DELETE SET NULL, could deadlock).
 */
export async function deleteSchedule(database: Database, id: number, _actor: string, options: ScheduleWriteOptions = {}): Promise<ScheduleChange> {
  if (!Number.isSafeInteger(id)) throw new AppError('not_found', `No schedule with id ${id}`, { field: 'id' });
  return database.db.transaction(async (tx) => {
    await tx.update(runs).set({ scheduleId: null }).where(eq(runs.scheduleId, id));
    const [before] = await tx.delete(schedules).where(eq(schedules.id, id)).returning();
    if (!before) throw new AppError('not_found', `No schedule with id ${id}`, { field: 'id' });
    if (options.ifMatch !== undefined && options.ifMatch !== before.version) throw staleVersion(`Schedule "${before.name}"`, options.ifMatch, before);
    const change = { before, after: null };
    await options.inTransaction?.(tx, change);
    return change;
  });
}
