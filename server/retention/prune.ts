import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { queryErrorMessage } from '../db/query-error';
import { timestamptz } from '../db/sql-fragments';
import { type PolicyDays, RETENTION_POLICIES, type RetentionPolicy, effectiveDays } from './policies';
import { rollUpDaysBefore } from './rollups';

export type PruneOptions = {
  /** KILN_TIMEZONE: days of rollups, and the day boundary runs are pruned at. */
  timezone: string;
  /** Rows (or, for runs, about rows of run_strategies) one statement deletes at most. */
  batchRows: number;
  /** The moment ages are counted from (tests and the bench move it). */
  now?: Date;
  /** Pause between two batches, so other queries pass (ms). */
  pauseMs?: number;
  /** Who pruned, for the Settings page (host:pid). */
  by?: string;
  /** Asked between batches: true ends the pass there (a process shutting down). */
  shouldStop?: () => boolean;
  /** Called after every batch (the bench measures with it). */
  onBatch?: (table: string, removed: number) => void;
};

export type PruneReport = {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Rows removed, per table. */
  removed: Record<string, number>;
  rolledUpDays: number;
  /** Run statistics before this come from the rollups. */
  rawRunsFrom: string | null;
  /** Each policy's cutoff (rows older than it went). */
  cutoffs: Record<string, string>;
};

/** The operator's retention days, else each policy's default. */
export async function loadPolicyDays(database: Database): Promise<PolicyDays> {
  const rows = await database.rows<{ policy: string; days: number }>(sql`select policy, days from retention_policies`);
  return effectiveDays(Object.fromEntries(rows.map((r) => [r.policy, r.days])));
}

/** A (possibly schema-qualified) table or column name, quoted. Names come from the policy list, never from input. */
export function ident(name: string): SQL {
  return sql.raw(
    name
      .split('.')
      .map((part) => `"${part.replace(/"/g, '""')}"`)
      .join('.'),
  );
}

async function tableExists(database: Database, table: string): Promise<boolean> {
  const [row] = await database.rows<{ ok: boolean }>(sql`select to_regclass(${table}) is not null as ok`);
  return Boolean(row?.ok);
}

/**
 * One pass over every policy: rows older than their policy's days are deleted in batches of at
 * most `batchRows` rows a statement (each its own short transaction), runs after their days are
 * rolled up. Pass it under the retention lock (server/retention/retention-runner.ts): it assumes
 * no other pass runs at once. Records what it did in retention_state.
 */
export async function pruneOnce(database: Database, options: PruneOptions): Promise<PruneReport> {
  const started = new Date();
  const now = options.now ?? started;
  await database.rows(sql`update retention_state set last_started_at = ${timestamptz(started)}, last_by = ${options.by ?? null} where id = 1`);
  const days = await loadPolicyDays(database);
  const removed: Record<string, number> = {};
  const cutoffs: Record<string, string> = {};
  const count = (table: string, n: number) => {
    removed[table] = (removed[table] ?? 0) + n;
    if (n > 0) options.onBatch?.(table, n);
  };
  let rolledUpDays = 0;
  try {
    for (const policy of RETENTION_POLICIES) {
      if (options.shouldStop?.()) break;
      const policyDays = days[policy.policy]!;
      if (policy.kind === 'rows') {
        const cutoff = new Date(now.getTime() - policyDays * 86_400_000);
        cutoffs[policy.policy] = cutoff.toISOString();
        await pruneRows(database, policy, cutoff, options, count);
      } else if (policy.kind === 'runs') {
        const cutoff = await dayBoundary(database, options.timezone, new Date(now.getTime() - policyDays * 86_400_000));
        cutoffs[policy.policy] = cutoff.toISOString();
        rolledUpDays += await rollUpDaysBefore(database, options.timezone, cutoff);
        // From here the statistics of the days before the cutoff come from the rollups: the raw
        // rows may go. (rollUpDaysBefore moved raw_runs_from to the cutoff when it had days to roll
        // up; with none, it moves here, under the same lock, unless a result saved meanwhile still
        // waits to be rolled up: the next pass does it.)
        await database.db.transaction(async (tx) => {
          await tx.execute(sql`select 1 from retention_state where id = 1 for update`);
          await tx.execute(sql`
            update retention_state set raw_runs_from = greatest(coalesce(raw_runs_from, ${timestamptz(cutoff)}), ${timestamptz(cutoff)})
            where id = 1 and not exists (
              select 1 from run_strategies
              where not dry_run and finished_at < ${timestamptz(cutoff)} and finished_at >= coalesce(raw_runs_from, '-infinity'::timestamptz))`);
        });
        await pruneRuns(database, cutoff, options, count);
      }
      // 'job-engine': pg-boss deletes its archive itself (deleteAfterDays, set from the policy at start).
    }
  } catch (error) {
    await database
      .rows(sql`update retention_state set last_error = ${queryErrorMessage(error)}, last_finished_at = now(), last_removed = ${JSON.stringify(removed)}::jsonb where id = 1`)
      .catch(() => {});
    throw error;
  }
  const finished = new Date();
  const durationMs = finished.getTime() - started.getTime();
  const [state] = await database.rows<{ raw_runs_from: string | null }>(sql`
    update retention_state set last_finished_at = ${timestamptz(finished)}, last_duration_ms = ${durationMs},
           last_removed = ${JSON.stringify(removed)}::jsonb, last_rolled_up_days = ${rolledUpDays}, last_error = null
    where id = 1
    returning to_char(raw_runs_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as raw_runs_from`);
  return { startedAt: started.toISOString(), finishedAt: finished.toISOString(), durationMs, removed, rolledUpDays, rawRunsFrom: state?.raw_runs_from ?? null, cutoffs };
}

