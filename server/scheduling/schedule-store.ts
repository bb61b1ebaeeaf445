import 'server-only';
import { asc, eq, sql } from 'drizzle-orm';
import type { Database, Db } from '../db/client';
import { type Schedule, schedules } from '../db/schema';
import { AppError } from '../errors';

/** What a change did, for the audit log: the row before and after (null when created / deleted). */
export type ScheduleChange = { before: Schedule | null; after: Schedule | null };

export type ScheduleWriteOptions = {
  /** The version the editor saw (If-Match): a change of a row that has moved on since is refused with 412. */
  ifMatch?: number;
  /** Written in the change's own transaction (its audit entry): the change and it are kept, or neither. */
  inTransaction?: (tx: Db, change: ScheduleChange) => Promise<void>;
};

export async function findSchedule(database: Database, id: number): Promise<Schedule | undefined> {
  if (!Number.isSafeInteger(id) || id < 1) return undefined;
  const [row] = await database.db.select().from(schedules).where(eq(schedules.id, id));
  return row;
}

/** The schedule, or a 404 AppError naming the id. */
export async function requireSchedule(database: Database, id: number): Promise<Schedule> {
  const row = await findSchedule(database, id);
  if (!row) throw new AppError('not_found', `No schedule with id ${id}`, { field: 'id' });
  return row;
}

export async function loadSchedules(database: Database): Promise<Schedule[]> {
  return database.db.select().from(schedules).orderBy(asc(schedules.name));
}

/**
 * A cheap fingerprint of the schedules table that changes with every create, edit, pause, resume
 * and delete (each sets updated_at; a delete changes the count and the id sum). Processes poll it
 * to notice changes made through another process.
 */
export async function schedulesVersion(database: Database): Promise<string> {
  const [row] = await database.rows<{ version: string }>(sql`
    select count(*)::text || ':' || coalesce(sum(id), 0)::text || ':' || coalesce(max(updated_at)::text, '-') as version
    from schedules`);
  return row!.version;
}

/** The slot of the schedule's latest recorded fire (any outcome), or null. */
export async function lastFireSlot(database: Database, scheduleId: number): Promise<Date | null> {
  const [row] = await database.rows<{ ms: number | null }>(sql`
    select (extract(epoch from max(slot_at)) * 1000)::float8 as ms from schedule_fires where schedule_id = ${scheduleId}`);
  return row?.ms == null ? null : new Date(Number(row.ms));
}

/** Whether a database error is a unique-key violation (drizzle wraps the driver's error). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e = error as { code?: string; constraint_name?: string; constraint?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505') return constraint === undefined || (e.constraint_name ?? e.constraint) === constraint;
  }
  return false;
}

export function nameTaken(name: string): AppError {
  return new AppError('conflict', `A schedule named "${name}" already exists; choose another name`, { field: 'name' });
}
