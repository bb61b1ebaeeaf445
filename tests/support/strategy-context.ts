import { afterAll, beforeAll } from 'vitest';
import type { Database } from '@/server/db/client';
import type { StrategyContext, WarmupStrategy } from '@/server/warmup/strategy';
import { type TestDatabase, createTestDatabase } from './db';

/**
 * The context the engine would hand a strategy: options parsed with the strategy's own schema (so a
 * test passes only what it changes), a live signal unless one is given, batches of 500 by default.
 */
export function strategyContext<Options extends Record<string, unknown>>(
  strategy: WarmupStrategy<Options>,
  database: Database,
  settings: { now: Date; options?: Record<string, unknown>; batchSize?: number; signal?: AbortSignal },
): StrategyContext<Options> {
  return {
    database,
    options: strategy.optionsSchema.parse(settings.options ?? {}),
    signal: settings.signal ?? new AbortController().signal,
    now: settings.now,
    batchSize: settings.batchSize ?? 500,
  };
}

/** Every batch keys() yields, in order. */
export async function keyBatches<Options extends Record<string, unknown>>(
  strategy: WarmupStrategy<Options>,
  ctx: StrategyContext<Options>,
): Promise<string[][]> {
  const batches: string[][] = [];
  for await (const batch of strategy.keys(ctx)) batches.push(batch);
  return batches;
}

/** Every key keys() yields, flattened in order. */
export async function allKeys<Options extends Record<string, unknown>>(
  strategy: WarmupStrategy<Options>,
  ctx: StrategyContext<Options>,
): Promise<string[]> {
  return (await keyBatches(strategy, ctx)).flat();
}

/**
 * One seeded shop database for a whole file of read-only tests (copying the template per test
 * would cost more than the tests): available after beforeAll, dropped after the last test.
 */
export function useSharedShopDatabase(): () => TestDatabase {
  let shop: (TestDatabase & { drop: () => Promise<void> }) | undefined;
  beforeAll(async () => {
    shop = await createTestDatabase({ shop: true });
  });
  afterAll(async () => {
    await shop?.drop();
  });
  return () => {
    if (!shop) throw new Error('The shared shop database is only available inside tests (after beforeAll)');
    return shop;
  };
}
