import 'server-only';
import { eq, sql } from 'drizzle-orm';
import { schedules } from '../db/schema';
import { AppError } from '../errors';
import type { ScheduleWriteContext } from './create-schedule';
import { type ScheduleChange, isUniqueViolation, nameTaken, requireSchedule } from './schedule-store';
import { validateSchedulePatch } from './validate-schedule';

/**
 * Applies an edit (any subset of the schedule's fields), validated as a whole schedule. A new
 * expression replaces the old one everywhere: processes reload within their poll interval, and
 * until then refuse to fire a slot that is not one of the expression now stored.
 */
export async function updateSchedule(context: ScheduleWriteContext, id: number, patch: unknown, actor: string): Promise<ScheduleChange> {
  const before = await requireSchedule(context.database, id);
  const values = validateSchedulePatch(patch, before, context);
  try {
    const [after] = await context.database.db
      .update(schedules)
      .set({ ...values, updatedAt: sql`now()`, updatedBy: actor })
      .where(eq(schedules.id, id))
      .returning();
    if (!after) throw new AppError('not_found', `No schedule with id ${id}`, { field: 'id' });
    return { before, after };
  } catch (error) {
    if (isUniqueViolation(error, 'schedules_name_unique')) throw nameTaken(values.name);
    throw error;
  }
}
