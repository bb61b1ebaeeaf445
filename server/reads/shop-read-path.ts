import 'server-only';
import type { Cache } from '../cache/cache';
import { ShopReads } from '../contexts/shop-reads';
import type { Database } from '../db/client';
import { ClientRateLimiter } from '../http/client-rate-limiter';
import type { Logger } from '../logger';
import type { StrategyRegistry } from '../warmup/registry';
import { ReadCounter } from './read-counter';
import { StrategySettingsCache } from './strategy-settings-cache';

/**
 * The shop's read path in one process: cache-aside reads through the keys the strategies warm, the
 * counter of hits, misses and database queries per key family (flushed to `cache_reads`), and the
 * per-address rate limit of the public read routes.
 */
export type ShopReadPath = {
  reads: ShopReads;
  counter: ReadCounter;
  limiter: ClientRateLimiter;
};

export function createShopReadPath(deps: {
  /** Kiln's database: read counts, strategy settings. */
  database: Database;
  /** The shop's primary (SHOP_DATABASE_URL; default: `database`): what a read that misses loads from. */
  shopDatabase?: Database;
  cache: Cache;
  registry: StrategyRegistry;
  logger?: Logger;
  perSecond: number;
}): ShopReadPath {
  const { database, cache, registry, logger } = deps;
  const counter = new ReadCounter(database, { logger });
  const settings = new StrategySettingsCache(database, registry);
  return {
    reads: new ShopReads({ cache, database: deps.shopDatabase ?? database, counter, settings, logger }),
    counter,
    limiter: new ClientRateLimiter({ perSecond: deps.perSecond }),
  };
}
