import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { intArray, isoTimestamp } from '../../db/sql-fragments';
import { liveSessionFilter } from './live-session-filter';

/**
 * The shop's session value of each user (the `User:session:{userId}` key family), as JSON text:
 * `{userId, user: {id, name, email}, session: {id, createdAt, lastSeenAt, expiresAt}, cart}` where
 * the session is the user's live one (not expired at `now`) seen last, and `cart` its cart as stored.
 *
 * One entry per user id, in the order given; null when the user is unknown or holds no live session.
 * ONE query (none for no ids): a lateral lookup per user on shop_sessions_user_idx.
 */
export async function loadSessionsJson(database: Database, userIds: readonly number[], now: Date): Promise<(string | null)[]> {
  if (userIds.length === 0) return [];
  const rows = await database.rows<{ id: number; json: string }>(sql`
    select u.id, json_build_object(
      'userId', u.id,
      'user', json_build_object('id', u.id, 'name', u.name, 'email', u.email),
      'session', json_build_object(
        'id', s.id,
        'createdAt', ${isoTimestamp(sql`s.created_at`)},
        'lastSeenAt', ${isoTimestamp(sql`s.last_seen_at`)},
        'expiresAt', ${isoTimestamp(sql`s.expires_at`)}),
      'cart', s.cart
    )::text as json
    from shop_users u
    cross join lateral (
      select s.id, s.created_at, s.last_seen_at, s.expires_at, s.cart
      from shop_sessions s
      where s.user_id = u.id and ${liveSessionFilter(now)}
      order by s.last_seen_at desc, s.id desc
      limit 1
    ) s
    where u.id = any(${intArray(userIds)})`);
  const byId = new Map(rows.map((row) => [row.id, row.json]));
  return userIds.map((id) => byId.get(id) ?? null);
}
