import 'server-only';
import { sql } from 'drizzle-orm';
import type { FreshnessCounts, FreshnessOverview, FreshnessPoint, FreshnessQuery, FreshnessStrategySeries } from '@/lib/api/freshness';
import { DELAY_BUCKETS, addHistograms, delayPercentile } from '@/lib/freshness';
import type { ChangeStreamConfig } from '../config';
import type { Database } from '../db/client';
import { isoTimestamp, timestamptz } from '../db/sql-fragments';
import type { StrategyRegistry } from '../warmup/registry';
import { resolveStrategies } from '../warmup/settings';
import type { ConsumerStatus } from './consumer';
import { loadStreamState } from './freshness-store';

const HOUR = 3_600_000;

/**
 * The freshness view: the change stream as its holder last recorded it (this process's own view
 * when nothing is recorded yet), and per strategy and bucket what re-warming on change did, with
 * the p50/p95/max delay from commit to cache write from the summed histograms.
 */
export async function getFreshnessOverview(
  deps: { database: Database; registry: StrategyRegistry; config: ChangeStreamConfig; local: ConsumerStatus },
  query: FreshnessQuery,
  now = new Date(),
): Promise<FreshnessOverview> {
  const { database, registry, config, local } = deps;
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - HOUR);
  const bucket = query.bucket ?? (to.getTime() - from.getTime() > 6 * HOUR ? 'hour' : 'minute');
  const [state, resolved, flags, rows] = await Promise.all([
    loadStreamState(database),
    resolveStrategies(database, registry),
    database.rows<{ strategy: string; rewarm: boolean | null }>(sql`select strategy, rewarm_on_change as rewarm from strategy_settings`),
    database.rows<{ at: string; strategy: string; changes: number; rewarmed: number; deleted: number; skipped: number; failed: number; buckets: number[]; max: number; error: { key: string; error: string } | null }>(sql`
      select ${isoTimestamp(sql`date_trunc(${bucket}, bucket_start)`)} as at, strategy,
             changes::float8 as changes, rewarmed::float8 as rewarmed, deleted::float8 as deleted, skipped::float8 as skipped, failed::float8 as failed,
             delay_buckets::float8[] as buckets, delay_max_ms as max, last_error as error
      from freshness_stats
      where bucket_start >= ${timestamptz(from)} and bucket_start < ${timestamptz(to)}
      order by bucket_start`),
  ]);
  const rewarm = new Map(flags.map((f) => [f.strategy, f.rewarm]));

  type Acc = FreshnessCounts & { histogram: number[]; max: number };
  const empty = (): Acc => ({ changes: 0, rewarmed: 0, deleted: 0, skipped: 0, failed: 0, histogram: new Array(DELAY_BUCKETS).fill(0), max: 0 });
  const add = (acc: Acc, row: (typeof rows)[number]) => {
    acc.changes += row.changes;
    acc.rewarmed += row.rewarmed;
    acc.deleted += row.deleted;
    acc.skipped += row.skipped;
    acc.failed += row.failed;
    acc.histogram = addHistograms(acc.histogram, row.buckets);
    acc.max = Math.max(acc.max, row.max);
  };
  const percentiles = (acc: Acc) => {
    const any = acc.histogram.some((n) => n > 0);
    return { p50Ms: delayPercentile(acc.histogram, 0.5, acc.max), p95Ms: delayPercentile(acc.histogram, 0.95, acc.max), maxMs: any ? acc.max : null };
  };

  const strategies: FreshnessStrategySeries[] = resolved
    .sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name))
    .map((r) => {
      const mine = rows.filter((row) => row.strategy === r.name);
      const total = empty();
      const byBucket = new Map<string, Acc>();
      let lastError: FreshnessStrategySeries['lastError'] = null;
      for (const row of mine) {
        add(total, row);
        const acc = byBucket.get(row.at) ?? byBucket.set(row.at, empty()).get(row.at)!;
        add(acc, row);
        if (row.error) lastError = row.error;
      }
      const points: FreshnessPoint[] = [...byBucket].map(([bucketStart, acc]) => ({
        bucketStart,
        changes: acc.changes,
        rewarmed: acc.rewarmed,
        deleted: acc.deleted,
        skipped: acc.skipped,
        failed: acc.failed,
        ...percentiles(acc),
      }));
      const { histogram: _h, max: _m, ...counts } = total;
      return { strategy: r.name, enabled: r.enabled, rewarmOnChange: rewarm.get(r.name) ?? true, totals: { ...counts, ...percentiles(total) }, points, lastError };
    });

  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  return {
    stream: state
      ? {
          mode: state.mode as FreshnessOverview['stream']['mode'],
          state: state.state as FreshnessOverview['stream']['state'],
          slot: state.slot,
          holder: state.holder,
          lagBytes: state.lagBytes,
          pendingChanges: state.pendingChanges,
          changesPerSecond: state.changesPerSecond,
          lastError: state.lastError,
          warning: state.warning,
          droppedAt: iso(state.droppedAt),
          dropReason: state.dropReason,
          updatedAt: iso(state.updatedAt),
          maxRetainedBytes: config.maxRetainedBytes,
        }
      : {
          mode: local.mode ?? (config.mode === 'off' ? 'off' : 'triggers'),
          state: local.state,
          slot: local.slot,
          holder: null,
          lagBytes: null,
          pendingChanges: null,
          changesPerSecond: null,
          lastError: local.lastError,
          warning: null,
          droppedAt: null,
          dropReason: null,
          updatedAt: null,
          maxRetainedBytes: config.maxRetainedBytes,
        },
    from: from.toISOString(),
    to: to.toISOString(),
    bucket,
    strategies,
  };
}
