import 'server-only';
import { sql } from 'drizzle-orm';
import type { RunEstimate, StrategyEstimate } from '@/lib/api/effect';
import { estimateTotal } from '@/lib/api/estimate';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import type { StrategyStats } from '../warmup/engine';
import type { ResolvedStrategy, StrategyContext } from '../warmup/strategy';
import { sampleWarmSet } from './sample-warm-set';
import { textArray } from '../db/sql-fragments';

/** Keys a dry listing reads at most to count a strategy that cannot count itself. */
export const ESTIMATE_LISTING_LIMIT = 200_000;
/** Recent runs the expected speed comes from. */
const HISTORY_RUNS = 10;
/** Cached keys measured with MEMORY USAGE; values loaded when none is cached. */
const MEMORY_SAMPLE = 50;
const LOADED_SAMPLE = 10;
const TIMEOUT_MS = 20_000;

/** `shopDatabase`: where the shop's data is counted (SHOP_DATABASE_URL; default: `database`). */
export type EstimateDeps = { database: Database; shopDatabase?: Database; cache: Cache };
/** What a dry run counted, per strategy: its key count, or why counting failed. */
export type CountedKeys = Map<string, { count: number; error?: string }>;

/** The warmer's dry-run hook: estimates a real run from what the dry run counted. */
export function dryRunEstimator(deps: EstimateDeps): (strategies: ResolvedStrategy[], counted: StrategyStats[]) => Promise<RunEstimate> {
  return (strategies, counted) =>
    estimateRun(deps, strategies, { counted: new Map(counted.map((s) => [s.strategy, { count: s.total, error: s.error }])) });
}

/**
 * What a run of these strategies would take, per strategy and in total:
 * - keys: the dry run's count when given, else the strategy's own countKeys, else a dry listing
 *   (at most ESTIMATE_LISTING_LIMIT keys: beyond, a lower bound);
 * - duration: keys / the key-weighted speed of the strategy's last 10 full runs (not dry, not
 *   only-missing, not retries, that warmed keys); none without such history;
 * - memory: the mean MEMORY USAGE of up to 50 of its keys that are in the cache now, times the
 *   count; when none is cached, the mean size (key + value bytes) of up to 10 freshly loaded values.
 */
export async function estimateRun(
  deps: EstimateDeps,
  strategies: readonly ResolvedStrategy[],
  options: { counted?: CountedKeys; onlyMissing?: boolean; now?: Date } = {},
): Promise<RunEstimate> {
  const now = options.now ?? new Date();
  const [history, overheadMs] = await Promise.all([loadSpeedHistory(deps.database, strategies.map((s) => s.name)), loadRunOverhead(deps.database)]);
  const estimates: StrategyEstimate[] = [];
  // One strategy after the other, as a run would: the listings and loads are the database's work.
  for (const resolved of strategies) {
    const ctx: StrategyContext = { database: deps.shopDatabase ?? deps.database, options: resolved.options, signal: AbortSignal.timeout(TIMEOUT_MS), now, batchSize: 1000 };
    estimates.push(await estimateStrategy(deps, resolved, ctx, history.get(resolved.name), options.counted?.get(resolved.name)));
  }
  return {
    computedAt: now.toISOString(),
    strategies: estimates,
    total: estimateTotal(estimates, overheadMs),
    onlyMissing: options.onlyMissing ?? false,
  };
}

type Speed = { runs: number; keys: number; ms: number };

async function estimateStrategy(
  deps: EstimateDeps,
  resolved: ResolvedStrategy,
  ctx: StrategyContext,
  speed: Speed | undefined,
  counted: { count: number; error?: string } | undefined,
): Promise<StrategyEstimate> {
  const base = { strategy: resolved.name, ttlSeconds: resolved.ttlSeconds };
  let keys: StrategyEstimate['keys'];
  try {
    keys = counted ? { count: counted.count, exact: !counted.error, basis: 'dry_run' } : await countKeys(resolved, ctx);
  } catch (error) {
    return { ...base, keys: { count: 0, exact: false, basis: 'listing' }, duration: noDuration, memory: noMemory, error: `listing keys failed: ${message(error)}` };
  }
  const keysPerSecond = speed && speed.keys > 0 ? (speed.keys / Math.max(speed.ms, 1)) * 1000 : null;
  const duration: StrategyEstimate['duration'] = keysPerSecond
    ? { expectedMs: Math.round((keys.count / keysPerSecond) * 1000), basis: 'history', keysPerSecond: Math.round(keysPerSecond), runs: speed!.runs }
    : noDuration;
  const memory = await estimateMemory(deps, resolved, ctx, keys.count).catch(() => noMemory);
  return { ...base, keys, duration, memory, error: counted?.error ?? null };
}

