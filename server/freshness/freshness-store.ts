import 'server-only';
import { sql } from 'drizzle-orm';
import { DELAY_BUCKETS, delayBucket } from '@/lib/freshness';
import type { Database } from '../db/client';
import { type ChangeStreamStateRow, changeStreamState } from '../db/schema';
import { textArray, timestamptz } from '../db/sql-fragments';
import type { DueKey, StrategyTally } from './rewarm';

/** Adds a flush's counts to each strategy's row of the minute (an upsert that adds, histograms too). */
export async function recordTallies(database: Database, tallies: ReadonlyMap<string, StrategyTally>, changesSeen: ReadonlyMap<string, number>, at: Date): Promise<void> {
  const bucket = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  const names = new Set([...tallies.keys(), ...changesSeen.keys()]);
  for (const strategy of names) {
    const t = tallies.get(strategy) ?? { rewarmed: 0, deleted: 0, skipped: 0, failed: 0, delaysMs: [], lastError: null };
    const histogram = new Array<number>(DELAY_BUCKETS).fill(0);
    for (const ms of t.delaysMs) histogram[delayBucket(ms)]!++;
    const max = t.delaysMs.length ? Math.round(Math.max(...t.delaysMs)) : 0;
    const buckets = `{${histogram.join(',')}}`;
    await database.rows(sql`
      insert into freshness_stats as f (bucket_start, strategy, changes, rewarmed, deleted, skipped, failed, delay_buckets, delay_max_ms, last_error)
      values (${timestamptz(bucket)}, ${strategy}, ${changesSeen.get(strategy) ?? 0}, ${t.rewarmed}, ${t.deleted}, ${t.skipped}, ${t.failed},
              ${buckets}::bigint[], ${max}, ${t.lastError ? JSON.stringify(t.lastError) : null}::jsonb)
      on conflict (bucket_start, strategy) do update set
        changes = f.changes + excluded.changes,
        rewarmed = f.rewarmed + excluded.rewarmed,
        deleted = f.deleted + excluded.deleted,
        skipped = f.skipped + excluded.skipped,
        failed = f.failed + excluded.failed,
        delay_buckets = array(select coalesce(a, 0) + coalesce(b, 0) from unnest(f.delay_buckets, excluded.delay_buckets) as t(a, b)),
        delay_max_ms = greatest(f.delay_max_ms, excluded.delay_max_ms),
        last_error = coalesce(excluded.last_error, f.last_error)`);
  }
}

/** The stream's state row, as the consumer holding the stream writes it. */
export async function saveStreamState(database: Database, state: Omit<ChangeStreamStateRow, 'id' | 'updatedAt' | 'droppedAt' | 'dropReason'> & { droppedAt?: Date | null; dropReason?: string | null }): Promise<void> {
  const values = { ...state, updatedAt: new Date() };
  const set: Record<string, unknown> = { ...values };
  // The guard's last drop stays on record until another one replaces it.
  if (state.droppedAt === undefined) {
    delete set.droppedAt;
    delete set.dropReason;
  }
  await database.db.insert(changeStreamState).values({ id: 1, ...values }).onConflictDoUpdate({ target: changeStreamState.id, set });
}

export async function loadStreamState(database: Database): Promise<ChangeStreamStateRow | null> {
  const [row] = await database.db.select().from(changeStreamState);
  return row ?? null;
}

/**
 * Keys of debounced rules wait here: the first change sets when they are due, later ones before
 * then join it (strategies added, the oldest commit time kept).
 */
export async function deferKeys(database: Database, keys: readonly DueKey[], debounceMs: number, now: Date): Promise<void> {
  if (keys.length === 0) return;
  const due = timestamptz(new Date(now.getTime() + debounceMs));
  // One statement: the batch's keys wait together or not at all.
  const rows = keys.map((k) => sql`(${k.key}, ${textArray([...k.strategies])}, ${textArray([...k.inWarmSetOf])}, ${due}, ${timestamptz(k.firstCommittedAt)})`);
  await database.rows(sql`
    insert into change_pending as p (key, strategies, in_warm_set_of, due_at, first_committed_at)
    values ${sql.join(rows, sql`, `)}
    on conflict (key) do update set
      strategies = array(select distinct unnest(p.strategies || excluded.strategies)),
      in_warm_set_of = array(select distinct unnest(p.in_warm_set_of || excluded.in_warm_set_of)),
      first_committed_at = least(p.first_committed_at, excluded.first_committed_at)`);
}

/** The waiting keys that are due (they are deleted by forgetDueKeys once re-warmed). */
export async function dueKeys(database: Database, now: Date): Promise<DueKey[]> {
  const rows = await database.rows<{ key: string; strategies: string[]; in_warm_set_of: string[]; first_ms: number }>(sql`
    select key, strategies, in_warm_set_of, (extract(epoch from first_committed_at) * 1000)::float8 as first_ms
    from change_pending where due_at <= ${timestamptz(now)} order by due_at limit 1000`);
  return rows.map((row) => ({
    key: row.key,
    strategies: new Set(row.strategies),
    inWarmSetOf: new Set(row.in_warm_set_of),
    action: 'rewarm',
    firstCommittedAt: new Date(Number(row.first_ms)),
  }));
}

export async function forgetDueKeys(database: Database, keys: readonly string[], now: Date): Promise<void> {
  if (keys.length) await database.rows(sql`delete from change_pending where key = any(${textArray(keys)}) and due_at <= ${timestamptz(now)}`);
}
