import 'server-only';
import { sql } from 'drizzle-orm';
import type { StrategyRunSummary, StrategyView } from '@/lib/api/strategies';
import type { Database } from '../db/client';
import { strategyLocks, strategySettings } from '../db/schema';
import { isoTimestamp, textArray } from '../db/sql-fragments';
import { RecentAnswers } from '../http/recent-answers';
import type { StrategyRegistry } from '../warmup/registry';
import { byPriority, resolveStrategies } from '../warmup/settings';

const RECENT_RUNS = 20;

/**
 * Whether a retry's result (run_strategies `rs`, trigger `retry`) speaks for its strategy: only when
 * it went through every key that failed in the run it retried, and that run was still the
 * strategy's latest real run. A partial retry (cancelled, cut by its deadline, or of an older run)
 * says nothing about the keys it never reached: the failing run stays the strategy's last run, and
 * its alert stands, until every failed key was retried or a full run succeeded.
 */
function retryCoveredAll() {
  return sql`exists (
    select 1 from runs rr
    join run_strategies o on o.run_id = rr.retry_of and o.strategy = rs.strategy
    where rr.id = rs.run_id and rs.total >= o.failed
      and not exists (
        select 1 from run_strategies n
        where n.strategy = rs.strategy and not n.dry_run and n.trigger <> 'retry'
          and n.finished_at > o.finished_at and n.finished_at < rs.finished_at))`;
}

/** Every strategy as operators see it: settings in force, defaults, last run, recent success rates. */
export async function listStrategyViews(database: Database, registry: StrategyRegistry): Promise<StrategyView[]> {
  const [resolved, overrides, recent, leases] = await Promise.all([
    resolveStrategies(database, registry),
    database.db
      .select({ strategy: strategySettings.strategy, version: strategySettings.version, updatedAt: strategySettings.updatedAt, updatedBy: strategySettings.updatedBy, rewarmOnChange: strategySettings.rewarmOnChange })
      .from(strategySettings),
    // The last runs of each registered strategy: one short walk down the (strategy, finished_at)
    // index per strategy, so the cost stays flat however long the history grows (a window over
    // every row took 67 ms of SQL at a year of runs, this 0.3 ms; every overview polls it).
    // `nulls last` as in the index (drizzle's .desc()); without it Postgres sorts every row.
    database.rows<StrategyRunSummary & { strategy: string }>(sql`
      select s.strategy, x."runId", x.outcome, x."finishedAt", x.total, x.warmed, x.skipped, x.failed, x."successRate", x."durationMs"
      from unnest(${textArray(registry.names())}) as s(strategy)
      cross join lateral (
        select rs.run_id::text as "runId", rs.outcome, ${isoTimestamp('rs.finished_at')} as "finishedAt", rs.finished_at,
               rs.total, rs.warmed, rs.skipped, rs.failed, rs.success_rate as "successRate", rs.duration_ms as "durationMs"
        from run_strategies rs
        where rs.strategy = s.strategy and not rs.dry_run and (rs.trigger <> 'retry' or ${retryCoveredAll()})
        order by rs.finished_at desc nulls last
        limit ${RECENT_RUNS}) x
      order by s.strategy, x.finished_at`),
    database.db
      .select({
        strategy: strategyLocks.strategy,
        runId: strategyLocks.runId,
        // A run locks all its strategies at its start and warms them one after another.
        state: sql<'waiting' | 'running' | 'done'>`case
          when exists (select 1 from run_strategies rs where rs.run_id = ${strategyLocks.runId} and rs.strategy = ${strategyLocks.strategy}) then 'done'
          when exists (select 1 from run_shards sh where sh.run_id = ${strategyLocks.runId} and sh.strategy = ${strategyLocks.strategy}) then 'running'
          else 'waiting' end`,
      })
      .from(strategyLocks),
  ]);
  return resolved.sort(byPriority).map((r) => {
    const override = overrides.find((o) => o.strategy === r.name);
    const runs = recent.filter((x) => x.strategy === r.name);
    const last = runs.at(-1);
    return {
      name: r.name,
      context: r.strategy.context,
      tags: [...r.strategy.tags],
      description: r.strategy.description,
      priority: r.priority,
      ttlSeconds: r.ttlSeconds,
      enabled: r.enabled,
      rewarmOnChange: override?.rewarmOnChange ?? true,
      options: r.options,
      defaults: {
        priority: r.strategy.defaultPriority,
        ttlSeconds: r.defaultTtlSeconds,
        enabled: r.strategy.defaultEnabled,
        rewarmOnChange: true,
        options: r.strategy.optionsSchema.parse({}) as Record<string, unknown>,
      },
      lastRun: last ? (({ strategy: _, ...rest }) => rest)(last) : null,
      recent: runs.map((x) => ({ finishedAt: x.finishedAt, successRate: x.successRate, outcome: x.outcome })),
      busyWith: leases.find((l) => l.strategy === r.name)?.runId ?? null,
      busyState: leases.find((l) => l.strategy === r.name)?.state ?? null,
      updatedAt: override?.updatedAt.toISOString() ?? null,
      updatedBy: override?.updatedBy ?? null,
      version: override?.version ?? 0,
    };
  });
}

const recent = new RecentAnswers<StrategyView[]>(2000, 4);

/**
 * listStrategyViews for the API: dashboards poll it; an answer up to 2 s old is reused. A change
 * made through this process (forgetRecentStrategyViews) is seen at once; one made through
 * another replica within 2 s.
 */
export function listStrategyViewsRecent(database: Database, registry: StrategyRegistry): Promise<StrategyView[]> {
  return recent.get(database, 'all', () => listStrategyViews(database, registry));
}

export function forgetRecentStrategyViews(database: Database): void {
  recent.forget(database);
}
