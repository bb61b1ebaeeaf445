import { StrategyRegistry } from '@/server/warmup/registry';
import type { WarmupStrategy } from '@/server/warmup/strategy';
import { fakeStrategy, sleep } from './fake-strategy';

/**
 * Fake strategies named and tagged like the shop's real ones (the default schedules name them),
 * each with a few in-memory keys; `delayMs` slows every load down to make runs last.
 */
export function shopStrategies(options: { keys?: number; delayMs?: number } = {}): WarmupStrategy[] {
  const make = (name: string, context: string, tags: string[], priority: number) =>
    fakeStrategy({
      name,
      context,
      tags,
      priority,
      keys: Array.from({ length: options.keys ?? 3 }, (_, i) => `${name}:${i}`),
      value: async (key) => {
        if (options.delayMs) await sleep(options.delayMs);
        return JSON.stringify({ key });
      },
    });
  return [
    make('hot_products', 'catalog', ['catalog', 'products'], 100),
    make('recommendations', 'catalog', ['catalog'], 60),
    make('categories', 'catalog', ['catalog'], 50),
    make('sessions', 'identity', ['identity'], 20),
    make('product_catalog', 'catalog', ['catalog', 'products'], 10),
  ];
}

export function shopRegistry(strategies: WarmupStrategy[] = shopStrategies()): StrategyRegistry {
  const registry = new StrategyRegistry();
  for (const s of strategies) registry.register(s);
  return registry;
}
