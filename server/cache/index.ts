import 'server-only';
import type { Config } from '../config';
import type { Cache } from './cache';
import { MemoryCache } from './memory-cache';
import { RedisCache } from './redis-cache';

export type { Cache, CacheEntry, CacheHealth, WriteResult } from './cache';
export { CacheError } from './cache';

/** Opens the cache the configuration names. Redis connects in the background: a Redis that is
 * down at start makes the cache unhealthy, not the app unable to start. */
export function openCache(config: Config['cache']): Cache {
  switch (config.kind) {
    case 'memory':
      return new MemoryCache({ maxBytes: config.maxBytes, keyPrefix: config.keyPrefix });
    case 'redis':
      return new RedisCache({ kind: 'redis', url: config.url }, { keyPrefix: config.keyPrefix, commandTimeoutMs: config.commandTimeoutMs });
    case 'redis-cluster':
      return new RedisCache({ kind: 'redis-cluster', nodes: config.nodes, url: config.url }, { keyPrefix: config.keyPrefix, commandTimeoutMs: config.commandTimeoutMs });
  }
}
