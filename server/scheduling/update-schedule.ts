import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { type Schedule, schedules } from '../db/schema';
import { AppError } from '../errors';
import { staleVersion } from '../http/if-match';
import type { ScheduleWriteContext } from './create-schedule';
import { type ScheduleChange, type ScheduleWriteOptions, isUniqueViolation, nameTaken } from './schedule-store';
import { type ScheduleValues, validateSchedulePatch } from './validate-schedule';

/**
 * Applies an edit (any subset of the schedule's fields), validated as a whole schedule. Only the
 * fields sent are written, in one transaction that holds the row's lock from the read to the
 * write: two edits of different fields sent at once both hold (nothing read is written back), and
 * `ifMatch` (the version the editor saw) refuses an edit based on a stale view with 412, writing
 * nothing. A new expression replaces the old one everywhere: processes reload within their poll
 * interval, and until then refuse to fire a slot that is not one of the expression now stored.
 */
export async function updateSchedule(
  context: ScheduleWriteContext,
  id: number,
  patch: unknown,
  actor: string,
  options: ScheduleWriteOptions = {},
): Promise<ScheduleChange> {
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError('not_found', `No schedule with id ${id}`, { field: 'id' });
  let sentName: string | undefined;
  try {
    return await context.database.db.transaction(async (tx) => {
      const before = await lockSchedule(tx, id);
      if (options.ifMatch !== undefined && options.ifMatch !== before.version) throw staleVersion(`Schedule "${before.name}"`, options.ifMatch, before);
      const values = validateSchedulePatch(patch, before, context);
      const sent = pickSent(values, patch as Record<string, unknown>);
      sentName = sent.name;
      const [after] = await tx
        .update(schedules)
        .set({ ...sent, version: sql`${schedules.version} + 1`, updatedAt: sql`now()`, updatedBy: actor })
        .where(eq(schedules.id, id))
        .returning();
      const change = { before, after: after! };
      await options.inTransaction?.(tx, change);
      return change;
    });
  } catch (error) {
    if (sentName !== undefined && isUniqueViolation(error, 'schedules_name_unique')) throw nameTaken(sentName);
    throw error;
  }
}

/** The schedule's row, locked until the transaction ends; a 404 AppError when there is none. */
export async function lockSchedule(tx: Db, id: number): Promise<Schedule> {
  const [row] = await tx.select().from(schedules).where(eq(schedules.id, id)).for('update');
  if (!row) throw new AppError('not_found', `No schedule with id ${id}`, { field: 'id' });
  return row;
}

/** The validated values of the fields the patch names, and of no other. */
function pickSent(values: ScheduleValues, patch: Record<string, unknown>): Partial<ScheduleValues> {
  const sent: Partial<ScheduleValues> = {};
  for (const key of Object.keys(patch) as (keyof ScheduleValues)[]) (sent as Record<string, unknown>)[key] = values[key];
  return sent;
}
