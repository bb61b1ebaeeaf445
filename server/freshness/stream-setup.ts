import 'server-only';
import type { ChangeStreamConfig } from '../config';
import type { Database } from '../db/client';
import type { Query } from './change-source';

/** Any fixed number, the same in every Kiln process (migrations 7_283_501, coverage 7_283_502). */
export const CONSUMER_LOCK_ID = 7_283_503;

/** The stream's query function for a database: the embedded one directly, Postgres on a given connection. */
export function pgliteQuery(database: Database): Query {
  const pglite = database.pglite!;
  return async <T,>(text: string, params?: unknown[]) => (await pglite.query<T>(text, params as unknown[])).rows;
}

export function postgresQuery(sql: { unsafe: (text: string, params?: never[]) => Promise<unknown> }): Query {
  return async <T,>(text: string, params?: unknown[]) => (await sql.unsafe(text, (params ?? []) as never[])) as T[];
}

/** The slot's name: the configured one, else `kiln_` and the database's name (slots are per server, not per database). */
export async function slotName(query: Query, config: ChangeStreamConfig): Promise<string> {
  if (config.slot) return config.slot;
  const [row] = await query<{ db: string }>('select current_database() as db');
  return `kiln_${row!.db.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

/**
 * The mode in force: `auto` takes logical replication when Postgres has wal_level=logical and the
 * role may replicate (REPLICATION or superuser) with a slot and a WAL sender to spare, else triggers (always on the
 * embedded database). `logical` without those is an error naming what is missing.
 */
export async function resolveMode(database: Database, query: Query, config: ChangeStreamConfig): Promise<'logical' | 'triggers' | 'off'> {
  if (config.mode === 'off') return 'off';
  if (database.kind === 'pglite' || config.mode === 'triggers') return 'triggers';
  const [row] = await query<{ wal_level: string; may: boolean; free: boolean; senders: boolean; existing: boolean }>(`
    select current_setting('wal_level') as wal_level,
           (select rolreplication or rolsuper from pg_roles where rolname = current_user) as may,
           (select count(*) from pg_replication_slots) < current_setting('max_replication_slots')::int as free,
           current_setting('max_wal_senders')::int > (select count(*) from pg_stat_replication) as senders,
           exists (select 1 from pg_replication_slots where slot_name = $1) as existing`, [await slotName(query, config)]);
  const problems: string[] = [];
  if (row?.wal_level !== 'logical') problems.push(`wal_level is ${row?.wal_level}, not logical`);
  if (!row?.may) problems.push('the role has neither REPLICATION nor superuser');
  if (!row?.free && !row?.existing) problems.push('max_replication_slots are all taken');
  if (!row?.senders) problems.push('max_wal_senders are all taken');
  if (problems.length === 0) return 'logical';
  if (config.mode === 'logical') throw new Error(`KILN_CHANGE_STREAM=logical cannot run: ${problems.join('; ')}`);
  return 'triggers';
}

/** Drops Kiln's slot when it exists and no session is reading it. Resolves with whether it did. */
export async function dropSlotIfIdle(query: Query, slot: string): Promise<boolean> {
  const rows = await query<{ dropped: boolean }>(
    `select pg_drop_replication_slot(slot_name) is null as dropped from pg_replication_slots where slot_name = $1 and not active`,
    [slot],
  );
  return rows.length > 0;
}
