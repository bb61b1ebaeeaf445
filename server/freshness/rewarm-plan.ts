import 'server-only';
import { sql } from 'drizzle-orm';
import type { Config } from '../config';
import type { Database } from '../db/client';
import type { StrategyRegistry } from '../warmup/registry';
import { getSettings, resolveStrategies } from '../warmup/settings';
import type { RewarmPlan, RewarmStrategy } from './rewarm';

/**
 * What a flush needs to know, read fresh each time (a setting changed anywhere holds at once):
 * the strategies with their settings and re-warm-on-change flag, batch size and load timeout, the
 * WAL position as the markers' version (read BEFORE the loads, as the engine reads its own before
 * its batch loads), and whether a run is going.
 */
export async function readRewarmPlan(database: Database, registry: StrategyRegistry): Promise<RewarmPlan> {
  const [settings, flags, position] = await Promise.all([
    getSettings(database),
    database.rows<{ strategy: string; rewarm: boolean | null; running: boolean }>(sql`
      select s.strategy, s.rewarm_on_change as rewarm, false as running from strategy_settings s
      union all select '', null, exists (select 1 from runs where status = 'running')`),
    readWalPosition(database),
  ]);
  const resolved = await resolveStrategies(database, registry, settings);
  const rewarm = new Map(flags.filter((f) => f.strategy).map((f) => [f.strategy, f.rewarm]));
  const strategies = new Map<string, RewarmStrategy>(resolved.map((r) => [r.name, { ...r, rewarmOnChange: rewarm.get(r.name) ?? true }]));
  return {
    strategies,
    batchSize: settings.batchSize,
    loadTimeoutMs: settings.keyTimeoutMs,
    version: position,
    markerTtlSeconds: markerTtlSeconds(settings.keyTimeoutMs),
    markAll: flags.some((f) => !f.strategy && f.running),
  };
}

/**
 * A freshness marker must outlive any run batch that read its position before the change and has
 * not written yet: a batch waits for a load slot and loads within the key timeout.
 */
export function markerTtlSeconds(keyTimeoutMs: number): number {
  return Math.max(300, Math.ceil((3 * keyTimeoutMs) / 1000) + 60);
}

/**
 * The database's current WAL position in bytes, as decimal text: the version of freshness markers
 * and of the engine's batches (server/warmup/engine.ts readVersion). Always from the primary.
 */
export async function readWalPosition(database: Database): Promise<string> {
  const [row] = await database.rows<{ position: string }>(sql`select (pg_current_wal_lsn() - '0/0'::pg_lsn)::text as position`);
  return row!.position.split('.')[0]!;
}

/**
 * The engine's freshness guard for runs (RunDeps.readVersion): on whenever the change stream may
 * re-warm keys, so a run's batch loaded before a change never overwrites its re-warmed value.
 */
export function freshnessGuard(config: Config, database: Database): (() => Promise<string>) | undefined {
  return config.changeStream.mode === 'off' ? undefined : () => readWalPosition(database);
}
