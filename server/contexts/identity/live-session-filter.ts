import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import { timestamptz } from '../../db/sql-fragments';

/** A session (aliased `s`) that has not expired at `now`. */
export function liveSessionFilter(now: Date): SQL {
  return sql`s.expires_at > ${timestamptz(now)}`;
}
