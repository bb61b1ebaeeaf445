import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';

/** A fixed-window limit: at most `limit` hits on `key` per window of `windowSeconds`. */
export type RateLimitRule = { key: string; limit: number; windowSeconds: number };

export type RateLimitHit = { count: number; allowed: boolean; retryAfterSeconds: number };

// Windows are aligned to the epoch by the database's clock, so every process agrees on them.
const windowStart = (seconds: number) => sql`to_timestamp(floor(extract(epoch from now()) / ${seconds}::int) * ${seconds}::int)`;

/**
 * Counts one hit in the rate_limits table and says whether it is within the limit. One upsert
 * statement: concurrent hits from any number of processes each get their own count, and a row
 * left from an earlier window starts again at 1.
 */
export async function hitRateLimit(database: Database, rule: RateLimitRule): Promise<RateLimitHit> {
  const [row] = await database.rows<{ count: number; retry_after: number }>(sql`
    insert into rate_limits as r (key, window_start, count)
    values (${rule.key}, ${windowStart(rule.windowSeconds)}, 1)
    on conflict (key) do update set
      count = case when r.window_start = excluded.window_start then r.count + 1 else 1 end,
      window_start = excluded.window_start
    returning r.count::int as count,
      greatest(1, ceil(extract(epoch from (r.window_start + ${rule.windowSeconds}::int * interval '1 second' - now()))))::int as retry_after`);
  const count = row!.count;
  return { count, allowed: count <= rule.limit, retryAfterSeconds: row!.retry_after };
}

/** Takes back one hit of the current window (an attempt that turned out not to count). */
export async function undoRateLimitHit(database: Database, rule: RateLimitRule): Promise<void> {
  await database.rows(sql`
    update rate_limits set count = greatest(count - 1, 0)
    where key = ${rule.key} and window_start = ${windowStart(rule.windowSeconds)}`);
}

export async function clearRateLimit(database: Database, key: string): Promise<void> {
  await database.rows(sql`delete from rate_limits where key = ${key}`);
}

/** Drops counters whose window ended long ago (keys for made-up emails would otherwise pile up). */
export async function pruneRateLimits(database: Database, olderThanSeconds: number): Promise<void> {
  await database.rows(sql`delete from rate_limits where window_start < now() - ${olderThanSeconds}::int * interval '1 second'`);
}
