import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { timestamptz } from '../../db/sql-fragments';
import { liveSessionFilter } from './live-session-filter';

/**
 * Users active in the `activeWithinMinutes` minutes up to `now` who hold a live session, by id:
 * the ones about to make requests that need their session. ONE query.
 */
export async function loadActiveSessionUserIds(
  database: Database,
  options: { now: Date; activeWithinMinutes: number },
): Promise<number[]> {
  const since = new Date(options.now.getTime() - options.activeWithinMinutes * 60_000);
  const rows = await database.rows<{ id: number }>(sql`
    select u.id
    from shop_users u
    where u.last_active_at > ${timestamptz(since)} and u.last_active_at <= ${timestamptz(options.now)}
      and exists (select 1 from shop_sessions s where s.user_id = u.id and ${liveSessionFilter(options.now)})
    order by u.id`);
  return rows.map((row) => row.id);
}