/** The start (in `timezone`) of the day that holds `moment`: runs are pruned by whole days. */
export async function dayBoundary(database: Database, timezone: string, moment: Date): Promise<Date> {
  const [row] = await database.rows<{ at: string }>(sql`
    select to_char((date_trunc('day', ${timestamptz(moment)} at time zone ${timezone}) at time zone ${timezone}) at time zone 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at`);
  return new Date(row!.at);
}

const pause = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

async function pruneRows(database: Database, policy: RetentionPolicy, cutoff: Date, options: PruneOptions, count: (table: string, n: number) => void): Promise<void> {
  const table = policy.table!;
  if (!(await tableExists(database, table))) return;
  const t = ident(table);
  const column = ident(policy.column!);
  const where = sql`${column} < ${timestamptz(cutoff)}${policy.where ? sql.raw(` and (${policy.where})`) : sql``}`;
  for (;;) {
    // Picked through an index (the ordered key, or the age column), deleted by that key or ctid.
    const victims = policy.orderBy
      ? sql`${ident(policy.orderBy)} in (select ${ident(policy.orderBy)} from ${t} where ${where} order by ${ident(policy.orderBy)} limit ${options.batchRows})`
      : sql`ctid = any(array(select ctid from ${t} where ${where} limit ${options.batchRows}))`;
    const [row] = await database.rows<{ n: number }>(sql`with gone as (delete from ${t} where ${victims} returning 1) select count(*)::int as n from gone`);
    const n = row?.n ?? 0;
    count(table, n);
    if (n < options.batchRows || options.shouldStop?.()) return;
    await pause(options.pauseMs ?? 5);
  }
}

/**
 * Runs that ended before the cutoff (never one still running, nor one with a strategy result at or
 * after the cutoff), oldest first, a batch of runs at a time: their failures (in batches), then
 * their shards, strategy results and the runs themselves in one short transaction.
 */
async function pruneRuns(database: Database, cutoff: Date, options: PruneOptions, count: (table: string, n: number) => void): Promise<void> {
  const runBatch = Math.max(20, Math.floor(options.batchRows / 5));
  const at = timestamptz(cutoff);
  for (;;) {
    const picked = await database.rows<{ id: string }>(sql`
      select r.id from runs r
      where r.created_at < ${at} and r.status <> 'running' and coalesce(r.finished_at, r.created_at) < ${at}
        and not exists (select 1 from run_strategies s where s.run_id = r.id and s.finished_at >= ${at})
      order by r.created_at
      limit ${runBatch}`);
    if (picked.length === 0) return;
    const ids = sql`${`{${picked.map((r) => r.id).join(',')}}`}::uuid[]`;
    for (;;) {
      const [row] = await database.rows<{ n: number }>(sql`
        with gone as (delete from run_failures where id in (select id from run_failures where run_id = any(${ids}) limit ${options.batchRows}) returning 1)
        select count(*)::int as n from gone`);
      count('run_failures', row?.n ?? 0);
      if ((row?.n ?? 0) < options.batchRows) break;
      await pause(options.pauseMs ?? 5);
    }
    // One statement (one short transaction); checked again at the delete: a run is never removed while running.
    const [removed] = await database.rows<{ shards: number; strategies: number; runs: number }>(sql`
      with gone as (delete from runs where id = any(${ids}) and status <> 'running' returning id),
           shards as (delete from run_shards where run_id in (select id from gone) returning 1),
           strategies as (delete from run_strategies where run_id in (select id from gone) returning 1)
      select (select count(*) from shards)::int as shards, (select count(*) from strategies)::int as strategies, (select count(*) from gone)::int as runs`);
    count('run_shards', removed!.shards);
    count('run_strategies', removed!.strategies);
    count('runs', removed!.runs);
    if (picked.length < runBatch || options.shouldStop?.()) return;
    await pause(options.pauseMs ?? 5);
  }
}
