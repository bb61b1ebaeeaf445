import 'server-only';
import { sql } from 'drizzle-orm';
import type { Scope } from '../db/schema';
import { AppError } from '../errors';
import type { Database } from '../db/client';
import { successRateSql } from '../db/sql-fragments';
import type { StrategyRegistry } from '../warmup/registry';
import { byPriority, resolveStrategies } from '../warmup/settings';

export type WarmupSummary = {
  /** Whether this deployment warms at start. */
  enabled: boolean;
  strategies: { name: string; context: string; priority: number; ttlSeconds: number; enabled: boolean }[];
  lastWarmup: {
    runId: string;
    trigger: string;
    status: string;
    finishedAt: string;
    durationMs: number | null;
    total: number;
    warmed: number;
    skipped: number;
    failed: number;
    successRate: number | null;
  } | null;
  running: string[];
};

/** GET /admin/warmup/stats of the shop's original admin API, with real values. */
export async function getWarmupSummary(runtime: { database: Database; registry: StrategyRegistry; warmupOnStartup: boolean }): Promise<WarmupSummary> {
  const [strategies, [last], running] = await Promise.all([
    resolveStrategies(runtime.database, runtime.registry),
    runtime.database.rows<NonNullable<WarmupSummary['lastWarmup']>>(sql`
      select id::text as "runId", trigger, status, to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "finishedAt",
             duration_ms as "durationMs", total::float8 as total, warmed::float8 as warmed, skipped::float8 as skipped, failed::float8 as failed,
             ${successRateSql('warmed', 'failed')} as "successRate"
      from runs where finished_at is not null and not dry_run order by finished_at desc limit 1`),
    runtime.database.rows<{ id: string }>(sql`select id::text as id from runs where status = 'running' order by created_at`),
  ]);
  return {
    enabled: runtime.warmupOnStartup,
    strategies: strategies.sort(byPriority).map((s) => ({ name: s.name, context: s.strategy.context, priority: s.priority, ttlSeconds: s.ttlSeconds, enabled: s.enabled })),
    lastWarmup: last ?? null,
    running: running.map((r) => r.id),
  };
}

/** The seed's `POST /admin/warmup/{target}`: a strategy name, a tag, or `all`. */
export function scopeForTarget(runtime: { registry: StrategyRegistry }, target: string): Scope {
  if (target === 'all') return { all: true };
  if (runtime.registry.has(target)) return { strategies: [target] };
  if (runtime.registry.tags().includes(target)) return { tags: [target] };
  throw new AppError('not_found', `Unknown warmup target ${target}: use a strategy (${runtime.registry.names().join(', ')}), a tag (${runtime.registry.tags().join(', ')}) or all`, { field: 'target' });
}
