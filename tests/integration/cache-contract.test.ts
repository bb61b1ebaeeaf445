import { describe, expect, it } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import { RedisCache } from '@/server/cache/redis-cache';
import { TEST_REDIS_URL } from '../support/env';
import { describeCacheContract } from '../support/cache-contract';
import { deleteKeysWithPrefix, rawRedis, uniquePrefix } from '../support/redis';

// One contract, every adapter: tests/support/cache-contract.ts (Redis Cluster: tests/faults/redis-cluster.test.ts).
describeCacheContract('memory', (prefix) => new MemoryCache({ maxBytes: 64 * 1024 * 1024, keyPrefix: prefix }));
describeCacheContract('redis', (prefix) => new RedisCache({ kind: 'redis', url: TEST_REDIS_URL }, { keyPrefix: prefix }));

describe('the redis cache, beyond the shared contract', () => {
  it('does not overwrite a key of another type and fails only that entry', async () => {
    const prefix = uniquePrefix('wrongtype');
    const cache = new RedisCache({ kind: 'redis', url: TEST_REDIS_URL }, { keyPrefix: prefix });
    const raw = rawRedis();
    try {
      await cache.ready();
      await raw.hset(`${prefix}Product:id:7`, 'owner', 'someone else');
      const results = await cache.setMany([
        { key: 'Product:id:6', value: '6', ttlSeconds: 60 },
        { key: 'Product:id:7', value: '7', ttlSeconds: 60 },
        { key: 'Product:id:8', value: '8', ttlSeconds: 60 },
      ]);
      expect(results[0]).toEqual({ ok: true });
      expect(results[1]).toMatchObject({ ok: false, error: expect.stringMatching(/WRONGTYPE/) });
      expect(results[2]).toEqual({ ok: true });
      expect(await raw.hget(`${prefix}Product:id:7`, 'owner')).toBe('someone else');
    } finally {
      await cache.close();
      raw.disconnect();
      await deleteKeysWithPrefix(prefix);
    }
  });

  it('fails fast with a clear error when Redis is unreachable, and says so in health', async () => {
    // Port 1 on loopback: nothing listens there, connections are refused at once.
    const cache = new RedisCache({ kind: 'redis', url: 'redis://127.0.0.1:1' }, { commandTimeoutMs: 1000 });
    try {
      const started = Date.now();
      await expect(cache.setMany([{ key: 'k', value: 'v', ttlSeconds: 10 }])).rejects.toThrow(/not connected|unreachable|ECONNREFUSED/);
      expect(Date.now() - started).toBeLessThan(2000);
      const health = await cache.health();
      expect(health.ok).toBe(false);
      expect(health.error).toBeTruthy();
    } finally {
      await cache.close();
    }
  });
});

describe('the memory cache, beyond the shared contract', () => {
  it('stays within its byte budget by evicting the least recently used keys', async () => {
    const cache = new MemoryCache({ maxBytes: 100_000 });
    const value = 'x'.repeat(1000);
    for (let i = 0; i < 200; i++) await cache.set(`k${i}`, value, 60);
    const health = await cache.health();
    expect(Number(health.details.usedBytes)).toBeLessThanOrEqual(100_000);
    expect(Number(health.details.evictedKeys)).toBeGreaterThan(0);
    expect(await cache.get('k0')).toBeNull();
    expect(await cache.get('k199')).toBe(value);
  });
});
