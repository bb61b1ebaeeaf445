import 'server-only';
import type { SQL } from 'drizzle-orm';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import type { Logger } from '../logger';
import type { ReadCounter } from './read-counter';
import { READ_FAMILY_INFO } from './read-families';
import type { ShopRead } from './shop-read';
import type { StrategySettingsCache } from './strategy-settings-cache';

export type CacheAsideDeps = {
  cache: Cache;
  database: Database;
  counter: ReadCounter;
  settings: StrategySettingsCache;
  logger?: Logger;
};

export type ReadResult = { value: string | null; hit: boolean };

/**
 * A cache-aside read: the cached value when there is one (a hit); otherwise the context's load,
 * written to the cache with the TTL in force of the strategies that warm the key, and returned
 * (a miss, counted with the queries the load actually made). Nothing found is not cached: the
 * keys are the shop's contract and its other readers expect a value there, never a marker of
 * absence, and a session that appears a moment later must be found at once.
 *
 * A cache that fails is read around (the database answers, counted as a miss), so the shop keeps
 * serving while Redis is away; a failed cache write only loses the next hit.
 */
export async function readThrough(deps: CacheAsideDeps, read: ShopRead): Promise<ReadResult> {
  let cacheUp = true;
  try {
    const cached = await deps.cache.get(read.key);
    if (cached !== null) {
      deps.counter.record(read.family, true);
      return { value: cached, hit: true };
    }
  } catch (error) {
    cacheUp = false;
    warnNow(deps.logger, error, 'Reading the cache failed; answering from the database');
  }

  let queries = 0;
  // Counts the queries this load makes: the loaders query through rows(). Measured, so the
  // "queries a miss costs" in the statistics cannot drift from what the loaders really do.
  const counting: Database = {
    ...deps.database,
    rows: <T extends Record<string, unknown>>(query: SQL) => {
      queries++;
      return deps.database.rows<T>(query);
    },
  };
  let value: string | null;
  try {
    value = await read.load({ database: counting, now: new Date(), optionsOf: (name) => deps.settings.optionsOf(name) });
  } finally {
    deps.counter.record(read.family, false, queries);
  }
  if (value !== null && cacheUp) {
    try {
      const ttlSeconds = await deps.settings.ttlFor(READ_FAMILY_INFO[read.family].strategies);
      await deps.cache.set(read.key, value, ttlSeconds);
    } catch (error) {
      warnNow(deps.logger, error, 'Writing a loaded value to the cache failed');
    }
  }
  return { value, hit: false };
}

let lastWarning = 0;

/** At most one warning every 10 s: at 500 reads a second a down cache must not flood the log. */
function warnNow(logger: Logger | undefined, error: unknown, message: string): void {
  const now = Date.now();
  if (now - lastWarning < 10_000) return;
  lastWarning = now;
  logger?.warn({ err: error }, message);
}
