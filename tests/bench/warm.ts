// npm run bench:warm -- --products 1000000 [--concurrency 8] [--batch 1000] [--per-key-keys 100000]
//
// Warms product_catalog (every active product) into Redis through Kiln's real engine, and the same
// kind of work one key at a time (SELECT by id, SET with TTL, at most 20 in flight: how the seed's
// warmer works) on a slice of the keys, so the ratio comes from one run on one machine.
// Prints one JSON line per measurement. Uses DATABASE_URL (default: the local kiln_bench database,
// created and seeded when it lacks the requested shop) and REDIS_URL (default: local Redis, under a
// prefix of its own that is removed at the end).
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { RedisCache } from '@/server/cache/redis-cache';
import { registerStrategies } from '@/server/contexts';
import type { Database } from '@/server/db/client';
import { ConcurrencyLimiter } from '@/server/warmup/limiter';
import { StrategyRegistry } from '@/server/warmup/registry';
import { Warmer } from '@/server/warmup/warmer';
import { ensureShopDatabase, print, round } from './support';

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '1000000' },
    concurrency: { type: 'string', default: '8' },
    batch: { type: 'string', default: '1000' },
    'per-key-keys': { type: 'string', default: '100000' },
  },
});
const products = Number(values.products);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kiln_bench';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `kiln-bench:${Date.now()}:`;

/** Peak resident memory while `work` runs, sampled every 20 ms. */
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  try {
    const result = await work();
    return { result, seconds: (performance.now() - started) / 1000, peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576) };
  } finally {
    clearInterval(sampler);
  }
}

async function ensureShop(): Promise<Database> {
  const database = await ensureShopDatabase(databaseUrl, products);
  // The benchmark drives the bulk strategy, which is off by default.
  await database.rows(sql`insert into strategy_settings (strategy, enabled, updated_by) values ('product_catalog', true, 'bench')
                          on conflict (strategy) do update set enabled = true`);
  await database.rows(sql`update settings set batch_size = ${Number(values.batch)}, key_timeout_ms = 30000 where id = 1`);
  return database;
}

async function engine(database: Database, cache: RedisCache) {
  const registry = registerStrategies(new StrategyRegistry());
  const warmer = new Warmer({ database, cache, registry, logger: pino({ level: 'warn' }), owner: 'bench' });
  const { result, seconds, peakRssMb } = await measure(async () => {
    const run = await warmer.startRun({ trigger: 'cli', triggeredBy: 'bench:warm', scope: { strategies: ['product_catalog'] }, concurrency: Number(values.concurrency) });
    return run.done;
  });
  if (result.status !== 'succeeded') throw new Error(`engine run ended ${result.status}: ${result.error}`);
  const keys = result.totals.warmed;
  print({ measurement: 'engine', strategy: 'product_catalog', keys, seconds: round(seconds), keysPerSecond: Math.round(keys / seconds), peakRssMb, concurrency: Number(values.concurrency), batchSize: Number(values.batch) });
  return keys / seconds;
}

/**
 * The seed's way: per key, one SELECT by id (the product with its category), JSON-encoded in
 * Node, then one SET with TTL; at most 20 keys in flight.
 */
async function perKey(database: Database, cache: RedisCache) {
  const count = Number(values['per-key-keys']);
  const ids = (await database.rows<{ id: number }>(sql`select id from products where status = 'active' order by id limit ${count}`)).map((r) => r.id);
  const limiter = new ConcurrencyLimiter(20);
  const { seconds, peakRssMb } = await measure(async () => {
    let next = 0;
    // 20 workers pulling ids: the same bound as a limiter, without a promise per key up front.
    await Promise.all(
      Array.from({ length: limiter.concurrency }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const [row] = await database.rows(sql`
            select p.*, c.name as category_name, c.slug as category_slug
            from products p join categories c on c.id = p.category_id where p.id = ${id}`);
          if (row) await cache.set(`per-key:Product:id:${id}`, JSON.stringify(row), 86_400);
        }
      }),
    );
  });
  print({ measurement: 'per-key', keys: ids.length, seconds: round(seconds), keysPerSecond: Math.round(ids.length / seconds), peakRssMb, concurrency: 20 });
  return ids.length / seconds;
}

const database = await ensureShop();
const cache = new RedisCache({ kind: 'redis', url: redisUrl }, { keyPrefix: prefix, commandTimeoutMs: 30_000 });
await cache.ready();
try {
  const engineRate = await engine(database, cache);
  const perKeyRate = await perKey(database, cache);
  print({ measurement: 'ratio', engineOverPerKey: round(engineRate / perKeyRate) });
} finally {
  let removed = 0;
  for await (const batch of cache.scan('', 5000)) removed += await cache.delete(batch);
  console.error(`Removed ${removed} benchmark keys from Redis`);
  await cache.close();
  await database.close();
}
