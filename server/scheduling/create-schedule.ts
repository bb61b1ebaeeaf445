import 'server-only';
import { schedules } from '../db/schema';
import type { Database } from '../db/client';
import { type ScheduleChange, isUniqueViolation, nameTaken } from './schedule-store';
import { type ValidationContext, validateScheduleInput } from './validate-schedule';

export type ScheduleWriteContext = ValidationContext & { database: Database };

/**
 * Creates a schedule from an operator's input (validated first: nothing is saved for a bad one).
 * A duplicate name is a 409 on `name`. Every process picks the schedule up within its poll interval.
 */
export async function createSchedule(context: ScheduleWriteContext, input: unknown, actor: string): Promise<ScheduleChange> {
  const values = validateScheduleInput(input, context);
  try {
    const [row] = await context.database.db
      .insert(schedules)
      .values({ ...values, createdBy: actor, updatedBy: actor })
      .returning();
    return { before: null, after: row! };
  } catch (error) {
    if (isUniqueViolation(error, 'schedules_name_unique')) throw nameTaken(values.name);
    throw error;
  }
}
