import { describe, expect, it } from 'vitest';
import type { Cache } from '@/server/cache/cache';
import { MemoryCache } from '@/server/cache/memory-cache';
import type { Database } from '@/server/db/client';
import { type StrategyProgress, type WarmOptions, warmStrategy } from '@/server/warmup/engine';
import { CacheBreaker } from '@/server/warmup/cache-breaker';
import { ConcurrencyLimiter } from '@/server/warmup/limiter';
import { fakeStrategy, resolved, sleep } from '../support/fake-strategy';

const keys = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => `${prefix}:${i}`);

function options(cache: Cache, overrides: Partial<WarmOptions> = {}): WarmOptions {
  return {
    cache,
    database: {} as Database,
    limiter: new ConcurrencyLimiter(overrides.limiter?.concurrency ?? 4),
    signal: new AbortController().signal,
    batchSize: 10,
    loadTimeoutMs: 1000,
    onlyMissing: false,
    dryRun: false,
    now: new Date(),
    ...overrides,
  };
}

const memory = () => new MemoryCache({ maxBytes: 16 * 1024 * 1024 });

describe('warmStrategy', () => {
  it('warms every key with the strategy TTL and counts them', async () => {
    const cache = memory();
    const strategy = fakeStrategy({ keys: keys(25), ttlSeconds: 300 });
    const stats = await warmStrategy(resolved(strategy), options(cache));
    expect(stats).toMatchObject({ outcome: 'succeeded', total: 25, warmed: 25, skipped: 0, failed: 0, successRate: 1 });
    expect(await cache.get('k:7')).toBe('{"key":"k:7"}');
    const ttl = await cache.ttlMs('k:7');
    expect(ttl).toBeGreaterThan(298_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
  });

  it('keeps loads in flight at or under the limit, also after the limit is lowered mid-run', async () => {
    let inFlight = 0;
    const samples: { inFlight: number; limit: number }[] = [];
    const limiter = new ConcurrencyLimiter(8);
    const strategy = fakeStrategy({
      keys: keys(200),
      value: async (key) => {
        await sleep(2);
        return key;
      },
      onLoadStart: () => {
        inFlight++;
        samples.push({ inFlight, limit: limiter.concurrency });
      },
      onLoadEnd: () => inFlight--,
    });
    const run = warmStrategy(resolved(strategy), options(memory(), { limiter }));
    await sleep(15);
    limiter.concurrency = 2;
    const loweredAt = samples.length;
    const stats = await run;
    expect(stats.warmed).toBe(200);
    expect(Math.max(...samples.map((s) => s.inFlight))).toBe(8);
    // Loads already running when the limit dropped finish; once they have, at most 2 run at a time.
    const afterDrain = samples.slice(loweredAt + 8);
    expect(afterDrain.length).toBeGreaterThan(100);
    expect(Math.max(...afterDrain.map((s) => s.inFlight))).toBeLessThanOrEqual(2);
    expect(limiter.activeCount).toBe(0);
  });

  it('counts batch loads against the same limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const strategy = fakeStrategy({
      keys: keys(500),
      batch: true,
      value: async (key) => {
        await sleep(3);
        return key;
      },
      onLoadStart: () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
      },
      onLoadEnd: () => inFlight--,
    });
    const stats = await warmStrategy(resolved(strategy), options(memory(), { limiter: new ConcurrencyLimiter(3) }));
    expect(stats.warmed).toBe(500);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it('counts keys without data as skipped, apart from the success rate (skips are not failures)', async () => {
    const strategy = fakeStrategy({ keys: keys(10), value: (key) => (key.endsWith(':3') || key.endsWith(':7') ? null : key) });
    const cache = memory();
    const stats = await warmStrategy(resolved(strategy), options(cache));
    expect(stats).toMatchObject({ outcome: 'succeeded', total: 10, warmed: 8, skipped: 2, failed: 0, successRate: 1 });
    expect(await cache.exists('k:3')).toBe(false);
  });

  it('isolates a failing key: the others are warmed and the run is partial', async () => {
    const strategy = fakeStrategy({
      keys: keys(10),
      value: (key) => {
        if (key === 'k:4') throw new Error('product 4 is corrupt');
        return key;
      },
    });
    const failures: [string, string][] = [];
    const stats = await warmStrategy(resolved(strategy), options(memory(), { onFailure: (k, e) => failures.push([k, e]) }));
    expect(stats).toMatchObject({ outcome: 'partial', warmed: 9, failed: 1, successRate: 0.9 });
    expect(stats.firstErrors).toEqual([{ key: 'k:4', error: 'product 4 is corrupt' }]);
    expect(failures).toEqual([['k:4', 'product 4 is corrupt']]);
  });

  it('falls back to one key at a time when a batch query fails, so only the bad key fails', async () => {
    const base = fakeStrategy({ keys: keys(30), value: (key) => {
      if (key === 'k:12') throw new Error('bad row');
      return key;
    } });
    const strategy = { ...base, loadMany: async (ks: readonly string[]) => {
      if (ks.includes('k:12')) throw new Error('batch query failed');
      return ks.map((k) => k);
    } };
    const stats = await warmStrategy(resolved(strategy), options(memory()));
    expect(stats).toMatchObject({ warmed: 29, failed: 1, outcome: 'partial' });
    expect(stats.firstErrors[0]).toEqual({ key: 'k:12', error: 'bad row' });
  });

  it('fails a load that takes longer than the timeout and frees its slot', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const strategy = fakeStrategy({ keys: keys(4), value: async (key) => {
      if (key === 'k:1') await sleep(10_000);
      return key;
    } });
    const started = Date.now();
    const stats = await warmStrategy(resolved(strategy), options(memory(), { limiter, loadTimeoutMs: 50 }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(stats).toMatchObject({ warmed: 3, failed: 1 });
    expect(stats.firstErrors[0]!.error).toBe('loading k:1 timed out after 50 ms');
    expect(limiter.activeCount).toBe(0);
  });

  it('starts no new loads after a cancel and ends cancelled with the partial counts', async () => {
    const controller = new AbortController();
    let loads = 0;
    let loadsAfterCancel = 0;
    const strategy = fakeStrategy({
      keys: keys(1000),
      value: async (key) => {
        loads++;
        if (controller.signal.aborted) loadsAfterCancel++;
        if (loads === 50) controller.abort();
        await sleep(1);
        return key;
      },
    });
    const stats = await warmStrategy(resolved(strategy), options(memory(), { signal: controller.signal, limiter: new ConcurrencyLimiter(4) }));
    expect(stats.outcome).toBe('cancelled');
    expect(loadsAfterCancel).toBe(0);
    expect(stats.warmed).toBeGreaterThanOrEqual(45);
    expect(stats.warmed).toBeLessThan(100);
    expect(stats.warmed + stats.skipped + stats.failed).toBe(stats.total);
  });

  it('only counts keys in a dry run, writing nothing', async () => {
    let loads = 0;
    const cache = memory();
    const strategy = fakeStrategy({ keys: keys(37), value: (k) => {
      loads++;
      return k;
    } });
    const stats = await warmStrategy(resolved(strategy), options(cache, { dryRun: true }));
    expect(stats).toMatchObject({ outcome: 'succeeded', total: 37, warmed: 0, dryRun: true });
    expect(loads).toBe(0);
    expect(await cache.exists('k:0')).toBe(false);
  });

  it('in only-missing mode skips keys with more than half their TTL left and rewarms the rest', async () => {
    const cache = memory();
    await cache.set('k:0', 'fresh', 600); // all of its 600 s left: skipped
    await cache.set('k:1', 'stale', 200); // a third left: rewarmed
    const strategy = fakeStrategy({ keys: keys(3), ttlSeconds: 600 });
    const stats = await warmStrategy(resolved(strategy), options(cache, { onlyMissing: true }));
    expect(stats).toMatchObject({ total: 3, warmed: 2, skipped: 1, failed: 0 });
    expect(await cache.get('k:0')).toBe('fresh');
    expect(await cache.get('k:1')).toBe('{"key":"k:1"}');
    expect(await cache.get('k:2')).toBe('{"key":"k:2"}');
  });

  it('in only-missing mode, a strategy whose keys are all still fresh succeeds with no success rate (nothing to warm)', async () => {
    const cache = memory();
    for (const key of keys(4)) await cache.set(key, 'fresh', 600);
    const strategy = fakeStrategy({ keys: keys(4), ttlSeconds: 600 });
    const stats = await warmStrategy(resolved(strategy), options(cache, { onlyMissing: true }));
    expect(stats).toMatchObject({ outcome: 'succeeded', total: 4, warmed: 0, skipped: 4, failed: 0, successRate: null });
  });

  it('fails the strategy with the listing error, keeping what it warmed before', async () => {
    const strategy = fakeStrategy({ keys: keys(300), pageSize: 100, listingFailsAfter: 200 });
    const stats = await warmStrategy(resolved(strategy), options(memory()));
    expect(stats.outcome).toBe('failed');
    expect(stats.error).toBe('listing keys failed: listing query failed');
    expect(stats.warmed).toBe(200);
  });

  it('fails at once when the listing throws before any key', async () => {
    const strategy = fakeStrategy({ keys: keys(10), listingFailsAfter: 0 });
    const stats = await warmStrategy(resolved(strategy), options(memory()));
    expect(stats).toMatchObject({ outcome: 'failed', total: 0, error: 'listing keys failed: listing query failed' });
  });

  it('warms only the given keys when it retries failed ones', async () => {
    const cache = memory();
    const strategy = fakeStrategy({ keys: keys(100) });
    const stats = await warmStrategy(resolved(strategy), options(cache, { keys: ['k:5', 'k:50'] }));
    expect(stats).toMatchObject({ total: 2, warmed: 2 });
    expect(await cache.exists('k:6')).toBe(false);
  });

  it('counts a key whose cache write fails as failed with the reason, and a dead cache fails the batch', async () => {
    const cache = memory();
    const picky: Cache = Object.assign(Object.create(cache), {
      setMany: async (entries: { key: string }[]) =>
        entries.map((e) => (e.key === 'k:2' ? { ok: false, error: 'WRONGTYPE Operation against a key holding the wrong kind of value' } : { ok: true })),
    });
    const stats = await warmStrategy(resolved(fakeStrategy({ keys: keys(5) })), options(picky));
    expect(stats).toMatchObject({ outcome: 'partial', warmed: 4, failed: 1 });
    expect(stats.firstErrors[0]!.error).toMatch(/^cache write failed: WRONGTYPE/);

    const dead: Cache = Object.assign(Object.create(cache), { setMany: async () => { throw new Error('not connected (Redis is unreachable)'); } });
    const down = await warmStrategy(resolved(fakeStrategy({ keys: keys(5) })), options(dead));
    expect(down).toMatchObject({ outcome: 'failed', warmed: 0, failed: 5, total: 5 });
  });

  it('stops sending work to a cache that failed three batches in a row, and tells the next strategy', async () => {
    let writes = 0;
    const dead: Cache = Object.assign(Object.create(memory()), {
      setMany: async () => {
        writes++;
        throw new Error('command timed out (Redis did not answer)');
      },
    });
    const breaker = new CacheBreaker();
    const limiter = new ConcurrencyLimiter(1);
    const stats = await warmStrategy(resolved(fakeStrategy({ keys: keys(1000) })), options(dead, { limiter, breaker }));
    // Three failures open the breaker; a batch already in flight then may still fail, no more.
    expect(writes).toBeGreaterThanOrEqual(3);
    expect(writes).toBeLessThanOrEqual(4);
    const attempted = writes;
    expect(stats).toMatchObject({ outcome: 'failed', failed: attempted * 10, total: attempted * 10 });
    expect(stats.error).toMatch(/^the cache is unavailable: \d batch writes in a row failed \(last: command timed out \(Redis did not answer\)\)$/);
    const next = await warmStrategy(resolved(fakeStrategy({ name: 'next_one', keys: keys(10) })), options(dead, { limiter, breaker }));
    expect(next).toMatchObject({ outcome: 'failed', total: 0 });
    expect(writes).toBe(attempted);
  });

  it('reports progress with done/total, throttled, ending at the total', async () => {
    const events: StrategyProgress[] = [];
    const strategy = fakeStrategy({ keys: keys(300), count: true, value: async (k) => { await sleep(1); return k; } });
    await warmStrategy(resolved(strategy), options(memory(), { onProgress: (p) => events.push(p), progressIntervalMs: 20 }));
    const last = events.at(-1)!;
    expect(last).toMatchObject({ expected: 300, done: 300, warmed: 300 });
    expect(events.length).toBeLessThan(300 / 10);
    expect(events.every((e, i) => i === 0 || e.done >= events[i - 1]!.done)).toBe(true);
  });
});

