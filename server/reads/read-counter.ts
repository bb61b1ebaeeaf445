import 'server-only';
import { randomUUID } from 'node:crypto';
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

/** How long stop() keeps retrying the last flush while the database refuses it (the shutdown deadline is 28 s). */
const STOP_RETRY_MS = 3_000;
const STOP_RETRY_EVERY_MS = 250;
/** Flush ids are kept this long: far beyond any retry of a batch (pending rows are bounded). */
const FLUSH_IDS_KEPT = '1 day';
/** Old flush ids are deleted every this many flushes, at most this many at a time (short, index-only). */
const PRUNE_EVERY_FLUSHES = 720;
const PRUNE_LIMIT = 5_000;

/** Counts taken out of the map to be written, under the id that makes their write idempotent. */
type Batch = { id: string; rows: Counts[] };

/**
 * Counts shop reads per key family and minute in process memory, and adds them to `cache_reads`
 * every few seconds and at shutdown (SIGTERM: the runtime's stop): a read costs a map update,
 * never a database write. Each flush is an upsert that adds to the minute's row, so any number of
 * processes can flush into the same minute.
 *
 * Each batch of counts gets an id when it is taken out to be written, and keeps it until a write
 * of it is confirmed: the statement records the id in `cache_read_flushes` and adds the counts
 * only when the id is new, atomically. A flush whose reply is lost (the connection dropped after
 * the commit) is retried with the same id and adds nothing the second time; a flush that failed
 * before the commit adds its counts once, when retried.
 */
export class ReadCounter {
  readonly #database: Database;
  readonly #logger?: Logger;
  readonly #now: () => number;
  #pending = new Map<string, Counts>();
  /** Batches taken out and not yet confirmed written, oldest first. */
  #unconfirmed: Batch[] = [];
  #flushing: Promise<number> = Promise.resolve(0);
  #timer?: NodeJS.Timeout;
  #failures = 0;
  #flushes = 0;

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

  /** Counts not yet written (confirmed), per family (for tests and the status page). */
  pending(): Record<string, { hits: number; misses: number; dbQueries: number }> {
    const out: Record<string, { hits: number; misses: number; dbQueries: number }> = {};
    for (const c of [...this.#unconfirmed.flatMap((b) => b.rows), ...this.#pending.values()]) {
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

  /**
   * Stops the timer and writes what is left, retrying for up to `retryMs` while the database
   * refuses (a blip during a shutdown does not lose the last seconds of counts).
   */
  async stop(options: { retryMs?: number } = {}): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const deadline = Date.now() + (options.retryMs ?? STOP_RETRY_MS);
    await this.flush();
    while (this.#unwritten() > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, STOP_RETRY_EVERY_MS));
      await this.flush();
    }
    const left = this.#unwritten();
    if (left > 0) this.#logger?.error({ unwrittenRows: left }, `Stopping with ${left} rows of shop read counts unwritten: the database refused them`);
  }

  #unwritten(): number {
    return this.#pending.size + this.#unconfirmed.reduce((n, b) => n + b.rows.length, 0);
  }

  async #flushOnce(): Promise<number> {
    if (this.#pending.size > 0) {
      const rows = [...this.#pending.values()];
      this.#pending = new Map();
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) this.#unconfirmed.push({ id: randomUUID(), rows: rows.slice(i, i + ROWS_PER_STATEMENT) });
    }
    let written = 0;
    try {
      while (this.#unconfirmed.length > 0) {
        const batch = this.#unconfirmed[0]!;
        await this.#write(batch);
        this.#unconfirmed.shift();
        written += batch.rows.length;
      }
      this.#failures = 0;
      if (written > 0 && ++this.#flushes % PRUNE_EVERY_FLUSHES === 0) await this.#pruneFlushIds().catch(() => {});
      return written;
    } catch (error) {
      // Confirmed batches are done; the rest stays, under its id, for the next try.
      this.#trim();
      if (this.#failures++ % 12 === 0) this.#logger?.warn({ err: error, unwrittenRows: this.#unwritten() }, 'Writing shop read counts failed; keeping them for the next try');
      return written;
    }
  }

  /** One statement, so atomic: the batch's id is claimed, and its counts added only if the claim is new. */
  async #write(batch: Batch): Promise<void> {
    const values = batch.rows.map(
      (c) => sql`(${new Date(c.bucketStart).toISOString()}::timestamptz, ${c.family}, ${c.hits}::bigint, ${c.misses}::bigint, ${c.dbQueries}::bigint)`,
    );
    await this.#database.rows(sql`
      with claim as (
        insert into cache_read_flushes (id) values (${batch.id}::uuid) on conflict (id) do nothing returning id
      )
      insert into cache_reads (bucket_start, family, hits, misses, db_queries)
      select v.* from (values ${sql.join(values, sql`, `)}) as v(bucket_start, family, hits, misses, db_queries)
      where exists (select 1 from claim)
      on conflict (bucket_start, family) do update set
        hits = cache_reads.hits + excluded.hits,
        misses = cache_reads.misses + excluded.misses,
        db_queries = cache_reads.db_queries + excluded.db_queries`);
  }

  async #pruneFlushIds(): Promise<void> {
    await this.#database.rows(sql.raw(`
      delete from cache_read_flushes where id in (
        select id from cache_read_flushes where flushed_at < now() - interval '${FLUSH_IDS_KEPT}' limit ${PRUNE_LIMIT})`));
  }

  /** Beyond MAX_PENDING_ROWS unwritten, the oldest batches are dropped (whole: a batch keeps its id). */
  #trim(): void {
    let dropped = 0;
    while (this.#unwritten() > MAX_PENDING_ROWS && this.#unconfirmed.length > 0) dropped += this.#unconfirmed.shift()!.rows.length;
    if (dropped > 0) this.#logger?.warn({ droppedRows: dropped }, 'Dropped the oldest unwritten shop read counts: the database has been away too long');
  }
}
