import 'server-only';
import { and, asc, desc, eq, isNotNull } from 'drizzle-orm';
import { successRate } from '@/lib/success-rate';
import type { Database } from '../db/client';
import { type Scope, runs } from '../db/schema';
import { AppError } from '../errors';
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
    runtime.database.db.select().from(runs).where(and(isNotNull(runs.finishedAt), eq(runs.dryRun, false))).orderBy(desc(runs.finishedAt)).limit(1),
    runtime.database.db.select({ id: runs.id }).from(runs).where(eq(runs.status, 'running')).orderBy(asc(runs.createdAt)),
  ]);
  return {
    enabled: runtime.warmupOnStartup,
    strategies: strategies.sort(byPriority).map((s) => ({ name: s.name, context: s.strategy.context, priority: s.priority, ttlSeconds: s.ttlSeconds, enabled: s.enabled })),
    lastWarmup: last
      ? {
          runId: last.id,
          trigger: last.trigger,
          status: last.status,
          finishedAt: last.finishedAt!.toISOString(),
          durationMs: last.durationMs,
          total: last.total,
          warmed: last.warmed,
          skipped: last.skipped,
          failed: last.failed,
          successRate: successRate(last),
        }
      : null,
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
