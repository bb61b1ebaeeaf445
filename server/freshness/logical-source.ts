import 'server-only';
import postgres from 'postgres';
import type { Logger } from '../logger';
import type { RowChange } from './change';
import type { ChangeBatch, ChangeSource, Query } from './change-source';
import { parseDecodedLine } from './test-decoding';

type Transaction = { changes: RowChange[]; lines: number; end: bigint };

/** Decoded transactions buffered beyond this many changes pause the stream until they are read. */
const HIGH_WATER = 50_000;
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

/**
 * Logical replication through a NAMED slot and the `test_decoding` plugin, streamed over a
 * replication connection (START_REPLICATION, as a standby would) and acknowledged with standby
 * status updates once a batch's keys are re-warmed: a restart resumes from the confirmed position
 * and loses nothing (postgres.js's subscribe() makes a temporary, randomly named slot instead).
 * Streaming rather than pg_logical_slot_peek_changes: each peek decodes again from the slot's
 * restart position, which trails the confirmed one by up to 15 s of WAL (it moves with the running
 * transactions record), so a busy stream was decoded many times over.
 * test_decoding rather than pgoutput: it prints text that a short parser reads, where pgoutput
 * needs a publication and a binary protocol decoder; the price is that every table's changes are
 * decoded (Kiln keeps those its rules watch) where a publication would filter on the server.
 */
export class LogicalSource implements ChangeSource {
  readonly mode = 'logical' as const;
  readonly #query: Query;
  readonly #url: string;
  readonly #slot: string;
  readonly #tables: ReadonlySet<string>;
  readonly #fullIdentityTables: readonly string[];
  readonly #logger: Logger;
  #client?: postgres.Sql;
  #stream?: import('node:stream').Duplex;
  #ready: Transaction[] = [];
  #buffered = 0;
  #open: Omit<RowChange, 'position' | 'committedAt'>[] = [];
  #openLines = 0;
  #confirmed = 0n;
  #received = 0n;
  #wake?: () => void;
  #failure?: Error;

  constructor(options: { query: Query; url: string; slot: string; tables: Iterable<string>; fullIdentityTables: readonly string[]; logger: Logger }) {
    this.#query = options.query;
    this.#url = options.url;
    this.#slot = options.slot;
    this.#tables = new Set(options.tables);
    this.#fullIdentityTables = options.fullIdentityTables;
    this.#logger = options.logger;
  }

  get slot(): string {
    return this.#slot;
  }

