import { afterEach, describe, expect, it } from 'vitest';
import { freshnessMarkerKey } from '@/server/cache/freshness-marker';
import { RedisCache } from '@/server/cache/redis-cache';
import { TEST_REDIS_URL } from '../../support/env';
import { deleteKeysWithPrefix, rawRedis, uniquePrefix } from '../../support/redis';

/**
 * The freshness guard's watermark on a standalone Redis (server/cache/redis-scripts.ts
 * GUARDED_SET_MANY_SCRIPT): a run batch reads no key's marker while no re-warm has marked
 * a key at or after its position, and reads them all as soon as one has.
 */
describe('the freshness guard’s watermark (standalone Redis)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0)) await fn();
  });

  async function setUp() {
    const prefix = uniquePrefix('watermark');
    const cache = new RedisCache({ kind: 'redis', url: TEST_REDIS_URL }, { keyPrefix: prefix });
    await cache.ready();
    const raw = rawRedis();
    const latest = `kiln-fresh-latest:{${prefix}}`;
    cleanups.push(async () => {
      await raw.unlink(latest, freshnessMarkerKey(`${prefix}a`), freshnessMarkerKey(`${prefix}b`), freshnessMarkerKey(`${prefix}c`));
      raw.disconnect();
      await cache.close();
      await deleteKeysWithPrefix(prefix);
    });
    return { prefix, cache, raw, latest };
  }

  it('no re-warm since the batch read its position: the markers are not read (one set behind Kiln’s back goes unseen)', async () => {
    const { prefix, cache, raw } = await setUp();
    // A marker no re-warm of this Kiln wrote (it raises the watermark first): proof that the write did not look.
    await raw.set(freshnessMarkerKey(`${prefix}a`), '9000', 'EX', 60);
    expect(await cache.setMany([{ key: 'a', value: 'batch', ttlSeconds: 60 }], { version: '5000' })).toEqual([{ ok: true }]);
    expect(await cache.get('a')).toBe('batch');
  });

  it('a re-warm at or after the batch’s position raises the watermark first: every key’s marker is read, the changed key is left alone', async () => {
    const { cache, raw, latest } = await setUp();
    await cache.refreshMany([{ key: 'a', value: 'changed', ttlSeconds: 60, always: true }], { version: '9000', markerTtlSeconds: 30, markAll: false });
    expect(await raw.get(latest)).toBe('9000');
    const reply = await cache.setMany(
      ['a', 'b'].map((key) => ({ key, value: 'batch', ttlSeconds: 60 })),
      { version: '5000' },
    );
    expect(reply).toEqual([{ ok: true, superseded: true }, { ok: true }]);
    expect(await cache.getMany(['a', 'b'])).toEqual(['changed', 'batch']);
    // A batch that read its position after the change: below it, the watermark lets it write.
    expect(await cache.setMany([{ key: 'a', value: 'later', ttlSeconds: 60 }], { version: '9001' })).toEqual([{ ok: true }]);
    expect(await cache.get('a')).toBe('later');
  });

  it('the watermark keeps the highest version and outlives every marker it covers', async () => {
    const { prefix, cache, raw, latest } = await setUp();
    await cache.refreshMany([{ key: 'a', value: 'x', ttlSeconds: 60, always: true }], { version: '9000', markerTtlSeconds: 120, markAll: false });
    await cache.refreshMany([{ key: 'b', value: 'y', ttlSeconds: 60, always: true }], { version: '7000', markerTtlSeconds: 20, markAll: false });
    expect(await raw.get(latest)).toBe('9000');
    const left = await raw.pttl(latest);
    expect(left).toBeGreaterThan(await raw.pttl(freshnessMarkerKey(`${prefix}a`)));
    expect(left).toBeGreaterThan(119_000);
    // A batch between the two versions: b's marker (7000) is below it, a's (9000) is not.
    expect(await cache.setMany(['a', 'b'].map((key) => ({ key, value: 'batch', ttlSeconds: 60 })), { version: '8000' })).toEqual([{ ok: true, superseded: true }, { ok: true }]);
  });

  it('a watermark it cannot read (another type under its name): every marker is read', async () => {
    const { prefix, cache, raw, latest } = await setUp();
    await raw.hset(latest, 'not', 'a version');
    await raw.set(freshnessMarkerKey(`${prefix}c`), '9000', 'EX', 60);
    expect(await cache.setMany([{ key: 'c', value: 'batch', ttlSeconds: 60 }], { version: '5000' })).toEqual([{ ok: true, superseded: true }]);
  });
});
