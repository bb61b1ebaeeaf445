import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cache } from '@/server/cache/cache';
import { RedisCache } from '@/server/cache/redis-cache';
import { uniquePrefix } from './redis';

/** Deletes every key a (prefixed) cache holds, through the cache itself. */
export async function emptyCache(cache: Cache): Promise<void> {
  for await (const batch of cache.scan('', 1000)) await cache.delete(batch);
}

/**
 * The cache port's contract: whatever Kiln's engine relies on must hold for every adapter
 * (memory, Redis, Redis Cluster). `make` builds an adapter under a key prefix of its own.
 */
export function describeCacheContract(name: string, make: (prefix: string) => Cache): void {
  describe(`the ${name} cache`, () => {
  const prefix = uniquePrefix(`contract-${name.replace(/\W+/g, '-')}`);
  let cache: Cache;

  beforeAll(async () => {
    cache = make(prefix);
    if (cache instanceof RedisCache) await cache.ready();
  });
  afterAll(async () => {
    await emptyCache(cache);
    await cache.close();
  });

  it('returns null for a key it does not hold', async () => {
    expect(await cache.get('missing')).toBeNull();
    expect(await cache.exists('missing')).toBe(false);
    expect(await cache.ttlMs('missing')).toBeNull();
  });

  it('gives back what was set, with the TTL it was set with', async () => {
    await cache.set('Product:id:1', '{"id":1}', 120);
    expect(await cache.get('Product:id:1')).toBe('{"id":1}');
    expect(await cache.exists('Product:id:1')).toBe(true);
    const ttl = await cache.ttlMs('Product:id:1');
    expect(ttl).toBeGreaterThan(118_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it('reads many keys in order, with null for the missing ones', async () => {
    await cache.set('many:a', 'A', 60);
    await cache.set('many:c', 'C', 60);
    expect(await cache.getMany(['many:a', 'many:b', 'many:c'])).toEqual(['A', null, 'C']);
    expect(await cache.getMany([])).toEqual([]);
  });

  it('writes a batch with a TTL per entry and reports each outcome', async () => {
    const results = await cache.setMany([
      { key: 'batch:1', value: 'one', ttlSeconds: 30 },
      { key: 'batch:2', value: 'two', ttlSeconds: 3000 },
    ]);
    expect(results).toEqual([{ ok: true }, { ok: true }]);
    const [t1, t2] = await cache.ttlMsMany(['batch:1', 'batch:2', 'batch:none']);
    expect(t1).toBeGreaterThan(28_000);
    expect(t1).toBeLessThanOrEqual(30_000);
    expect(t2).toBeGreaterThan(2_998_000);
    expect(await cache.ttlMsMany(['batch:none'])).toEqual([null]);
  });

  it('fails only the entry with a bad TTL and still writes the rest', async () => {
    const results = await cache.setMany([
      { key: 'badttl:1', value: 'x', ttlSeconds: 0 },
      { key: 'badttl:2', value: 'y', ttlSeconds: 10 },
      { key: 'badttl:3', value: 'z', ttlSeconds: 1.5 },
    ]);
    expect(results[0]).toMatchObject({ ok: false, error: expect.stringContaining('badttl:1') });
    expect(results[1]).toEqual({ ok: true });
    expect(results[2]).toMatchObject({ ok: false });
    expect(await cache.getMany(['badttl:1', 'badttl:2', 'badttl:3'])).toEqual([null, 'y', null]);
  });

  it('writes a large batch in one call', async () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({ key: `large:${i}`, value: `v${i}`, ttlSeconds: 60 }));
    const results = await cache.setMany(entries);
    expect(results.every((r) => r.ok)).toBe(true);
    const values = await cache.getMany(entries.map((e) => e.key));
    expect(values).toEqual(entries.map((e) => e.value));
  });

  it('deletes keys and says how many it removed', async () => {
    await cache.set('del:1', '1', 60);
    await cache.set('del:2', '2', 60);
    expect(await cache.delete(['del:1', 'del:2', 'del:3'])).toBe(2);
    expect(await cache.get('del:1')).toBeNull();
    expect(await cache.delete([])).toBe(0);
  });

  it('measures the memory of the keys it holds, larger values taking more, and null for missing ones', async () => {
    await cache.set('mem:small', 'x'.repeat(10), 60);
    await cache.set('mem:large', 'x'.repeat(5000), 60);
    const [small, large, missing] = await cache.memoryUsageMany(['mem:small', 'mem:large', 'mem:none']);
    expect(small).toBeGreaterThan(10);
    expect(large).toBeGreaterThanOrEqual(5000);
    expect(large! - small!).toBeGreaterThanOrEqual(4990);
    expect(missing).toBeNull();
    expect(await cache.memoryUsageMany([])).toEqual([]);
  });

  it('scans exactly the keys under a prefix, across batches', async () => {
    const keys = Array.from({ length: 230 }, (_, i) => `scan:yes:${i}`);
    await cache.setMany(keys.map((key) => ({ key, value: 'x', ttlSeconds: 60 })));
    await cache.setMany([
      { key: 'scan:no:1', value: 'x', ttlSeconds: 60 },
      { key: 'scan:yes*literal', value: 'x', ttlSeconds: 60 },
    ]);
    const seen: string[] = [];
    for await (const batch of cache.scan('scan:yes:', 50)) seen.push(...batch);
    expect(seen.sort()).toEqual([...keys].sort());
  });

  it('forgets a key when its TTL runs out', async () => {
    await cache.set('expiring', 'soon', 1);
    expect(await cache.get('expiring')).toBe('soon');
    await new Promise((r) => setTimeout(r, 1200));
    expect(await cache.get('expiring')).toBeNull();
    expect(await cache.exists('expiring')).toBe(false);
  });

  it('re-warms on change only where cached unless told, deletes, and leaves a key alone that a newer change wrote', async () => {
    await cache.set('fresh:cached', 'old', 60);
    await cache.set('fresh:gone', 'old', 60);
    const first = await cache.refreshMany(
      [
        { key: 'fresh:cached', value: 'new', ttlSeconds: 90, always: false },
        { key: 'fresh:cold', value: 'new', ttlSeconds: 90, always: false },
        { key: 'fresh:warm-set', value: 'new', ttlSeconds: 90, always: true },
        { key: 'fresh:gone', value: null, ttlSeconds: 90, always: false },
        { key: 'fresh:never', value: null, ttlSeconds: 90, always: false },
      ],
      { version: '2000', markerTtlSeconds: 60, markAll: false },
    );
    expect(first.map((r) => (r.ok ? r.outcome : r.error))).toEqual(['written', 'not_cached', 'written', 'deleted', 'absent']);
    expect(await cache.getMany(['fresh:cached', 'fresh:cold', 'fresh:warm-set', 'fresh:gone'])).toEqual(['new', null, 'new', null]);
    expect(await cache.ttlMs('fresh:cached')).toBeGreaterThan(60_000);
    // An older re-warm arriving late (a consumer that lost the stream) writes nothing.
    const late = await cache.refreshMany([{ key: 'fresh:cached', value: 'older', ttlSeconds: 90, always: true }], { version: '1000', markerTtlSeconds: 60, markAll: false });
    expect(late).toEqual([{ ok: true, outcome: 'superseded' }]);
    expect(await cache.get('fresh:cached')).toBe('new');
  });

  it('guards a run batch\u2019s write: keys re-warmed from its position or later are skipped, others written', async () => {
    await cache.refreshMany([{ key: 'guard:changed', value: 'changed', ttlSeconds: 60, always: true }], { version: '5000', markerTtlSeconds: 60, markAll: false });
    // A run is going: even a key not written gets its marker.
    await cache.refreshMany([{ key: 'guard:cold', value: 'changed', ttlSeconds: 60, always: false }], { version: '5000', markerTtlSeconds: 60, markAll: true });
    const entries = ['guard:changed', 'guard:cold', 'guard:other'].map((key) => ({ key, value: 'batch', ttlSeconds: 60 }));
    expect(await cache.setMany(entries, { version: '4999' })).toEqual([{ ok: true, superseded: true }, { ok: true, superseded: true }, { ok: true }]);
    expect(await cache.getMany(['guard:changed', 'guard:cold', 'guard:other'])).toEqual(['changed', null, 'batch']);
    // A batch that read its position after the change writes as usual.
    expect(await cache.setMany([{ key: 'guard:changed', value: 'later batch', ttlSeconds: 60 }], { version: '5001' })).toEqual([{ ok: true }]);
    expect(await cache.get('guard:changed')).toBe('later batch');
  });

  it('keeps caches with different prefixes apart', async () => {
    const otherPrefix = uniquePrefix(`contract-${name.replace(/\W+/g, '-')}-other`);
    const other = make(otherPrefix);
    try {
      if (other instanceof RedisCache) await other.ready();
      await cache.set('shared-name', 'mine', 60);
      expect(await other.get('shared-name')).toBeNull();
    } finally {
      await emptyCache(other);
      await other.close();
    }
  });

  it('reports itself healthy with a latency', async () => {
    const health = await cache.health();
    expect(health.ok).toBe(true);
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(health.details).toHaveProperty('evictedKeys');
  });
});
}
