import 'server-only';
import type { Logger } from '../logger';
import type { RowChange } from './change';
import type { ChangeBatch, ChangeSource, Query } from './change-source';

export const CHANGE_CHANNEL = 'kiln_changes';
const FUNCTION = 'kiln_record_change';
const OPS = { I: 'insert', U: 'update', D: 'delete' } as const;

/**
 * The fallback where logical replication is not available (the embedded database, a Postgres
 * without wal_level=logical or a role that may not replicate): row triggers record each changed
 * row's watched columns in change_log and NOTIFY; the consumer reads the table (woken by the
 * notification, or by its poll when one is missed) and deletes the rows once their keys are
 * re-warmed. A session may skip recording with `set kiln.skip_changes = on` (bulk loads).
 */
export class TriggerSource implements ChangeSource {
  readonly mode = 'triggers' as const;
  readonly #query: Query;
  readonly #tables: ReadonlyMap<string, readonly string[]>;
  readonly #logger: Logger;
  readonly #listen: (onNotify: () => void) => Promise<() => Promise<void>>;
  #unlisten?: () => Promise<void>;
  #wake?: () => void;
  /** Ids handed out and not confirmed yet: not read again by this process. */
  readonly #handed = new Set<string>();

  /** `tables`: each watched table and the columns to record. `listen` subscribes to CHANGE_CHANNEL. */
  constructor(options: { query: Query; tables: ReadonlyMap<string, readonly string[]>; logger: Logger; listen: (onNotify: () => void) => Promise<() => Promise<void>> }) {
    this.#query = options.query;
    this.#tables = options.tables;
    this.#logger = options.logger;
    this.#listen = options.listen;
  }

  async setUp(): Promise<void> {
    await this.#query(`
      create or replace function ${FUNCTION}() returns trigger language plpgsql as $fn$
      declare
        source jsonb;
      begin
        if coalesce(current_setting('kiln.skip_changes', true), '') = 'on' then
          return null;
        end if;
        source := case when tg_op = 'DELETE' then to_jsonb(old) else to_jsonb(new) end;
        insert into change_log (table_name, op, "row")
        values (tg_table_name, left(tg_op, 1),
                (select coalesce(jsonb_object_agg(key, value), '{}'::jsonb) from jsonb_each(source) where key = any(tg_argv)));
        perform pg_notify('${CHANGE_CHANNEL}', '');
        return null;
      end
      $fn$`);
    for (const [table, columns] of this.#tables) {
      const args = columns.map((c) => `'${c.replace(/'/g, "''")}'`).join(', ');
      const t = quoteIdent(table);
      await this.#query(`create or replace trigger kiln_change_iud after insert or delete on ${t} for each row execute function ${FUNCTION}(${args})`);
      // An update that changes nothing is not a change.
      await this.#query(`create or replace trigger kiln_change_u after update on ${t} for each row when (old.* is distinct from new.*) execute function ${FUNCTION}(${args})`);
    }
    this.#unlisten = await this.#listen(() => this.#wake?.());
    this.#logger.info({ tables: [...this.#tables.keys()] }, `Change triggers installed on ${[...this.#tables.keys()].join(', ')}`);
  }

  async read(limit: number): Promise<ChangeBatch> {
    const rows = await this.#query<{ id: string; table_name: string; op: keyof typeof OPS; row: string; committed_ms: string }>(
      `select id::text as id, table_name, op, "row"::text as "row", (extract(epoch from committed_at) * 1000)::float8::text as committed_ms
       from change_log where not (id = any($2::bigint[])) order by id limit $1`,
      [limit, `{${[...this.#handed].join(',')}}`],
    );
    for (const r of rows) this.#handed.add(r.id);
    const changes: RowChange[] = [];
    for (const r of rows) {
      if (!this.#tables.has(r.table_name)) continue;
      const parsed = JSON.parse(r.row) as Record<string, unknown>;
      const row: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(parsed)) row[k] = v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
      changes.push({ table: r.table_name, op: OPS[r.op], row, position: BigInt(r.id), committedAt: new Date(Number(r.committed_ms)) });
    }
    // The ids read, not a cursor: ids are taken at insert but committed in another order, so a
    // smaller id may still appear after a larger one was read.
    return { changes, rows: rows.length, ticket: rows.map((r) => r.id) };
  }

  async confirm(ticket: unknown): Promise<void> {
    const ids = ticket as string[];
    if (!ids?.length) return;
    await this.#query('delete from change_log where id = any($1::bigint[])', [`{${ids.join(',')}}`]);
    for (const id of ids) this.#handed.delete(id);
  }

  mergeTickets(first: unknown, second: unknown): unknown {
    return [...((first as string[] | null) ?? []), ...((second as string[] | null) ?? [])];
  }

  async backlog(): Promise<{ lagBytes: number | null; pending: number | null }> {
    const [row] = await this.#query<{ n: string }>('select count(*)::text as n from change_log');
    return { lagBytes: null, pending: Number(row?.n ?? 0) };
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  async close(): Promise<void> {
    this.#handed.clear();
    this.#wake?.();
    await this.#unlisten?.().catch(() => {});
  }
}

/** Removes Kiln's change triggers from `tables` and the function (the fallback turned off). */
export async function removeChangeTriggers(query: Query, tables: Iterable<string>): Promise<void> {
  for (const table of tables) {
    const [exists] = await query<{ ok: boolean }>('select to_regclass($1) is not null as ok', [table]);
    if (!exists?.ok) continue;
    await query(`drop trigger if exists kiln_change_iud on ${quoteIdent(table)}`);
    await query(`drop trigger if exists kiln_change_u on ${quoteIdent(table)}`);
  }
  await query(`drop function if exists ${FUNCTION}()`);
  await query('delete from change_log');
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
