import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { registerStrategies } from '@/server/contexts';
import { StrategyRegistry } from '@/server/warmup/registry';
import { useTestDatabase } from '../../support/db';
import { rawRedis } from '../../support/redis';
import { DAY_MS, rankByUnits, readCategories, readSales, unitsSold } from '../../support/shop-facts';
import { testWarmer, useTestRedisCache } from '../../support/warmer';

describe('a warmup of every enabled strategy into Redis', () => {
  it('leaves exactly the keys each strategy should warm, with its TTL and JSON values', async () => {
    const { database } = await useTestDatabase({ shop: true });
    const { cache, prefix } = await useTestRedisCache('all-strategies');
    const strategies = registerStrategies(new StrategyRegistry()).list();
    const warmer = await testWarmer(database, cache, strategies);
    const run = await warmer.startRun({ trigger: 'startup', triggeredBy: 'system', scope: { all: true } });
    const summary = await run.done;
    expect(summary.status).toBe('succeeded');
    expect(run.strategies).toEqual(['hot_products', 'recommendations', 'categories', 'sessions']);

    // What should be there, computed from the seeded rows without the strategies' SQL.
    const [{ at }] = (await database.rows<{ at: number }>(sql`select (extract(epoch from created_at) * 1000)::float8 as at from runs`)) as [{ at: number }];
    const hot = rankByUnits(unitsSold(await readSales(database), at - 30 * DAY_MS, at)).slice(0, 100);
    const categories = (await readCategories(database)).filter((c) => c.level <= 2);
    const sessions = await database.rows<{ user_id: number }>(sql`
      select distinct u.id as user_id from shop_users u join shop_sessions s on s.user_id = u.id
      where u.last_active_at > to_timestamp(${at / 1000}) - interval '1 hour' and u.last_active_at <= to_timestamp(${at / 1000})
        and s.expires_at > to_timestamp(${at / 1000})`);
    const expected = new Map<string, number>([
      ...hot.map((id) => [`Product:id:${id}`, 7200] as [string, number]),
      ...['homepage', 'trending', 'new_arrivals', 'best_sellers'].map((l) => [`recommendations:${l}`, 1800] as [string, number]),
      ...categories.map((c) => [`Category:id:${c.id}`, 14400] as [string, number]),
      ['Category:tree:root', 14400],
      ...sessions.map((s) => [`User:session:${s.user_id}`, 900] as [string, number]),
    ]);
    expect(hot).toHaveLength(100);
    expect(sessions.length).toBeGreaterThan(5);

    const redis = rawRedis();
    try {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        found.push(...keys.map((k) => k.slice(prefix.length)));
      } while (cursor !== '0');
      expect(found.sort()).toEqual([...expected.keys()].sort());

      const keys = [...expected.keys()];
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.pttl(prefix + key).get(prefix + key);
      const replies = (await pipeline.exec())!;
      keys.forEach((key, i) => {
        const ttlMs = replies[2 * i]![1] as number;
        const value = replies[2 * i + 1]![1] as string;
        const ttl = expected.get(key)! * 1000;
        expect(ttlMs, key).toBeGreaterThan(ttl - 30_000);
        expect(ttlMs, key).toBeLessThanOrEqual(ttl);
        expect(() => JSON.parse(value), key).not.toThrow();
      });
      const product = JSON.parse((await redis.get(`${prefix}Product:id:${hot[0]}`))!);
      expect(product.id).toBe(hot[0]);
    } finally {
      redis.disconnect();
    }
    const strategyRows = await database.rows<{ strategy: string; total: number; warmed: number }>(sql`select strategy, total, warmed from run_strategies order by position`);
    expect(strategyRows.map((r) => [r.strategy, r.total, r.warmed])).toEqual([
      ['hot_products', 100, 100],
      ['recommendations', 4, 4],
      ['categories', categories.length + 1, categories.length + 1],
      ['sessions', sessions.length, sessions.length],
    ]);
  });
});
