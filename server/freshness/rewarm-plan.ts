import 'server-only';
import { sql } from 'drizzle-orm';
import type { Config } from '../config';
import type { Database } from '../db/client';
import type { StrategyRegistry } from '../warmup/registry';
import { getSettings, resolveStrategies } from '../warmup/settings';
import type { RewarmPlan, RewarmStrategy } from './rewarm';

/**
 * What a flush needs to know: the strategies with their settings and re-warm-on-change flag, batch
 * size and load timeout (re-read at most every second, so a setting changed anywhere holds within
 * one), and, read fresh for every flush, the WAL position as the markers' version (BEFORE the
 * loads, as the engine reads its own before its batch loads) and whether a run is going.
 */
export async function readRewarmPlan(database: Database, registry: StrategyRegistry): Promise<RewarmPlan> {
  const [settled, [now]] = await Promise.all([
    cachedSettings(database, registry),
    database.rows<{ position: string; running: boolean }>(sql`
      select (pg_current_wal_lsn() - '0/0'::pg_lsn)::text as position, exists (select 1 from runs where status = 'running') as running`),
  ]);
  return { ...settled, version: now!.position.split('.')[0]!, markAll: now!.running };
}

type Settled = Omit<RewarmPlan, 'version' | 'markAll'>;
const SETTINGS_FOR_MS = 1000;
const settledCache = new WeakMap<Database, { at: number; value: Promise<Settled> }>();

/** The strategies and settings, re-read at most every second: a busy stream flushes many times a second. */
function cachedSettings(database: Database, registry: StrategyRegistry): Promise<Settled> {
  const hit = settledCache.get(database);
  if (hit && Date.now() - hit.at < SETTINGS_FOR_MS) return hit.value;
  const value = (async () => {
    const settings = await getSettings(database);
    const [resolved, flags] = await Promise.all([
      resolveStrategies(database, registry, settings),
      database.rows<{ strategy: string; rewarm: boolean | null }>(sql`select strategy, rewarm_on_change as rewarm from strategy_settings`),
    ]);
    const rewarm = new Map(flags.map((f) => [f.strategy, f.rewarm]));
    return {
      strategies: new Map<string, RewarmStrategy>(resolved.map((r) => [r.name, { ...r, rewarmOnChange: rewarm.get(r.name) ?? true }])),
      batchSize: settings.batchSize,
      loadTimeoutMs: settings.keyTimeoutMs,
      markerTtlSeconds: markerTtlSeconds(settings.keyTimeoutMs),
    };
  })();
  value.catch(() => settledCache.delete(database));
  settledCache.set(database, { at: Date.now(), value });
  return value;
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
export function freshnessGuard(config: Config, database: Database, waitMs = GUARD_READ_WAIT_MS): (() => Promise<string>) | undefined {
  if (config.changeStream.mode === 'off') return undefined;
  // While the database cannot be asked (it refuses, or hangs as a server going away does), the last
  // position read stands in: an older position only makes the guard skip more keys (any re-warmed
  // since), never lets a stale value win, and a run whose loads need no database warms on.
  let last: string | undefined;
  let pending: Promise<string> | null = null;
  return async () => {
    if (pending && last !== undefined) return last; // an earlier batch is still asking
    const read = (pending ??= readWalPosition(database)
      .then((position) => (last = position))
      .finally(() => {
        pending = null;
      }));
    if (last === undefined) return read; // nothing to stand in: the batch waits, or fails with the error
    const known = last;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(known), waitMs);
    });
    try {
      return await Promise.race([read, waited]);
    } catch {
      return known;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** How long a batch waits for the database's position before the last one read stands in. */
export const GUARD_READ_WAIT_MS = 1000;
