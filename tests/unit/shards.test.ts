import { describe, expect, it } from 'vitest';
import type { Database } from '@/server/db/client';
import { MemoryCache } from '@/server/cache/memory-cache';
import { type WarmOptions, warmStrategy } from '@/server/warmup/engine';
import { ConcurrencyLimiter } from '@/server/warmup/limiter';
import { FENCE_MARGIN_SECONDS, shardExpirySeconds } from '@/server/warmup/run-records';
import { shareOf } from '@/server/warmup/shard-records';
import type { WarmupStrategy } from '@/server/warmup/strategy';
import { fakeStrategy, resolved, sleep } from '../support/fake-strategy';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `k:${i}`);
const memory = () => new MemoryCache({ maxBytes: 16 * 1024 * 1024 });

function options(overrides: Partial<WarmOptions> = {}): WarmOptions {
  return {
    cache: memory(),
    database: {} as Database,
    limiter: new ConcurrencyLimiter(4),
    signal: new AbortController().signal,
    batchSize: 10,
    loadTimeoutMs: 1000,
    onlyMissing: false,
    dryRun: false,
    now: new Date(),
    ...overrides,
  };
}

/** A strategy whose keys are positions 1..n of a key space (like products by id). */
function spaced(n: number): WarmupStrategy {
  const base = fakeStrategy({ name: 'spaced', keys: [] });
  return {
    ...base,
    async *keys(ctx) {
      const from = ctx.range?.from ?? 1;
      const to = Math.min(ctx.range?.to ?? n + 1, n + 1);
      for (let i = from; i < to; i += 10) yield Array.from({ length: Math.min(10, to - i) }, (_, j) => `p:${i + j}`);
    },
    keySpace: {
      ranges: async () => [],
      positionOf: (key) => Number(key.slice(2)),
    },
  };
}

describe('a run shared by its shards', () => {
  it('gives each running shard an equal share of the run’s concurrency, the remainder to the first, never less than one', () => {
    expect([0, 1, 2].map((rank) => shareOf(10, 3, rank))).toEqual([4, 3, 3]);
    expect([0, 1].map((rank) => shareOf(8, 2, rank))).toEqual([4, 4]);
    expect([0, 1, 2, 3].map((rank) => shareOf(2, 4, rank))).toEqual([1, 1, 1, 1]);
    expect(shareOf(16, 1, 0)).toBe(16);
    // The shares sum to the ceiling whenever there are no more shards than the ceiling.
    for (let shards = 1; shards <= 12; shards++) {
      const sum = Array.from({ length: shards }, (_, rank) => shareOf(12, shards, rank)).reduce((a, b) => a + b, 0);
      expect(sum).toBe(12);
    }
  });

  it('expires a shard’s job only after its cap, the loads then in flight, and the fence margin', () => {
    const expiry = shardExpirySeconds({ shardSeconds: 30, loadTimeoutMs: 5000 });
    expect(expiry).toBeGreaterThanOrEqual(30 + 2 * 5 + FENCE_MARGIN_SECONDS);
  });
});

describe('a shard of a strategy (the engine within a range, capped in time, fenced)', () => {
  it('warms only the keys of its range', async () => {
    const stats = await warmStrategy(resolved(spaced(100)), options({ range: { from: 21, to: 41 } }));
    expect(stats).toMatchObject({ total: 20, warmed: 20, cut: false, resume: null, fenced: false });
  });

  it('stops listing at its cap, finishes what it listed, and says where the rest of its range resumes', async () => {
    let listed = 0;
    const stats = await warmStrategy(resolved(spaced(100)), options({ range: { from: 1, to: 101 }, stopListing: () => ++listed >= 3 }));
    expect(stats).toMatchObject({ total: 30, warmed: 30, cut: true, resume: { position: 31 } });
  });

  it('without a key space, resumes by passing over the keys it already listed, each key once over the pieces', async () => {
    const strategy = fakeStrategy({ name: 'listed', keys: keys(95), pageSize: 10 });
    const cache = memory();
    const seen: string[] = [];
    let skip = 0;
    for (let piece = 0; piece < 20; piece++) {
      let batches = 0;
      const stats = await warmStrategy(resolved(strategy), options({ cache, skip, stopListing: () => ++batches >= 2, onProgress: () => {} }));
      seen.push(...(await Promise.all(keys(95).map(async (k) => ((await cache.exists(k)) ? k : null)))).filter((k): k is string => k !== null));
      if (!stats.cut) {
        expect(stats.resume).toBeNull();
        break;
      }
      expect(stats.resume).toEqual({ skip: skip + stats.total });
      skip = (stats.resume as { skip: number }).skip;
    }
    // Four cut pieces of 20 keys, then the last one, which ends with the listing: no empty rest.
    expect(skip).toBe(80);
    for (const key of keys(95)) expect(await cache.exists(key)).toBe(true);
  });

  it('writes nothing once past its fence, and reports it so that its counts are not kept', async () => {
    const cache = memory();
    const strategy = fakeStrategy({
      name: 'slow',
      keys: keys(60),
      pageSize: 10,
      value: async (k) => {
        await sleep(15);
        return k;
      },
    });
    const fenceAt = performance.now() + 60;
    const stats = await warmStrategy(resolved(strategy), options({ cache, fenceAt, limiter: new ConcurrencyLimiter(2) }));
    expect(stats.fenced).toBe(true);
    expect(stats.cut).toBe(false);
    const written = (await Promise.all(keys(60).map((k) => cache.exists(k)))).filter(Boolean).length;
    expect(written).toBeLessThan(60);
    expect(written).toBe(stats.warmed);
  });
});