describe('warmStrategy reporting latencies to the governor', () => {
  it('tells onLoad every batch load with its in-flight time and keys, failures as failed, and onWrite every batch write', async () => {
    const cache = memory();
    const strategy = fakeStrategy({
      keys: keys(30),
      batch: true,
      value: async (key) => {
        await sleep(20);
        if (key.startsWith('k:2')) throw new Error('broken row'); // k:2 and k:20..k:29: the third batch fails as a whole, then key by key
        return key;
      },
    });
    const loads: { ms: number; keys: number; ok: boolean }[] = [];
    const writes: number[] = [];
    // One slot: the second and third batches wait for it, and that wait must not count as latency.
    const stats = await warmStrategy(resolved(strategy), options(cache, { limiter: new ConcurrencyLimiter(1), onLoad: (ms, n, ok) => loads.push({ ms, keys: n, ok }), onWrite: (_ms, n) => writes.push(n) }));
    expect(stats).toMatchObject({ warmed: 19, failed: 11 });
    const batches = loads.filter((l) => l.keys === 10);
    expect(batches.map((b) => b.ok)).toEqual([false, true, false]);
    for (const b of batches) {
      expect(b.ms).toBeGreaterThanOrEqual(18);
      expect(b.ms).toBeLessThan(200);
    }
    // The failed batches' keys, loaded one by one: 1 + 10 of them fail.
    expect(loads.filter((l) => l.keys === 1 && !l.ok)).toHaveLength(11);
    expect(writes.reduce((n, w) => n + w, 0)).toBe(19);
  });
});
