import { z } from 'zod';
import type { ResolvedStrategy, WarmupStrategy } from '@/server/warmup/strategy';

export type FakeStrategyOptions = {
  name?: string;
  keys: string[];
  pageSize?: number;
  /** The value of a key: a string, null (no data), or throw to fail it. */
  value?: (key: string) => Promise<string | null> | string | null;
  /** Gives the strategy a batch loader built on `value`. */
  batch?: boolean;
  /** Throw from the listing after this many keys. */
  listingFailsAfter?: number;
  count?: boolean;
  priority?: number;
  /** null: the strategy declares no TTL of its own (the global default applies). */
  ttlSeconds?: number | null;
  context?: string;
  tags?: string[];
  onLoadStart?: (keys: readonly string[]) => void;
  onLoadEnd?: (keys: readonly string[]) => void;
};

/** An in-memory strategy for engine tests: keys and values given by the test, loads observable. */
export function fakeStrategy(o: FakeStrategyOptions): WarmupStrategy {
  const value = o.value ?? ((key: string) => JSON.stringify({ key }));
  const loadOne = async (key: string) => {
    o.onLoadStart?.([key]);
    try {
      return await value(key);
    } finally {
      o.onLoadEnd?.([key]);
    }
  };
  const context = o.context ?? 'test';
  return {
    name: o.name ?? 'fake',
    context,
    tags: o.tags ?? [context],
    description: 'A strategy made up by a test',
    defaultPriority: o.priority ?? 50,
    defaultTtlSeconds: o.ttlSeconds === null ? undefined : (o.ttlSeconds ?? 600),
    defaultEnabled: true,
    optionsSchema: z.strictObject({}),
    async *keys() {
      const size = o.pageSize ?? 100;
      for (let i = 0; i < o.keys.length; i += size) {
        if (o.listingFailsAfter !== undefined && i >= o.listingFailsAfter) throw new Error('listing query failed');
        yield o.keys.slice(i, i + size);
      }
    },
    countKeys: o.count ? async () => o.keys.length : undefined,
    load: (key) => loadOne(key),
    loadMany: o.batch
      ? async (keys) => {
          o.onLoadStart?.(keys);
          try {
            return await Promise.all(keys.map((k) => value(k)));
          } finally {
            o.onLoadEnd?.(keys);
          }
        }
      : undefined,
  };
}

export function resolved(strategy: WarmupStrategy, overrides: Partial<ResolvedStrategy> = {}): ResolvedStrategy {
  return {
    strategy,
    name: strategy.name,
    priority: strategy.defaultPriority,
    ttlSeconds: strategy.defaultTtlSeconds ?? 3600,
    defaultTtlSeconds: strategy.defaultTtlSeconds ?? 3600,
    enabled: true,
    options: {},
    ...overrides,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
