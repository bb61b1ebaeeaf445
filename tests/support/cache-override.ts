import type { Cache } from '@/server/cache/cache';

/**
 * A cache that behaves like `cache` except for the methods given: a fault or a figure a test needs
 * (a failing get, a growing eviction counter). Methods are bound to the real cache, whose private
 * fields a prototype copy could not reach.
 */
export function overrideCache(cache: Cache, overrides: Partial<Cache>): Cache {
  return new Proxy(cache, {
    get(target, property) {
      if (property in overrides) return overrides[property as keyof Cache];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
