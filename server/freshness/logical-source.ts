import 'server-only';
import type { Logger } from '../logger';
import type { RowChange } from './change';
import type { ChangeBatch, ChangeSource, Query } from './change-source';
import { parseDecodedLine } from './test-decoding';

/**
 * Logical replication through a NAMED slot and the `test_decoding` plugin, read with
 * pg_logical_slot_peek_changes and acknowledged with pg_replication_slot_advance once the batch's
 * keys are re-warmed: a restart resumes from the confirmed position and loses nothing (postgres.js's
 * subscribe() makes a temporary, randomly named slot instead). test_decoding rather than pgoutput:
 * it prints text that a short parser reads, where pgoutput over SQL returns binary protocol messages
 * and needs a publication; the price is that every table's changes are decoded (Kiln keeps those
 * its rules watch) where a publication would filter on the server.
 */
export class LogicalSource implements ChangeSource {
  readonly mode = 'logical' as const;
  readonly #query: Query;
  readonly #slot: string;
  readonly #tables: ReadonlySet<string>;
  readonly #fullIdentityTables: readonly string[];
  readonly #logger: Logger;

  constructor(options: { query: Query; slot: string; tables: Iterable<string>; fullIdentityTables: readonly string[]; logger: Logger }) {
    this.#query = options.query;
    this.#slot = options.slot;
    this.#tables = new Set(options.tables);
    this.#fullIdentityTables = options.fullIdentityTables;
    this.#logger = options.logger;
  }

  get slot(): string {
    return this.#slot;
  }

  async setUp(): Promise<void> {
    // Commit times print in the session's zone: UTC, in the ISO style the parser reads.
    await this.#query(`set timezone = 'UTC'`);
    await this.#query(`set datestyle = 'ISO, YMD'`);
    const existing = await this.#query<{ plugin: string | null; database: string | null }>(
      'select plugin, database from pg_replication_slots where slot_name = $1',
      [this.#slot],
    );
    const [current] = await this.#query<{ db: string }>('select current_database() as db');
    if (existing[0]) {
      if (existing[0].plugin !== 'test_decoding' || existing[0].database !== current!.db) {
        throw new Error(`The replication slot ${this.#slot} exists for ${existing[0].plugin ?? 'physical replication'} on database ${existing[0].database ?? '-'}: choose another KILN_CHANGE_SLOT`);
      }
    } else {
      await this.#query(`select pg_create_logical_replication_slot($1, 'test_decoding')`, [this.#slot]);
      this.#logger.info({ slot: this.#slot }, `Created the logical replication slot ${this.#slot}`);
    }
    // A deleted session must say whose it was: the old row in full, not only its key.
    for (const table of this.#fullIdentityTables) {
      const [row] = await this.#query<{ identity: string }>(
        `select relreplident::text as identity from pg_class where oid = to_regclass($1)`,
        [table],
      );
      if (!row || row.identity === 'f') continue;
      try {
        await this.#query(`alter table ${quoteIdent(table)} replica identity full`);
        this.#logger.info({ table }, `Set REPLICA IDENTITY FULL on ${table}: its deletes carry the whole old row`);
      } catch (error) {
        this.#logger.warn({ err: error, table }, `Could not set REPLICA IDENTITY FULL on ${table} (Kiln's role does not own it): its deleted rows' keys are not found`);
      }
    }
  }

  async read(limit: number): Promise<ChangeBatch> {
    const rows = await this.#query<{ lsn: string; pos: string; data: string }>(
      `select lsn::text as lsn, (lsn - '0/0'::pg_lsn)::text as pos, data
       from pg_logical_slot_peek_changes($1, null, $2, 'include-timestamp', 'on', 'skip-empty-xacts', 'on', 'include-xids', 'on')`,
      [this.#slot, limit],
    );
    const changes: RowChange[] = [];
    let open: Omit<RowChange, 'position' | 'committedAt'>[] = [];
    let lastCommit: string | null = null;
    for (const row of rows) {
      const line = parseDecodedLine(row.data);
      if (line.kind === 'begin') open = [];
      else if (line.kind === 'change') {
        if (this.#tables.has(line.table)) open.push({ table: line.table, op: line.op, row: line.row });
      } else if (line.kind === 'commit') {
        const position = BigInt(row.pos.split('.')[0]!);
        const committedAt = line.committedAt ?? new Date();
        for (const change of open) changes.push({ ...change, position, committedAt });
        open = [];
        lastCommit = row.lsn;
      }
    }
    return { changes, rows: rows.length, ticket: lastCommit };
  }

  async confirm(ticket: unknown): Promise<void> {
    if (typeof ticket !== 'string') return;
    await this.#query('select pg_replication_slot_advance($1, $2::pg_lsn)', [this.#slot, ticket]);
  }

  async backlog(): Promise<{ lagBytes: number | null; pending: number | null }> {
    const [row] = await this.#query<{ lag: string | null }>(
      `select pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text as lag from pg_replication_slots where slot_name = $1`,
      [this.#slot],
    );
    return { lagBytes: row?.lag ? Number(row.lag) : null, pending: null };
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async close(): Promise<void> {}
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
