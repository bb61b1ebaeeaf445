import 'server-only';
import { type SQL, and, asc, eq, ilike, or, sql } from 'drizzle-orm';
import type { ListRunsQuery, RunDetail, RunFailureItem, RunList, RunListItem, RunShardItem, RunStrategyResult } from '@/lib/api/runs';
import type { Database } from '../db/client';
import { type RunFailure, type RunShard, type RunStrategy, runFailures, runShards, runStrategies } from '../db/schema';
import { isoTimestamp, successRateSql } from '../db/sql-fragments';
import { AppError } from '../errors';
import { runProgressJson } from './run-progress-sql';

/** The run columns every listing returns, as JSON-ready camelCase values. */
const RUN_COLUMNS = sql`
  r.id::text as id, r.trigger, r.triggered_by as "triggeredBy", r.schedule_id as "scheduleId",
  s.name as "scheduleName", r.scope, r.strategies, r.status, r.dry_run as "dryRun",
  r.only_missing as "onlyMissing", r.concurrency,
  ${isoTimestamp('r.created_at')} as "createdAt", ${isoTimestamp('r.finished_at')} as "finishedAt",
  r.duration_ms as "durationMs", r.total::float8 as total, r.warmed::float8 as warmed,
  r.skipped::float8 as skipped, r.failed::float8 as failed,
  ${successRateSql('r.warmed', 'r.failed')} as "successRate",
  r.error`;

/**
 * Runs, newest first, with keyset pagination on (created_at, id): a page never repeats or skips a
 * run however many are created meanwhile.
 */
