import { onTestFinished } from 'vitest';
import type { Cache } from '@/server/cache/cache';
import { RedisCache } from '@/server/cache/redis-cache';
import type { Database } from '@/server/db/client';
import type { WarmupStrategy } from '@/server/warmup/strategy';
import type { Warmer } from '@/server/warmup/warmer';
import { TEST_REDIS_URL } from './env';
import { deleteKeysWithPrefix, uniquePrefix } from './redis';
import { startTestRuntime } from './runtime';

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

/**
 * The warmer of a Kiln process over the given strategies (its own workers included), as the
 * composition root builds it. Several of them on one database are several processes.
 */
export async function testWarmer(
  database: Database,
  cache: Cache,
  strategies: WarmupStrategy[],
  owner = `test:${Math.random().toString(36).slice(2, 8)}`,
  env: Record<string, string> = {},
): Promise<Warmer> {
  return (await startTestRuntime(database, { cache, strategies, owner, env })).warmer;
}
