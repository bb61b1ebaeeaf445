import 'server-only';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import type { Logger } from '../logger';
import type { StrategyRegistry } from '../warmup/registry';
import type { ChangeRule, RowChange } from './change';
import { coalesce } from './coalesce';
import { deferKeys, dueKeys, forgetDueKeys, recordTallies } from './freshness-store';
import { type DueKey, RewarmUnavailableError, rewarmKeys } from './rewarm';
import { readRewarmPlan } from './rewarm-plan';

export type HandleDeps = { database: Database; cache: Cache; logger: Logger; registry: StrategyRegistry; rules: readonly ChangeRule[] };

/**
 * One batch of changes: the rules say which keys they touch, coalesced per key; the debounced ones
 * wait in change_pending (written before the batch is confirmed); the others, with the waiting keys
 * now due when `checkDue`, are re-warmed; the counts are recorded. Resolves with the keys re-warmed
 * and the keys deferred.
 * Throws when Postgres or the cache cannot be reached: the caller then confirms nothing.
 */
export async function handleChanges(deps: HandleDeps, changes: readonly RowChange[], checkDue: boolean): Promise<{ keys: number; deferred: number }> {
  const { database, cache, logger, rules, registry } = deps;
  const now = new Date();
  const { immediate, deferred, seen } = await coalesce(changes, rules, {
    database,
    cachedValues: async (keys) => {
      try {
        return await cache.getMany(keys);
      } catch (error) {
        throw new RewarmUnavailableError(`reading the cache failed: ${(error as Error).message}`, { cause: error });
      }
    },
  });
  for (const [debounceMs, keys] of deferred) await deferKeys(database, [...keys.values()], debounceMs, now);
  const due: DueKey[] = checkDue || deferred.size ? await dueKeys(database, now) : [];
  for (const key of due) {
    const mine = immediate.get(key.key);
    if (!mine) immediate.set(key.key, key);
    else {
      for (const s of key.strategies) mine.strategies.add(s);
      for (const s of key.inWarmSetOf) mine.inWarmSetOf.add(s);
      if (key.firstCommittedAt < mine.firstCommittedAt) mine.firstCommittedAt = key.firstCommittedAt;
    }
  }
  const deferredCount = [...deferred.values()].reduce((n, keys) => n + keys.size, 0);
  if (immediate.size === 0 && seen.size === 0) return { keys: 0, deferred: deferredCount };
  const plan = await readRewarmPlan(database, registry);
  const tallies = immediate.size ? await rewarmKeys({ database, cache, logger }, [...immediate.values()], plan) : new Map();
  await forgetDueKeys(database, due.map((d) => d.key), now);
  await recordTallies(database, tallies, seen, now).catch((error: unknown) => logger.warn({ err: error }, 'Recording the re-warm counts failed'));
  return { keys: immediate.size, deferred: deferredCount };
}
