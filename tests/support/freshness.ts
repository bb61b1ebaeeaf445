import pino from 'pino';
import postgres from 'postgres';
import { inject, onTestFinished } from 'vitest';
import type { Cache } from '@/server/cache/cache';
import { RedisCache } from '@/server/cache/redis-cache';
import { parseConfig } from '@/server/config';
import { allChangeRules, allStrategies } from '@/server/contexts';
import { type Database, openPostgres } from '@/server/db/client';
import { ChangeStreamConsumer } from '@/server/freshness/consumer';
import { StrategyRegistry } from '@/server/warmup/registry';
import type { WarmupStrategy } from '@/server/warmup/strategy';
import { buildTemplates } from './build-templates';
import { createTestDatabase } from './db';
import { randomId } from './env';
import { type OwnPostgres, startOwnPostgres } from './own-servers';
import { deleteKeysWithPrefix, uniquePrefix } from './redis';

export type ShopDatabase = { database: Database; url: string; admin: postgres.Sql };

/**
 * Where the change-stream tests get their shops: a Postgres of their own with wal_level=logical
 * (started once per file, a seeded template copied per test), or the shared test server, whose
 * wal_level is not logical: the trigger fallback's ground.
 */
export type ShopServer = { mode: 'logical' | 'triggers'; shop(): Promise<ShopDatabase>; destroy(): Promise<void> };

export async function startShopServer(mode: 'logical' | 'triggers'): Promise<ShopServer> {
  if (mode === 'triggers') {
    return {
      mode,
      async shop() {
        const db = await createTestDatabase({ shop: true });
        onTestFinished(db.drop);
        const admin = postgres(db.url, { max: 2, onnotice: () => {} });
        onTestFinished(() => admin.end());
        return { database: db.database, url: db.url, admin };
      },
      destroy: async () => {},
    };
  }
  const server: OwnPostgres = await startOwnPostgres({ logical: true, keep: true });
  const template = await server.createDatabase('shop_template');
  await buildTemplates(await server.createDatabase('empty_template'), template, new Date(inject('seedNow')));
  return {
    mode,
    async shop() {
      const name = `shop_${randomId(8)}`;
      const admin0 = postgres(server.url, { max: 1, onnotice: () => {} });
      await admin0.unsafe(`create database ${name} template shop_template`);
      await admin0.end();
      const url = server.databaseUrl(name);
      const database = await openPostgres(url, 5);
      const admin = postgres(url, { max: 2, onnotice: () => {} });
      onTestFinished(async () => {
        await admin.end();
        await database.close();
        const cleaner = postgres(server.url, { max: 1, onnotice: () => {} });
        // The test's slot goes with its database (a slot blocks dropping it).
        await cleaner.unsafe(`select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = '${name}' and not active`).catch(() => {});
        await cleaner.unsafe(`drop database if exists ${name} with (force)`).finally(() => cleaner.end());
      });
      return { database, url, admin };
    },
    destroy: () => server.destroy(),
  };
}

/** A Postgres of the test's own with wal_level=logical and a seeded shop database on it (the fault tests stop and kill things around it). */
export async function startLogicalShop(): Promise<{ server: OwnPostgres; url: string }> {
  const server = await startOwnPostgres({ logical: true });
  const url = await server.createDatabase('shop');
  await buildTemplates(await server.createDatabase('empty'), url, new Date(inject('seedNow')));
  return { server, url };
}

/** A Redis cache under a key prefix of the test's own, emptied (markers too) when it ends. */
export function testRedisCache(): { cache: RedisCache; prefix: string } {
  const prefix = uniquePrefix('fresh');
  const cache = new RedisCache({ kind: 'redis', url: process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379' }, { keyPrefix: prefix });
  onTestFinished(async () => {
    await cache.close();
    await deleteKeysWithPrefix(prefix);
    await deleteKeysWithPrefix(`kiln-fresh:{${prefix}`);
  });
  return { cache, prefix };
}

export type TestConsumer = { consumer: ChangeStreamConsumer; batches: { changes: number; keys: number }[] };

/** A change-stream consumer over a test's database and cache, fast windows, stopped when the test ends. */
export function startTestConsumer(
  database: Database,
  cache: Cache,
  options: { mode: 'logical' | 'triggers' | 'off'; env?: Record<string, string>; strategies?: WarmupStrategy[]; owner?: string; start?: boolean },
): TestConsumer {
  const config = parseConfig({
    DATABASE_URL: 'postgres://test@127.0.0.1/unused',
    KILN_CHANGE_STREAM: options.mode,
    KILN_CHANGE_COALESCE_MS: '150',
    KILN_CHANGE_POLL_MS: '50',
    ...options.env,
  });
  const registry = new StrategyRegistry();
  for (const strategy of options.strategies ?? allStrategies) registry.register(strategy);
  const batches: TestConsumer['batches'] = [];
  const consumer = new ChangeStreamConsumer({
    database,
    cache,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    registry,
    rules: allChangeRules,
    config: config.changeStream,
    owner: options.owner ?? 'test-consumer',
    takeoverMs: 200,
    onBatch: (b) => batches.push(b),
  });
  if (options.start !== false) consumer.start();
  onTestFinished(() => consumer.stop());
  return { consumer, batches };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