  async setUp(): Promise<void> {
    await this.close();
    this.#ready = [];
    this.#buffered = 0;
    this.#open = [];
    this.#failure = undefined;
    const existing = await this.#query<{ plugin: string | null; database: string | null }>('select plugin, database from pg_replication_slots where slot_name = $1', [this.#slot]);
    const [current] = await this.#query<{ db: string }>('select current_database() as db');
    if (existing[0]) {
      if (existing[0].plugin !== 'test_decoding' || existing[0].database !== current!.db) {
        throw new Error(`The replication slot ${this.#slot} exists for ${existing[0].plugin ?? 'physical replication'} on database ${existing[0].database ?? '-'}: choose another KILN_CHANGE_SLOT`);
      }
    } else {
      await this.#query(`select pg_create_logical_replication_slot($1, 'test_decoding')`, [this.#slot]);
      this.#logger.info({ slot: this.#slot }, `Created the logical replication slot ${this.#slot}`);
    }
    for (const table of this.#fullIdentityTables) await this.#fullIdentity(table);

    // Commit times print in the session's zone and style: UTC, ISO, as the parser reads them.
    this.#client = postgres(this.#url, {
      max: 1,
      fetch_types: false,
      idle_timeout: 0,
      max_lifetime: null,
      onnotice: () => {},
      connection: { replication: 'database', application_name: 'kiln-changes', TimeZone: 'UTC', DateStyle: 'ISO, YMD' } as Record<string, string>,
    });
    const stream = await this.#client
      .unsafe(`START_REPLICATION SLOT ${this.#slot} LOGICAL 0/0 ("include-timestamp" 'on', "skip-empty-xacts" 'on', "include-xids" 'on')`)
      .writable();
    this.#stream = stream as unknown as import('node:stream').Duplex;
    this.#stream.on('data', (message: Buffer) => this.#onMessage(message));
    this.#stream.on('error', (error: Error) => {
      this.#failure = error;
      this.#wake?.();
    });
    this.#stream.on('close', () => {
      this.#failure ??= new Error('the replication connection closed');
      this.#wake?.();
    });
  }

  #onMessage(message: Buffer): void {
    if (message[0] === 0x77) {
      // XLogData: w, start LSN, end LSN, send time, then one line of test_decoding output.
      const lsn = message.readBigUInt64BE(1);
      this.#received = lsn > this.#received ? lsn : this.#received;
      const line = parseDecodedLine(message.subarray(25).toString('utf8'));
      this.#openLines++;
      if (line.kind === 'begin') {
        this.#open = [];
        this.#openLines = 1;
      } else if (line.kind === 'change') {
        if (this.#tables.has(line.table)) this.#open.push({ table: line.table, op: line.op, row: line.row });
      } else if (line.kind === 'commit') {
        const committedAt = line.committedAt ?? new Date();
        // A commit's message carries the end of its commit record: confirming it covers the transaction.
        this.#ready.push({ changes: this.#open.map((c) => ({ ...c, position: lsn, committedAt })), lines: this.#openLines, end: lsn });
        this.#buffered += this.#open.length;
        this.#open = [];
        this.#openLines = 0;
        if (this.#buffered > HIGH_WATER) this.#stream?.pause();
        this.#wake?.();
      }
    } else if (message[0] === 0x6b) {
      // Keepalive: w end LSN, send time, reply requested.
      if (message[17]) this.#status();
    }
  }

  /** A standby status update: everything up to the confirmed position is flushed (the slot may let it go). */
  #status(): void {
    if (!this.#stream || this.#stream.destroyed) return;
    const reply = Buffer.alloc(34);
    reply[0] = 0x72; // r
    reply.writeBigUInt64BE(this.#confirmed, 1);
    reply.writeBigUInt64BE(this.#confirmed, 9);
    reply.writeBigUInt64BE(this.#confirmed, 17);
    reply.writeBigInt64BE(BigInt(Date.now() - PG_EPOCH_MS) * 1000n, 25);
    this.#stream.write(reply);
  }

  async read(limit: number): Promise<ChangeBatch> {
    if (this.#failure) throw this.#failure;
    const taken: Transaction[] = [];
    let count = 0;
    while (this.#ready.length && (count === 0 || count + this.#ready[0]!.lines <= limit)) {
      const txn = this.#ready.shift()!;
      taken.push(txn);
      count += txn.lines;
    }
    const changes = taken.flatMap((t) => t.changes);
    this.#buffered -= changes.length;
    if (this.#stream?.isPaused() && this.#buffered < HIGH_WATER / 2) this.#stream.resume();
    return { changes, rows: count, ticket: taken.length ? taken.at(-1)!.end : null };
  }

  async confirm(ticket: unknown): Promise<void> {
    if (typeof ticket !== 'bigint' || ticket <= this.#confirmed) return;
    this.#confirmed = ticket;
    this.#status();
  }

  mergeTickets(first: unknown, second: unknown): unknown {
    return second ?? first;
  }

  async backlog(): Promise<{ lagBytes: number | null; pending: number | null }> {
    const [row] = await this.#query<{ lag: string | null }>(
      `select pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text as lag from pg_replication_slots where slot_name = $1`,
      [this.#slot],
    );
    return { lagBytes: row?.lag ? Number(row.lag) : null, pending: this.#buffered };
  }

  wait(ms: number): Promise<void> {
    if (this.#ready.length || this.#failure) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.#wake === done) self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#stream = undefined;
    this.#wake?.();
    if (client) await client.end({ timeout: 2 }).catch(() => {});
  }

  /** A deleted session must say whose it was: the old row in full, not only its key. */
  async #fullIdentity(table: string): Promise<void> {
    const [row] = await this.#query<{ identity: string }>(`select relreplident::text as identity from pg_class where oid = to_regclass($1)`, [table]);
    if (!row || row.identity === 'f') return;
    try {
      await this.#query(`alter table ${quoteIdent(table)} replica identity full`);
      this.#logger.info({ table }, `Set REPLICA IDENTITY FULL on ${table}: its deletes carry the whole old row`);
    } catch (error) {
      this.#logger.warn({ err: error, table }, `Could not set REPLICA IDENTITY FULL on ${table} (Kiln's role does not own it): its deleted rows' keys are not found`);
    }
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