export async function listRuns(database: Database, query: ListRunsQuery): Promise<RunList> {
  const limit = query.limit ?? 50;
  const where: SQL[] = [];
  if (query.strategy) where.push(sql`${query.strategy} = any(r.strategies)`);
  if (query.trigger) where.push(sql`r.trigger = ${query.trigger}`);
  if (query.status) where.push(sql`r.status = ${query.status}`);
  if (query.from) where.push(sql`r.created_at >= ${query.from}::timestamptz`);
  if (query.to) where.push(sql`r.created_at < ${query.to}::timestamptz`);
  if (query.includeDryRuns !== 'true') where.push(sql`not r.dry_run`);
  if (query.q) {
    // The id by its prefix (what the pages show: "Run 3f2a9c1b"), the rest by substring, a strategy
    // also by its label ("hot products").
    const like = `%${escapeLike(query.q)}%`;
    where.push(sql`(r.id::text like ${`${escapeLike(query.q.toLowerCase())}%`} or r.triggered_by ilike ${like} or coalesce(s.name, '') ilike ${like}
      or replace(array_to_string(r.strategies, ' '), '_', ' ') ilike ${like} or array_to_string(r.strategies, ' ') ilike ${like} or coalesce(r.error, '') ilike ${like})`);
  }
  if (query.cursor) {
    const { at, id } = decodeCursor(query.cursor);
    where.push(sql`(r.created_at, r.id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await database.rows<RunListItem & { cursorAt: string }>(sql`
    select ${RUN_COLUMNS}, r.created_at::text as "cursorAt"
    from runs r left join schedules s on s.id = r.schedule_id
    ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
    -- The same order as runs_created_idx (drizzle writes desc indexes NULLS LAST), so it is a walk down it.
    order by r.created_at desc nulls last, r.id desc nulls last
    limit ${limit + 1}`);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(({ cursorAt: _, ...item }) => item),
    nextCursor: rows.length > limit && last ? encodeCursor(last.cursorAt, last.id) : null,
  };
}

/** One run with its per-strategy results, its shards and its failures (optionally only those matching `search`). */
export async function getRunDetail(database: Database, id: string, options: { search?: string } = {}): Promise<RunDetail> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new AppError('not_found', `No run with id ${id}`, { field: 'id' });
  }
  const [run] = await database.rows<Omit<RunDetail, 'results' | 'shards' | 'failures'>>(sql`
    select ${RUN_COLUMNS}, r.owner, ${isoTimestamp('r.cancel_requested_at')} as "cancelRequestedAt",
      r.cancel_requested_by as "cancelRequestedBy", r.retry_of::text as "retryOf", r.key_filter as "keyFilter",
      ${runProgressJson()} as progress, r.estimate, r.warnings, (select count(*)::int from run_failures f where f.run_id = r.id) as "failureCount"
    from runs r left join schedules s on s.id = r.schedule_id
    where r.id = ${id}::uuid`);
  if (!run) throw new AppError('not_found', `No run with id ${id}`, { field: 'id' });
  const search = options.search?.trim();
  const [results, shards, failures] = await Promise.all([
    database.db.select().from(runStrategies).where(eq(runStrategies.runId, id)).orderBy(asc(runStrategies.position)),
    database.db.select().from(runShards).where(eq(runShards.runId, id)).orderBy(asc(runShards.queuedAt), asc(runShards.strategy), asc(runShards.shard)),
    database.db
      .select()
      .from(runFailures)
      .where(and(eq(runFailures.runId, id), search ? or(ilike(runFailures.key, `%${escapeLike(search)}%`), ilike(runFailures.error, `%${escapeLike(search)}%`)) : undefined))
      .orderBy(asc(runFailures.id))
      .limit(1000),
  ]);
  return { ...run, results: results.map(toStrategyResult), shards: shards.map(toShardItem), failures: failures.map(toFailureItem) };
}

function toStrategyResult(r: RunStrategy): RunStrategyResult {
  return {
    strategy: r.strategy,
    position: r.position,
    outcome: r.outcome,
    priority: r.priority,
    ttlSeconds: r.ttlSeconds,
    total: r.total,
    warmed: r.warmed,
    skipped: r.skipped,
    failed: r.failed,
    successRate: r.successRate,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt.toISOString(),
    durationMs: r.durationMs,
    error: r.error,
  };
}

function toShardItem(s: RunShard): RunShardItem {
  return {
    strategy: s.strategy,
    shard: s.shard,
    status: s.status,
    rangeFrom: s.rangeFrom,
    rangeTo: s.rangeTo,
    skip: s.skip,
    worker: s.worker,
    attempt: s.attempt,
    retries: s.retries,
    expected: s.expected,
    total: s.status === 'running' ? (s.progress?.done ?? 0) : s.total,
    warmed: s.status === 'running' ? (s.progress?.warmed ?? 0) : s.warmed,
    skipped: s.status === 'running' ? (s.progress?.skipped ?? 0) : s.skipped,
    failed: s.status === 'running' ? (s.progress?.failed ?? 0) : s.failed,
    phase: s.phase,
    queuedAt: s.queuedAt.toISOString(),
    startedAt: s.startedAt?.toISOString() ?? null,
    finishedAt: s.finishedAt?.toISOString() ?? null,
    durationMs: s.durationMs,
    cut: s.cut,
    error: s.error,
  };
}

function toFailureItem(f: RunFailure): RunFailureItem {
  return { strategy: f.strategy, key: f.key, error: f.error, at: f.at.toISOString() };
}

/** All failed keys of a run, per strategy: what "Retry failed keys" warms again. */
export async function getFailedKeys(database: Database, id: string): Promise<Record<string, string[]>> {
  const rows = await database.db
    .select({ strategy: runFailures.strategy, keys: sql<string[]>`array_agg(distinct ${runFailures.key})` })
    .from(runFailures)
    .where(eq(runFailures.runId, id))
    .groupBy(runFailures.strategy);
  return Object.fromEntries(rows.map((r) => [r.strategy, r.keys]));
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error('bad cursor');
    return { at, id };
  } catch {
    throw new AppError('invalid_request', 'cursor: not a cursor this API returned', { field: 'cursor' });
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&');
}
