import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allStrategies } from '@/server/contexts';
import { type Database, openPglite } from '@/server/db/client';
import { applyMigrations } from '@/server/db/migrate';
import { seedShop } from '@/server/db/seed/seed-shop';
import { TEST_SHOP } from '../../support/build-templates';
import { allKeys, strategyContext, useSharedShopDatabase } from '../../support/strategy-context';

// Kiln's zero-setup default is embedded PGlite (Postgres 17 in WASM): the strategies' SQL must run
// there too, and give the shop the very same values as on a Postgres server.
const shop = useSharedShopDatabase();
let pglite: Database;

beforeAll(async () => {
  pglite = await openPglite('memory://');
  await applyMigrations(pglite);
  await seedShop(pglite, { ...TEST_SHOP, now: shop().seedNow });
}, 120_000);

afterAll(async () => {
  await pglite?.close();
});

describe('the strategies on embedded PGlite', () => {
  it.each(allStrategies.map((s) => [s.name, s] as const))('%s lists the same keys and loads the same values as on Postgres', async (_, strategy) => {
    const { database, seedNow } = shop();
    const onServer = strategyContext(strategy, database, { now: seedNow, batchSize: 100 });
    const embedded = strategyContext(strategy, pglite, { now: seedNow, batchSize: 100 });
    const keys = await allKeys(strategy, onServer);
    expect(keys.length).toBeGreaterThan(0);
    expect(await allKeys(strategy, embedded)).toEqual(keys);

    const sample = keys.slice(0, 40);
    const load = (ctx: typeof onServer) =>
      strategy.loadMany ? strategy.loadMany(sample, ctx) : Promise.all(sample.map((key) => strategy.load(key, ctx)));
    const values = await load(onServer);
    expect(values.every((v) => v !== null)).toBe(true);
    expect(await load(embedded)).toEqual(values);
  });
});
