import { describe, expect, it } from 'vitest';
import { allStrategies, registerStrategies } from '@/server/contexts';
import { hotProductsStrategy } from '@/server/contexts/catalog/hot-products-strategy';
import { DuplicateStrategyError, StrategyRegistry } from '@/server/warmup/registry';

describe('registerStrategies', () => {
  it('registers the five strategies with their documented defaults', () => {
    const registry = registerStrategies(new StrategyRegistry());
    const summary = registry.list().map((s) => [s.name, s.context, s.defaultPriority, s.defaultTtlSeconds, s.defaultEnabled]);
    expect(summary.sort()).toEqual(
      [
        ['categories', 'catalog', 50, 14_400, true],
        ['hot_products', 'catalog', 100, 7200, true],
        ['product_catalog', 'catalog', 10, 86_400, false],
        ['recommendations', 'catalog', 60, 1800, true],
        ['sessions', 'identity', 20, 900, true],
      ].sort(),
    );
    expect(registry.tags()).toEqual(['bulk', 'catalog', 'categories', 'identity', 'products', 'recommendations', 'sessions']);
  });

  it('refuses a strategy registered twice', () => {
    const registry = registerStrategies(new StrategyRegistry());
    expect(() => registry.register(hotProductsStrategy)).toThrow(DuplicateStrategyError);
    expect(() => registerStrategies(registry)).toThrow('"hot_products"');
  });

  it('gives every strategy options that default completely and refuse unknown fields', () => {
    for (const strategy of allStrategies) {
      const defaults = strategy.optionsSchema.parse({});
      expect(strategy.optionsSchema.parse(defaults), strategy.name).toEqual(defaults);
      expect(() => strategy.optionsSchema.parse({ ...defaults, surprise: 1 }), strategy.name).toThrow();
      expect(strategy.description.length, strategy.name).toBeGreaterThan(20);
    }
  });
});
