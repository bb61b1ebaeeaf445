import 'server-only';
import type { Database } from '../db/client';
import { type ScheduleView, buildScheduleViews } from './schedule-view';
import { loadSchedules } from './schedule-store';

/** Every schedule by name, each with its next fire time, its last outcome and its recent missed slots. */
export async function listSchedules(database: Database, options: { now?: Date } = {}): Promise<ScheduleView[]> {
  return buildScheduleViews(database, await loadSchedules(database), options.now);
}
