import 'server-only';
import { sql } from 'drizzle-orm';
import type { CoverageHistory, CoverageHistoryQuery, CoverageOverview, CoverageSample, RunCoverage } from '@/lib/api/effect';
import type { Database } from '../db/client';
import { AppError } from '../errors';
import type { StrategyRegistry } from '../warmup/registry';
import { byPriority, resolveStrategies } from '../warmup/settings';
import { type CoverageRow, SAMPLE_COLUMNS, toCoverageSample } from './coverage-rows';
import { getRunMarkers } from './run-markers';
import { textArray } from '../db/sql-fragments';
import { timeRange } from './time-range';

const MAX_SAMPLES_PER_STRATEGY = 2000;

/** Every registered strategy (in run order) with its newest sample and its newest after-run sample. */
export async function getCoverageOverview(database: Database, registry: StrategyRegistry, sampleIntervalMinutes: number): Promise<CoverageOverview> {
  const resolved = (await resolveStrategies(database, registry)).sort(byPriority);
  const names = textArray(resolved.map((s) => s.name));
  const latestOf = (afterRun: boolean) =>
    database.rows<CoverageRow>(sql`
      select l.* from unnest(${names}) as st(name)
      cross join lateral (
        select ${SAMPLE_COLUMNS} from coverage_samples s
        where s.strategy = st.name ${afterRun ? sql`and s.run_id is not null` : sql``}
        order by s.sampled_at desc, s.id desc limit 1) l`);
  const [latest, afterRun] = await Promise.all([latestOf(false), latestOf(true)]);
  const strategies = resolved.map((r) => {
    const last = latest.find((row) => row.strategy === r.name);
    const lastAfterRun = afterRun.find((row) => row.strategy === r.name);
    return {
      strategy: r.name,
      enabled: r.enabled,
      ttlSeconds: r.ttlSeconds,
      latest: last ? toCoverageSample(last) : null,
      latestAfterRun: lastAfterRun ? toCoverageSample(lastAfterRun) : null,
    };
  });
  return { strategies, evictionWarning: strategies.some((s) => s.latest?.evictionWarning), sampleIntervalMinutes };
}

/** Samples in [from, to) per strategy, oldest first, with the runs of the range as markers. */
export async function getCoverageHistory(database: Database, registry: StrategyRegistry, query: CoverageHistoryQuery, now = new Date()): Promise<CoverageHistory> {
  const { from, to } = timeRange(query, now);
  if (query.strategy && !registry.has(query.strategy)) {
    throw new AppError('invalid_request', `strategy: unknown strategy ${query.strategy} (known: ${registry.names().join(', ')})`, { field: 'strategy' });
  }
  const names = query.strategy ? [query.strategy] : registry.names();
  const [rows, markers] = await Promise.all([
    database.rows<CoverageRow>(sql`
      select l.* from unnest(${textArray(names)}) as st(name)
      cross join lateral (
        select ${SAMPLE_COLUMNS} from coverage_samples s
        where s.strategy = st.name
          and s.sampled_at >= ${from.toISOString()}::timestamptz and s.sampled_at < ${to.toISOString()}::timestamptz
        order by s.sampled_at desc, s.id desc limit ${MAX_SAMPLES_PER_STRATEGY}) l`),
    getRunMarkers(database, from, to),
  ]);
  const series = names.map((strategy) => ({
    strategy,
    samples: rows
      .filter((r) => r.strategy === strategy)
      .reverse()
      .map(toCoverageSample),
  }));
  return { from: from.toISOString(), to: to.toISOString(), series, runs: markers.runs, runsTruncated: markers.truncated };
}

/** The samples taken right after a run ended, one per strategy it warmed. 404 for an unknown run. */
export async function getRunCoverage(database: Database, runId: string): Promise<RunCoverage> {
  const [run] = await database.rows<{ id: string }>(sql`select id::text as id from runs where id = ${runId}::uuid`);
  if (!run) throw new AppError('not_found', `No run with id ${runId}`, { field: 'id' });
  const rows = await database.rows<CoverageRow>(sql`
    select ${SAMPLE_COLUMNS} from coverage_samples s where s.run_id = ${runId}::uuid order by s.sampled_at, s.id`);
  return { runId, samples: rows.map(toCoverageSample) };
}

export async function getCoverageSamples(database: Database, ids: readonly number[]): Promise<CoverageSample[]> {
  if (ids.length === 0) return [];
  const rows = await database.rows<CoverageRow>(sql`
    select ${SAMPLE_COLUMNS} from coverage_samples s where s.id = any(${`{${ids.join(',')}}`}::bigint[]) order by s.id`);
  return rows.map(toCoverageSample);
}
