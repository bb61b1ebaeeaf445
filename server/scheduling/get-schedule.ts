import 'server-only';
import type { Database } from '../db/client';
import { type ScheduleView, buildScheduleViews } from './schedule-view';
import { requireSchedule } from './schedule-store';

/** One schedule's view; a 404 AppError when there is none with this id. */
export async function getSchedule(database: Database, id: number, options: { now?: Date } = {}): Promise<ScheduleView> {
  const [view] = await buildScheduleViews(database, [await requireSchedule(database, id)], options.now);
  return view!;
}
