import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { schedules } from '../db/schema';
import { AppError } from '../errors';
import { type ScheduleChange, requireSchedule } from './schedule-store';

/**
 * Pauses (`enabled: false`) or resumes a schedule. Slots that pass while it is paused are neither
 * fired nor caught up on resume: the misfire catch-up only looks at slots after the last change.
 */
export async function setScheduleEnabled(database: Database, id: number, enabled: boolean, actor: string): Promise<ScheduleChange> {
  const before = await requireSchedule(database, id);
  const [after] = await database.db
    .update(schedules)
    .set({ enabled, updatedAt: sql`now()`, updatedBy: actor })
    .where(eq(schedules.id, id))
    .returning();
  if (!after) throw new AppError('not_found', `No schedule with id ${id}`, { field: 'id' });
  return { before, after };
}
