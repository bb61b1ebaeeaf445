import 'server-only';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { schedules } from '../db/schema';
import { AppError } from '../errors';
import type { ScheduleChange } from './schedule-store';

/**
 * Deletes a schedule and its fire records; its runs stay, no longer linked to it. `actor` is for
 * the caller's audit entry (the row is gone, so there is no updated_by to set).
 */
export async function deleteSchedule(database: Database, id: number, _actor: string): Promise<ScheduleChange> {
  const [before] = Number.isSafeInteger(id) ? await database.db.delete(schedules).where(eq(schedules.id, id)).returning() : [];
  if (!before) throw new AppError('not_found', `No schedule with id ${id}`, { field: 'id' });
  return { before, after: null };
}
