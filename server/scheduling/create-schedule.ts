import 'server-only';
import { schedules } from '../db/schema';
import type { Database } from '../db/client';
import { type ScheduleChange, type ScheduleWriteOptions, isUniqueViolation, nameTaken } from './schedule-store';
import { type ValidationContext, validateScheduleInput } from './validate-schedule';

export type ScheduleWriteContext = ValidationContext & { database: Database };

/**
 * Creates a schedule from an operator's input (validated first: nothing is saved for a bad one).
 * A duplicate name is a 409 on `name`. Every process picks the schedule up within its poll interval.
 */
export async function createSchedule(
  context: ScheduleWriteContext,
  input: unknown,
  actor: string,
  options: Pick<ScheduleWriteOptions, 'inTransaction'> = {},
): Promise<ScheduleChange> {
  const values = validateScheduleInput(input, context);
  try {
    return await context.database.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(schedules)
        .values({ ...values, createdBy: actor, updatedBy: actor })
        .returning();
      const change = { before: null, after: row! };
      await options.inTransaction?.(tx, change);
      return change;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'schedules_name_unique')) throw nameTaken(values.name);
    throw error;
  }
}
