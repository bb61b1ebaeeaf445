import 'server-only';
import { sql } from 'drizzle-orm';
import type { ReadFamily } from '@/lib/api/effect';
import type { Database } from '../db/client';
import type { Logger } from '../logger';

type Counts = { bucketStart: number; family: ReadFamily; hits: number; misses: number; dbQueries: number };

const MINUTE_MS = 60_000;
/**
 * Rows kept while the database is away (a row per family and minute: 5,760 a day for four
 * families). Beyond it the oldest minutes are dropped, so an outage never grows memory unbounded.
 */
const MAX_PENDING_ROWS = 50_000;
/** Rows per INSERT statement, well under Postgres' 65,535 bind parameters. */
const ROWS_PER_STATEMENT = 2_000;

/**
 * Counts shop reads per key family and minute in process memory, and adds them to `cache_reads`
 * every few seconds and at shutdown: a read costs a map update, never a database write. Each
 * flush is one upsert that adds to the minute's row, so any number of processes can flush into
 * the same minute. A failed flush keeps its counts for the next one.
 */
export class ReadCounter {
  readonly #database: Database;
  readonly #logger?: Logger;
  readonly #now: () => number;
  #pending = new Map<string, Counts>();
  #flushing: Promise<number> = Promise.resolve(0);
  #timer?: NodeJS.Timeout;
  #failures = 0;

  constructor(database: Database, options: { logger?: Logger; now?: () => number } = {}) {
    this.#database = database;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** One read: a hit, or a miss and the database queries it cost. */
  record(family: ReadFamily, hit: boolean, dbQueries = 0): void {
    const bucketStart = Math.floor(this.#now() / MINUTE_MS) * MINUTE_MS;
    const id = `${bucketStart}|${family}`;
    let counts = this.#pending.get(id);
    if (!counts) {
      counts = { bucketStart, family, hits: 0, misses: 0, dbQueries: 0 };
      this.#pending.set(id, counts);
    }
    if (hit) counts.hits++;
    else counts.misses++;
    counts.dbQueries += dbQueries;
  }

  /** Counts not yet written, per family (for tests and the status page). */
  pending(): Record<string, { hits: number; misses: number; dbQueries: number }> {
    const out: Record<string, { hits: number; misses: number; dbQueries: number }> = {};
    for (const c of this.#pending.values()) {
      const sum = (out[c.family] ??= { hits: 0, misses: 0, dbQueries: 0 });
      sum.hits += c.hits;
      sum.misses += c.misses;
      sum.dbQueries += c.dbQueries;
    }
    return out;
  }

  /** Writes the counts gathered so far; resolves with the rows written. One flush at a time. */
  flush(): Promise<number> {
    this.#flushing = this.#flushing.then(() => this.#flushOnce());
    return this.#flushing;
  }

  /** Flushes every `intervalMs` until stop(). */
  start(intervalMs = 5_000): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  async #flushOnce(): Promise<number> {
    if (this.#pending.size === 0) return 0;
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    let written = 0;
    try {
      for (let i = 0; i < batch.length; i += ROWS_PER_STATEMENT) {
        await this.#write(batch.slice(i, i + ROWS_PER_STATEMENT));
        written = i + ROWS_PER_STATEMENT;
      }
      this.#failures = 0;
      return batch.length;
    } catch (error) {
      // Statements already committed stay written; the rest goes back to be retried.
      for (const c of batch.slice(written)) this.#merge(c);
      this.#trim();
      if (this.#failures++ % 12 === 0) this.#logger?.warn({ err: error, pendingRows: this.#pending.size }, 'Writing shop read counts failed; keeping them for the next try');
      return 0;
    }
  }

  async #write(rows: Counts[]): Promise<void> {
    const values = rows.map(
      (c) => sql`(${new Date(c.bucketStart).toISOString()}::timestamptz, ${c.family}, ${c.hits}::bigint, ${c.misses}::bigint, ${c.dbQueries}::bigint)`,
    );
    await this.#database.rows(sql`
      insert into cache_reads (bucket_start, family, hits, misses, db_queries)
      values ${sql.join(values, sql`, `)}
      on conflict (bucket_start, family) do update set
        hits = cache_reads.hits + excluded.hits,
        misses = cache_reads.misses + excluded.misses,
        db_queries = cache_reads.db_queries + excluded.db_queries`);
  }

  #merge(c: Counts): void {
    const id = `${c.bucketStart}|${c.family}`;
    const existing = this.#pending.get(id);
    if (!existing) {
      this.#pending.set(id, { ...c });
      return;
    }
    existing.hits += c.hits;
    existing.misses += c.misses;
    existing.dbQueries += c.dbQueries;
  }

  #trim(): void {
    if (this.#pending.size <= MAX_PENDING_ROWS) return;
    const oldestFirst = [...this.#pending.entries()].sort((a, b) => a[1].bucketStart - b[1].bucketStart);
    const drop = oldestFirst.slice(0, this.#pending.size - MAX_PENDING_ROWS);
    for (const [id] of drop) this.#pending.delete(id);
    this.#logger?.warn({ droppedRows: drop.length }, 'Dropped the oldest unwritten shop read counts: the database has been away too long');
  }
}
