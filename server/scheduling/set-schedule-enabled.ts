import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { schedules } from '../db/schema';
import { staleVersion } from '../http/if-match';
import type { ScheduleChange, ScheduleWriteOptions } from './schedule-store';
import { lockSchedule } from './update-schedule';

/**
 * Pauses (`enabled: false`) or resumes a schedule: an edit of that one field, atomic like any
 * other (see updateSchedule). Slots that pass while it is paused are neither fired nor caught up
 * on resume: the misfire catch-up only looks at slots after the last change.
 */
export async function setScheduleEnabled(database: Database, id: number, enabled: boolean, actor: string, options: ScheduleWriteOptions = {}): Promise<ScheduleChange> {
  return database.db.transaction(async (tx) => {
    const before = await lockSchedule(tx, id);
    if (options.ifMatch !== undefined && options.ifMatch !== before.version) throw staleVersion(`Schedule "${before.name}"`, options.ifMatch, before);
    const [after] = await tx
      .update(schedules)
      .set({ enabled, version: sql`${schedules.version} + 1`, updatedAt: sql`now()`, updatedBy: actor })
      .where(eq(schedules.id, id))
      .returning();
    const change = { before, after: after! };
    await options.inTransaction?.(tx, change);
    return change;
  });
}
