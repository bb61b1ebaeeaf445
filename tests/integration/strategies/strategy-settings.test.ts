import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { StrategyRegistry } from '@/server/warmup/registry';
import { resolveStrategies } from '@/server/warmup/settings';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy } from '../../support/fake-strategy';
import { testWarmer, useTestRedisCache } from '../../support/warmer';

describe('strategy settings in force', () => {
  it('give a strategy without a TTL of its own the global default TTL, and an operator override wins over both', async () => {
    const { database } = await useTestDatabase();
    const registry = new StrategyRegistry()
      .register(fakeStrategy({ name: 'own_ttl', keys: ['a'], ttlSeconds: 120 }))
      .register(fakeStrategy({ name: 'no_ttl', keys: ['b'], ttlSeconds: null }));
    await database.rows(sql`update settings set default_ttl_seconds = 4321 where id = 1`);
    const resolved = Object.fromEntries((await resolveStrategies(database, registry)).map((r) => [r.name, r]));
    expect(resolved.own_ttl).toMatchObject({ ttlSeconds: 120, defaultTtlSeconds: 120 });
    expect(resolved.no_ttl).toMatchObject({ ttlSeconds: 4321, defaultTtlSeconds: 4321 });

    await database.rows(sql`insert into strategy_settings (strategy, ttl_seconds) values ('no_ttl', 77)`);
    const again = Object.fromEntries((await resolveStrategies(database, registry)).map((r) => [r.name, r]));
    expect(again.no_ttl).toMatchObject({ ttlSeconds: 77, defaultTtlSeconds: 4321 });

    // And the warmer writes with it.
    await database.rows(sql`delete from strategy_settings`);
    const { cache } = await useTestRedisCache('default-ttl');
    const warmer = await testWarmer(database, cache, registry.list());
    await (await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { strategies: ['no_ttl'] } })).done;
    const ttl = await cache.ttlMs('b');
    expect(ttl).toBeGreaterThan(4300_000);
    expect(ttl).toBeLessThanOrEqual(4321_000);
  });
});