const noDuration: StrategyEstimate['duration'] = { expectedMs: null, basis: 'none', keysPerSecond: null, runs: 0 };
const noMemory: StrategyEstimate['memory'] = { bytes: null, bytesPerKey: null, sampled: 0, basis: 'none' };

async function countKeys(resolved: ResolvedStrategy, ctx: StrategyContext): Promise<StrategyEstimate['keys']> {
  if (resolved.strategy.countKeys) return { count: await resolved.strategy.countKeys(ctx), exact: true, basis: 'count_keys' };
  let count = 0;
  for await (const batch of resolved.strategy.keys(ctx)) {
    count += batch.length;
    if (count >= ESTIMATE_LISTING_LIMIT) return { count, exact: false, basis: 'listing' };
  }
  return { count, exact: true, basis: 'listing' };
}

async function estimateMemory(deps: EstimateDeps, resolved: ResolvedStrategy, ctx: StrategyContext, count: number): Promise<StrategyEstimate['memory']> {
  const sample = await sampleWarmSet(resolved, ctx, { size: MEMORY_SAMPLE, walkLimit: 5_000 });
  if (sample.keys.length === 0) return noMemory;
  const sizes = (await deps.cache.memoryUsageMany(sample.keys)).filter((b): b is number => b !== null);
  if (sizes.length > 0) return perKey(sizes, count, 'memory_usage');

  const keys = sample.keys.slice(0, LOADED_SAMPLE);
  const { strategy } = resolved;
  const values = strategy.loadMany ? await strategy.loadMany(keys, ctx) : await Promise.all(keys.map((k) => strategy.load(k, ctx)));
  const loaded = keys.flatMap((key, i) => (values[i] == null ? [] : [Buffer.byteLength(key) + Buffer.byteLength(values[i]!)]));
  return loaded.length ? perKey(loaded, count, 'loaded_values') : noMemory;
}

function perKey(sizes: number[], count: number, basis: StrategyEstimate['memory']['basis']): StrategyEstimate['memory'] {
  const bytesPerKey = Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
  return { bytes: bytesPerKey * count, bytesPerKey, sampled: sizes.length, basis };
}

/** Keys and milliseconds of each strategy's last full runs, newest first (index-backed per strategy). */
async function loadSpeedHistory(database: Database, names: string[]): Promise<Map<string, Speed>> {
  if (names.length === 0) return new Map();
  const rows = await database.rows<{ strategy: string; runs: number; keys: number; ms: number }>(sql`
    select st.name as strategy, count(h.total)::int as runs,
           coalesce(sum(h.total), 0)::float8 as keys, coalesce(sum(h.duration_ms), 0)::float8 as ms
    from unnest(${textArray(names)}) as st(name)
    left join lateral (
      select rs.total, rs.duration_ms
      from run_strategies rs join runs r on r.id = rs.run_id
      where rs.strategy = st.name and not rs.dry_run and rs.outcome in ('succeeded', 'partial')
        and rs.warmed > 0 and not r.only_missing and r.trigger <> 'retry'
      order by rs.finished_at desc
      limit ${HISTORY_RUNS}
    ) h on true
    group by st.name`);
  return new Map(rows.map((r) => [r.strategy, { runs: r.runs, keys: r.keys, ms: r.ms }]));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What a run takes beyond its strategies' own work (its process starting, its records saved): the
 * median over the last runs that warmed keys. Null without such runs.
 */
async function loadRunOverhead(database: Database): Promise<number | null> {
  const [row] = await database.rows<{ ms: number | null }>(sql`
    select percentile_cont(0.5) within group (order by r.duration_ms - s.ms) as ms
    from (select id, duration_ms from runs
          where status in ('succeeded', 'partial') and not dry_run and duration_ms is not null
          order by created_at desc nulls last limit ${HISTORY_RUNS}) r
    join lateral (select coalesce(sum(duration_ms), 0) as ms from run_strategies where run_id = r.id) s on true`);
  return row?.ms === null || row?.ms === undefined ? null : Math.max(0, Math.round(row.ms));
}
