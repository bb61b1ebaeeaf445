import { describe, expect, it } from 'vitest';
import { sampleWarmSet } from '@/server/effect/sample-warm-set';
import type { StrategyContext } from '@/server/warmup/strategy';
import { fakeStrategy, resolved } from '../support/fake-strategy';

const ctx = { database: undefined as never, options: {}, signal: new AbortController().signal, now: new Date(), batchSize: 100 } satisfies StrategyContext;
const keysOf = (n: number) => Array.from({ length: n }, (_, i) => `k:${i}`);

describe('sampling a warm set', () => {
  it('takes every key of a set no bigger than the sample', async () => {
    const sample = await sampleWarmSet(resolved(fakeStrategy({ keys: keysOf(40), pageSize: 7 })), ctx, { size: 50, walkLimit: 1000 });
    expect(sample).toEqual({ keys: keysOf(40), warmSetSize: 40, exact: true, method: 'all' });
  });

  it('picks a uniform sample of a bigger set: every key about as often', async () => {
    const strategy = resolved(fakeStrategy({ keys: keysOf(100), pageSize: 30 }));
    const seen = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const sample = await sampleWarmSet(strategy, ctx, { size: 10, walkLimit: 1000 });
      expect(sample.keys).toHaveLength(10);
      expect(new Set(sample.keys).size).toBe(10);
      expect(sample).toMatchObject({ warmSetSize: 100, exact: true, method: 'reservoir' });
      for (const k of sample.keys) seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    // Each key is expected 40 times in 400 samples of 10 of 100; a biased sampler (the first keys
    // only, say) would leave most keys at 0.
    expect(seen.size).toBe(100);
    for (const count of seen.values()) expect(count).toBeGreaterThan(10);
  });

  it('stops walking at its bound and says the size is only a lower bound', async () => {
    const sample = await sampleWarmSet(resolved(fakeStrategy({ keys: keysOf(500), pageSize: 50 })), ctx, { size: 10, walkLimit: 120 });
    expect(sample).toMatchObject({ warmSetSize: 120, exact: false, method: 'reservoir' });
    expect(sample.keys.every((k) => Number(k.slice(2)) < 120)).toBe(true);
  });

  it('asks a strategy with its own sampler and count instead of walking it', async () => {
    const base = fakeStrategy({ keys: keysOf(1000), count: true });
    const strategy = { ...base, keys: () => { throw new Error('must not walk'); }, sampleKeys: async (_: unknown, size: number) => keysOf(size).reverse() };
    const sample = await sampleWarmSet(resolved(strategy), ctx, { size: 5, walkLimit: 10 });
    expect(sample).toEqual({ keys: keysOf(5).reverse(), warmSetSize: 1000, exact: true, method: 'strategy' });
  });
});
