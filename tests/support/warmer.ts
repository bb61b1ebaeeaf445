import pino from 'pino';
import { onTestFinished } from 'vitest';
import type { Cache } from '@/server/cache/cache';
import { RedisCache } from '@/server/cache/redis-cache';
import type { Database } from '@/server/db/client';
import { StrategyRegistry } from '@/server/warmup/registry';
import type { WarmupStrategy } from '@/server/warmup/strategy';
import { Warmer } from '@/server/warmup/warmer';
import { TEST_REDIS_URL } from './env';
import { deleteKeysWithPrefix, uniquePrefix } from './redis';

/** A Redis cache under a prefix of its own, closed and emptied when the test ends. */
export async function useTestRedisCache(label = 'warm'): Promise<{ cache: RedisCache; prefix: string }> {
  const prefix = uniquePrefix(label);
  const cache = new RedisCache({ kind: 'redis', url: TEST_REDIS_URL }, { keyPrefix: prefix });
  await cache.ready();
  onTestFinished(async () => {
    await cache.close();
    await deleteKeysWithPrefix(prefix);
  });
  return { cache, prefix };
}

/** A warmer over the given strategies, as one process of Kiln would have it. */
export function testWarmer(database: Database, cache: Cache, strategies: WarmupStrategy[], owner = `test:${Math.random().toString(36).slice(2, 8)}`): Warmer {
  const registry = new StrategyRegistry();
  for (const s of strategies) registry.register(s);
  const warmer = new Warmer({ database, cache, registry, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), owner });
  onTestFinished(() => warmer.shutdown(5000, 2000));
  return warmer;
}
