import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import type { ListRunsQuery, RunDetail, RunFailureItem, RunList, RunListItem, RunStrategyResult } from '@/lib/api/runs';
import type { Database } from '../db/client';
import { successRateSql } from '../db/sql-fragments';
import { AppError } from '../errors';

/** The run columns every listing returns, as JSON-ready camelCase values. */
const RUN_COLUMNS = sql`
  r.id::text as id, r.trigger, r.triggered_by as "triggeredBy", r.schedule_id as "scheduleId",
  s.name as "scheduleName", r.scope, r.strategies, r.status, r.dry_run as "dryRun",
  r.only_missing as "onlyMissing", r.concurrency,
  to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
  to_char(r.finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "finishedAt",
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

/** One run with its per-strategy results and failures (optionally only those matching `search`). */
export async function getRunDetail(database: Database, id: string, options: { search?: string } = {}): Promise<RunDetail> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new AppError('not_found', `No run with id ${id}`, { field: 'id' });
  }
  const [run] = await database.rows<RunDetail>(sql`
    select ${RUN_COLUMNS}, r.owner,
      to_char(r.heartbeat_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "heartbeatAt",
      to_char(r.cancel_requested_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "cancelRequestedAt",
      r.cancel_requested_by as "cancelRequestedBy", r.retry_of::text as "retryOf", r.key_filter as "keyFilter",
      r.progress, r.estimate, (select count(*)::int from run_failures f where f.run_id = r.id) as "failureCount"
    from runs r left join schedules s on s.id = r.schedule_id
    where r.id = ${id}::uuid`);
  if (!run) throw new AppError('not_found', `No run with id ${id}`, { field: 'id' });
  const search = options.search?.trim();
  const [results, failures] = await Promise.all([
    database.rows<RunStrategyResult>(sql`
      select strategy, position, outcome, priority, ttl_seconds as "ttlSeconds", total, warmed, skipped, failed,
             success_rate as "successRate",
             to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "startedAt",
             to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "finishedAt",
             duration_ms as "durationMs", error
      from run_strategies where run_id = ${id}::uuid order by position`),
    database.rows<RunFailureItem>(sql`
      select strategy, key, error, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
      from run_failures
      where run_id = ${id}::uuid
        ${search ? sql`and (key ilike ${'%' + escapeLike(search) + '%'} or error ilike ${'%' + escapeLike(search) + '%'})` : sql``}
      order by id limit 1000`),
  ]);
  return { ...run, results, failures };
}

/** All failed keys of a run, per strategy: what "Retry failed keys" warms again. */
export async function getFailedKeys(database: Database, id: string): Promise<Record<string, string[]>> {
  const rows = await database.rows<{ strategy: string; keys: string[] }>(sql`
    select strategy, array_agg(distinct key) as keys from run_failures where run_id = ${id}::uuid group by strategy`);
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
