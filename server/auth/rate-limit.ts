import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';

/** A fixed-window limit: at most `limit` hits on `key` per window of `windowSeconds`. */
export type RateLimitRule = { key: string; limit: number; windowSeconds: number };

export type RateLimitHit = { count: number; allowed: boolean; retryAfterSeconds: number };

// Windows are aligned to the epoch by the database's clock, so every process agrees on them.
const windowStart = (seconds: number) => sql`to_timestamp(floor(extract(epoch from now()) / ${seconds}::int) * ${seconds}::int)`;

/**
 * Takes one hit on a rule if the window has room, in one statement (concurrent hits from any
 * number of processes each get their own count). A hit beyond the limit writes nothing: the row
 * is left as it is, so a flood of refused requests costs no writes. Rows carry their window's end
 * as `expires_at` and are swept by pruneExpiredRateLimits.
 */
export async function takeRateLimit(database: Database, rule: RateLimitRule): Promise<RateLimitHit> {
  const start = windowStart(rule.windowSeconds);
  const [taken] = await database.rows<{ count: number; retry_after: number }>(sql`
    insert into rate_limits as r (key, window_start, count, expires_at)
    values (${rule.key}, ${start}, 1, ${start} + ${rule.windowSeconds}::int * interval '1 second')
    on conflict (key) do update set
      count = case when r.window_start = excluded.window_start then r.count + 1 else 1 end,
      window_start = excluded.window_start,
      expires_at = excluded.expires_at
    where r.window_start <> excluded.window_start or r.count < ${rule.limit}::int
    returning r.count::int as count, ${retryAfter(rule.windowSeconds)} as retry_after`);
  if (taken) return { count: taken.count, allowed: taken.count <= rule.limit, retryAfterSeconds: taken.retry_after };
  return { count: rule.limit + 1, allowed: false, retryAfterSeconds: await secondsLeft(database, rule.windowSeconds) };
}

/** How many hits the rule's current window holds, without taking one. */
export async function peekRateLimit(database: Database, rule: RateLimitRule): Promise<RateLimitHit> {
  const [row] = await database.rows<{ count: number; retry_after: number }>(sql`
    select coalesce((select count from rate_limits where key = ${rule.key} and window_start = ${windowStart(rule.windowSeconds)}), 0)::int as count,
           ${retryAfter(rule.windowSeconds)} as retry_after`);
  return { count: row!.count, allowed: row!.count < rule.limit, retryAfterSeconds: row!.retry_after };
}

/** Gives back one hit of the current window (an attempt that turned out not to count). */
export async function undoRateLimitHit(database: Database, rule: RateLimitRule): Promise<void> {
  await database.rows(sql`
    update rate_limits set count = greatest(count - 1, 0)
    where key = ${rule.key} and window_start = ${windowStart(rule.windowSeconds)} and count > 0`);
}

export async function clearRateLimit(database: Database, key: string): Promise<void> {
  await database.rows(sql`delete from rate_limits where key = ${key}`);
}

/** Drops counters whose window has ended (run every minute by the server; each row expires on its own). */
export async function pruneExpiredRateLimits(database: Database): Promise<number> {
  const rows = await database.rows<{ key: string }>(sql`delete from rate_limits where expires_at <= now() returning key`);
  return rows.length;
}

function retryAfter(windowSeconds: number) {
  return sql`greatest(1, ceil(extract(epoch from (${windowStart(windowSeconds)} + ${windowSeconds}::int * interval '1 second' - now()))))::int`;
}

async function secondsLeft(database: Database, windowSeconds: number): Promise<number> {
  const [row] = await database.rows<{ retry_after: number }>(sql`select ${retryAfter(windowSeconds)} as retry_after`);
  return row!.retry_after;
}
