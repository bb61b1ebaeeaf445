import { describe, expect, test } from 'vitest';
import { DELAY_BOUNDS_MS, DELAY_BUCKETS, addHistograms, delayBucket, delayPercentile } from '@/lib/freshness';
import { freshnessMarkerKey, hashTag } from '@/server/cache/freshness-marker';
import { parseConfig } from '@/server/config';
import type { Database } from '@/server/db/client';
import { freshnessGuard, markerTtlSeconds } from '@/server/freshness/rewarm-plan';

describe('the delay histogram', () => {
  test('a delay falls in the first bucket whose bound holds it; beyond the last, the overflow bucket', () => {
    expect(delayBucket(0)).toBe(0);
    expect(delayBucket(10)).toBe(0);
    expect(delayBucket(11)).toBe(1);
    expect(delayBucket(999)).toBe(DELAY_BOUNDS_MS.indexOf(1000));
    expect(delayBucket(61_000)).toBe(DELAY_BUCKETS - 1);
  });

  test('percentiles interpolate within their bucket and never pass the maximum seen', () => {
    const h = new Array(DELAY_BUCKETS).fill(0);
    h[delayBucket(150)] = 50; // 100-200 ms
    h[delayBucket(700)] = 50; // 500-750 ms
    expect(delayPercentile(h, 0.5, 720)).toBe(200);
    expect(delayPercentile(h, 0.95, 720)).toBe(720); // 725 capped at the max
    expect(delayPercentile(h, 0.95)).toBe(725);
    expect(delayPercentile(new Array(DELAY_BUCKETS).fill(0), 0.5)).toBeNull();
    const overflow = new Array(DELAY_BUCKETS).fill(0);
    overflow[DELAY_BUCKETS - 1] = 1;
    expect(delayPercentile(overflow, 0.5, 90_000)).toBe(75_000);
  });

  test('histograms add bucket by bucket', () => {
    expect(addHistograms([1, 2], [3]).slice(0, 3)).toEqual([4, 2, 0]);
    expect(addHistograms([], [])).toHaveLength(DELAY_BUCKETS);
  });
});

describe('freshness markers', () => {
  test('a marker shares its key\u2019s Redis Cluster slot: the whole key as its tag, or the key\u2019s own tag', () => {
    expect(freshnessMarkerKey('Product:id:7')).toBe('kiln-fresh:{Product:id:7}');
    expect(hashTag(freshnessMarkerKey('Product:id:7'))).toBe('Product:id:7');
    expect(freshnessMarkerKey('{shop}:Product:id:7')).toBe('kiln-fresh:{shop}:{shop}:Product:id:7');
    expect(hashTag(freshnessMarkerKey('{shop}:Product:id:7'))).toBe('shop');
    expect(hashTag('a{}b')).toBeNull();
  });

  test('a marker outlives the longest a run batch can hold a loaded value', () => {
    expect(markerTtlSeconds(5000)).toBe(300);
    expect(markerTtlSeconds(600_000)).toBe(1860);
  });
});

describe('the freshness guard of runs', () => {
  test('is off without a change stream, and while the database cannot be asked it stands on the last position read', async () => {
    expect(freshnessGuard(parseConfig({ KILN_CHANGE_STREAM: 'off' }), {} as Database)).toBeUndefined();
    let down = true;
    let position = 100;
    const database = {
      rows: async () => {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return [{ position: String(position++) }];
      },
    } as unknown as Database;
    const guard = freshnessGuard(parseConfig({ KILN_CHANGE_STREAM: 'triggers' }), database)!;
    // Nothing read yet: a batch cannot be guarded, so it fails rather than risk overwriting a fresher value.
    await expect(guard()).rejects.toThrow(/ECONNREFUSED/);
    down = false;
    expect(await guard()).toBe('100');
    expect(await guard()).toBe('101');
    down = true;
    expect(await guard()).toBe('101');
  });

  test('a database that hangs (a server going away) holds a batch at most the wait, then the last position stands in', async () => {
    let hang = false;
    const database = {
      rows: () => (hang ? new Promise(() => {}) : Promise.resolve([{ position: '7' }])),
    } as unknown as Database;
    const guard = freshnessGuard(parseConfig({ KILN_CHANGE_STREAM: 'triggers' }), database, 50)!;
    expect(await guard()).toBe('7');
    hang = true;
    const started = performance.now();
    expect(await guard()).toBe('7');
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    // The hung read is still out: the next batch does not wait for it again.
    const next = performance.now();
    expect(await guard()).toBe('7');
    expect(performance.now() - next).toBeLessThan(45);
  });
});
