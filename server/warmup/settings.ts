import 'server-only';
import { eq } from 'drizzle-orm';
import type { Database, Db } from '../db/client';
import { type Settings, runs, settings, strategySettings } from '../db/schema';
import type { StrategyRegistry } from './registry';
import type { ResolvedStrategy } from './strategy';

/** The global settings row (migration 0002 creates it). */
export async function getSettings(database: Database): Promise<Settings> {
  const [row] = await database.db.select().from(settings).where(eq(settings.id, 1));
  if (!row) throw new Error('The settings row is missing: the database migrations have not been applied');
  return row;
}

/**
 * Every registered strategy with the operator's overrides applied (priority, TTL, enabled, options).
 * A strategy that declares no TTL of its own gets the global defaultTtlSeconds setting.
 * Stored options that no longer fit the strategy's schema (a field renamed in a deploy) fall back
 * to the defaults rather than breaking every run.
 */
export async function resolveStrategies(database: Database, registry: StrategyRegistry, settingsNow?: Settings): Promise<ResolvedStrategy[]> {
  const [overrides, global] = await Promise.all([database.db.select().from(strategySettings), settingsNow ?? getSettings(database)]);
  const byName = new Map(overrides.map((o) => [o.strategy, o]));
  return registry.list().map((strategy) => {
    const o = byName.get(strategy.name);
    const parsed = strategy.optionsSchema.safeParse(o?.options ?? {});
    const defaultTtlSeconds = strategy.defaultTtlSeconds ?? global.defaultTtlSeconds;
    return {
      strategy,
      name: strategy.name,
      priority: o?.priority ?? strategy.defaultPriority,
      ttlSeconds: o?.ttlSeconds ?? defaultTtlSeconds,
      defaultTtlSeconds,
      enabled: o?.enabled ?? strategy.defaultEnabled,
      options: parsed.success ? parsed.data : (strategy.optionsSchema.parse({}) as Record<string, unknown>),
    };
  });
}

/** Highest priority first; ties by name, so the order never depends on registration order. */
export function byPriority(a: ResolvedStrategy, b: ResolvedStrategy): number {
  return b.priority - a.priority || a.name.localeCompare(b.name);
}

/** Sets the concurrency of every running run (on every process: their heartbeats read it back). */
export async function retuneRunningRuns(db: Db, concurrency: number): Promise<number> {
  const rows = await db.update(runs).set({ concurrency }).where(eq(runs.status, 'running')).returning({ id: runs.id });
  return rows.length;
}
