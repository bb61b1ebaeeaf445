import 'server-only';
import type { Cache } from '../cache/cache';
import type { ChangeStreamConfig } from '../config';
import type { Database } from '../db/client';
import type { Logger } from '../logger';
import type { StrategyRegistry } from '../warmup/registry';
import type { ChangeRule } from './change';
import type { ChangeSource, Query } from './change-source';
import { saveStreamState } from './freshness-store';
import { handleChanges } from './handle-changes';
import { LogicalSource } from './logical-source';
import { checkSlot } from './slot-guard';
import { CONSUMER_LOCK_ID, dropSlotIfIdle, pgliteQuery, postgresQuery, resolveMode, slotName } from './stream-setup';
import { PgSession } from '../db/session';
import { CHANGE_CHANNEL, TriggerSource, removeChangeTriggers } from './trigger-source';
import { GlobalPause } from '../warmup/global-pause';

export type ChangeStreamDeps = {
  database: Database;
  cache: Cache;
  logger: Logger;
  registry: StrategyRegistry;
  /** The bounded contexts' change rules. */
  rules: readonly ChangeRule[];
  config: ChangeStreamConfig;
  /** This process, as the stream's state names its holder. */
  owner: string;
  /** Changes read per batch at most (whole transactions; default 5000). */
  batchLimit?: number;
  /** How often a process without the stream tries to take it over (default 1 s). */
  takeoverMs?: number;
  /** Called after every handled batch (tests wait on it). */
  onBatch?: (info: { changes: number; keys: number }) => void;
};

export type ConsumerStatus = {
  mode: 'logical' | 'triggers' | 'off' | null;
  state: 'starting' | 'streaming' | 'paused' | 'waiting' | 'failed' | 'stopped' | 'off';
  /** This process holds the stream (the lock). */
  holding: boolean;
  slot: string | null;
  lastError: string | null;
};

type Session = { query: Query; release: () => Promise<void> };

const STATE_EVERY_MS = 2000;
const DUE_EVERY_MS = 500;
const IDLE_DUE_EVERY_MS = 5000;
/** The trigger fallback is woken by NOTIFY: its poll only catches a notification missed. */
const TRIGGER_POLL_FLOOR_MS = 1000;

/**
 * Keeps the warm set fresh: reads the shop's changes from Postgres (a named logical replication
 * slot, or the trigger fallback), asks the bounded contexts' rules which keys they affect,
 * coalesces them, re-warms them with their strategies' loaders in this process, and only then
 * confirms the changes, so a process killed at any point has the next one re-read them. One
 * consumer across replicas: the stream is held under a Postgres advisory lock on a connection of
 * its own; when the holder dies its session ends, and another replica takes over within `takeoverMs`.
 */
export class ChangeStreamConsumer {
  readonly #deps: ChangeStreamDeps;
  readonly #tables: Map<string, string[]>;
  #status: ConsumerStatus = { mode: null, state: 'starting', holding: false, slot: null, lastError: null };
  #running?: Promise<void>;
  #stopped = false;
  #wakeStop?: () => void;
  #source?: ChangeSource;
  #changesSince = { at: Date.now(), count: 0 };
  #droppedAt: Date | null | undefined;
  #dropReason: string | null = null;
  #warning: string | null = null;
  #pause: GlobalPause;

  constructor(deps: ChangeStreamDeps) {
    this.#deps = deps;
    this.#pause = new GlobalPause(deps.database);
    this.#tables = new Map();
    for (const rule of deps.rules) this.#tables.set(rule.table, [...new Set([...(this.#tables.get(rule.table) ?? []), ...rule.columns])]);
  }

  get status(): ConsumerStatus {
    return { ...this.#status };
  }

  /** Starts in the background; errors are logged and retried, never thrown. */
  start(): void {
    if (this.#running || this.#stopped) return;
    this.#running = this.#loop();
  }

  /** Stops reading, lets the batch under way finish (its confirm included), releases the stream. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wakeStop?.();
    await this.#source?.close().catch(() => {});
    await this.#running;
    if (this.#status.state !== 'off') this.#status = { ...this.#status, state: 'stopped', holding: false };
  }

  async #loop(): Promise<void> {
    const { database, logger, config } = this.#deps;
    let failures = 0;
    while (!this.#stopped) {
      try {
        const probe = database.kind === 'pglite' ? pgliteQuery(database) : postgresQuery(database.sql!);
        const mode = await resolveMode(database, probe, config);
        this.#status.mode = mode;
        if (mode === 'off') {
          await this.#turnOff(probe);
          return;
        }
        const session = await this.#acquire();
        if (!session) return;
        try {
          await this.#consume(session, mode);
          failures = 0;
        } finally {
          this.#status.holding = false;
          await session.release().catch(() => {});
        }
      } catch (error) {
        if (this.#stopped) break; // stopping closed the stream under the batch: it is read again next time
        failures++;
        const message = (error as Error).message;
        this.#status = { ...this.#status, state: 'failed', holding: false, lastError: message };
        if (failures === 1 || failures % 30 === 0) logger.warn({ err: error, failures }, `The change stream failed: ${message}; retrying`);
        await this.#saveState({ lastError: message, state: 'failed' }).catch(() => {});
        await this.#sleep(Math.min(500 * 2 ** Math.min(failures, 4), 8000));
      }
    }
  }

  /**
   * Waits for the stream's lock (Postgres) and returns the session holding it; null once stopped.
   * The session is a connection of its own: when it closes (a Postgres restart) its queries fail
   * with SessionLostError, the loop ends this attempt and takes the lock again on a new session.
   */
  async #acquire(): Promise<Session | null> {
    const { database } = this.#deps;
    if (database.kind === 'pglite') return { query: pgliteQuery(database), release: async () => {} };
    let announced = false;
    // One session asks every `takeoverMs` (not a connection each time), replaced if it is lost.
    let session: PgSession | undefined;
    try {
      while (!this.#stopped) {
        if (!session || session.lost) {
          void session?.end();
          session = new PgSession(database.url!, 'kiln-change-stream');
        }
        const [row] = await session.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [CONSUMER_LOCK_ID]);
        if (row?.locked) {
          const held = session;
          session = undefined;
          // Ending the session lets the lock go (and a query under way is waited for 2 s at most).
          return { query: (text, params) => held.query(text, params), release: () => held.end() };
        }
        this.#status = { ...this.#status, state: 'waiting', holding: false };
        if (!announced) this.#deps.logger.info('Another Kiln process consumes the change stream: this one takes over if it stops');
        announced = true;
        await this.#sleep(this.#deps.takeoverMs ?? 1000);
      }
    } finally {
      await session?.end();
    }
    return null;
  }

  async #consume(session: Session, mode: 'logical' | 'triggers'): Promise<void> {
    const { database, logger, config, rules } = this.#deps;
    const slot = await slotName(session.query, config);
    let source: ChangeSource;
    if (mode === 'logical') {
      await removeChangeTriggers(session.query, this.#tables.keys());
      // A slot that retains more than the bound was abandoned too long: replaying it would cost more than it saves.
      await this.#guard(session.query, slot);
      source = new LogicalSource({ query: session.query, url: database.url!, slot, tables: this.#tables.keys(), fullIdentityTables: [...new Set(rules.filter((r) => r.needsOldRow).map((r) => r.table))], logger });
    } else {
      if (database.kind === 'postgres' && (await dropSlotIfIdle(session.query, slot))) logger.info({ slot }, `Dropped the replication slot ${slot}: the change stream uses triggers now`);
      source = new TriggerSource({ query: session.query, tables: this.#tables, logger, listen: (onNotify) => this.#listen(onNotify) });
    }
    this.#source = source;
    try {
      await this.#stream(session, mode, slot, source);
    } finally {
      await source.close().catch(() => {});
    }
  }

  async #stream(session: Session, mode: 'logical' | 'triggers', slot: string, source: ChangeSource): Promise<void> {
    const { logger, config } = this.#deps;
    await source.setUp();
    this.#status = { mode, state: 'streaming', holding: true, slot: mode === 'logical' ? slot : null, lastError: null };
    logger.info({ mode, slot: this.#status.slot }, `Consuming the change stream (${mode})`);
    await this.#saveState({ lastError: null });

    const limit = this.#deps.batchLimit ?? 5000;
    let lastState = Date.now();
    let lastDue = 0;
    let lastDeferred = Date.now(); // a previous process may have left keys waiting
    while (!this.#stopped) {
      // The global pause stops re-warming too: changes wait in the slot (or the change log), the
      // slot guard still watches the WAL they hold.
      if (await this.#pause.isPaused()) {
        if (this.#status.state !== 'paused') logger.info('Warming is paused: the change stream waits');
        this.#status = { ...this.#status, state: 'paused' };
        await this.#sleep(1000);
        if (Date.now() - lastState >= STATE_EVERY_MS) {
          lastState = Date.now();
          if (mode === 'logical') await this.#guard(session.query, slot, source);
          await this.#saveState({ lastError: null, state: 'paused' }).catch(() => {});
        }
        continue;
      }
      if (this.#status.state === 'paused') this.#status = { ...this.#status, state: 'streaming' };
      let batch = await source.read(limit);
      if (batch.changes.length > 0 && config.coalesceMs > 0 && batch.rows < limit) {
        // Changes to one key within the window are loaded once: wait until the oldest change is a
        // window old, then read the whole window. Under a steady stream the oldest already is (it
        // came in while the previous batch was re-warmed): no wait, no second read.
        const oldest = Math.min(...batch.changes.map((c) => c.committedAt.getTime()));
        const waitMs = Math.min(config.coalesceMs, config.coalesceMs - (Date.now() - oldest));
        if (waitMs > 5) {
          await this.#sleep(waitMs);
          const more = await source.read(limit);
          batch = { changes: [...batch.changes, ...more.changes], rows: batch.rows + more.rows, ticket: source.mergeTickets(batch.ticket, more.ticket) };
        }
      }
      // Waiting keys are looked for often while some were deferred lately, rarely otherwise.
      const checkDue = Date.now() - lastDue >= (Date.now() - lastDeferred < 60_000 ? DUE_EVERY_MS : IDLE_DUE_EVERY_MS);
      if (checkDue) lastDue = Date.now();
      const { keys, deferred } = await handleChanges(this.#deps, batch.changes, checkDue);
      if (deferred) lastDeferred = Date.now();
      if (batch.rows > 0) await source.confirm(batch.ticket);
      this.#changesSince.count += batch.changes.length;
      this.#deps.onBatch?.({ changes: batch.changes.length, keys });
      if (Date.now() - lastState >= STATE_EVERY_MS) {
        lastState = Date.now();
        if (mode === 'logical' && (await this.#guard(session.query, slot, source)) === 'dropped') {
          await source.setUp(); // a new slot from here on
        }
        await this.#saveState({ lastError: null });
      }
      // Changes came: more are likely waiting, read again at once. Nothing of ours: poll (or NOTIFY).
      if (batch.changes.length === 0 && batch.rows < limit && !this.#stopped) {
        await source.wait(mode === 'triggers' ? Math.max(config.pollMs, TRIGGER_POLL_FLOOR_MS) : config.pollMs);
      }
    }
    await this.#saveState({ lastError: null, state: 'stopped' }).catch(() => {});
  }


  async #guard(query: Query, slot: string, reading?: ChangeSource): Promise<'none' | 'warned' | 'dropped' | 'missing'> {
    const max = this.#deps.config.maxRetainedBytes;
    let check = await checkSlot(query, slot, max);
    if (reading && check.retainedBytes !== null && check.retainedBytes > max && check.action !== 'dropped') {
      // This process reads the slot and still fell that far behind: stop reading it, so it can go.
      await reading.close();
      check = await checkSlot(query, slot, max);
    }
    if (check.action === 'dropped') {
      this.#deps.logger.error({ slot, retainedBytes: check.retainedBytes }, check.message);
      this.#droppedAt = new Date();
      this.#dropReason = check.message;
      await this.#saveState({ lastError: null, lagBytes: 0 }).catch(() => {});
    } else if (check.action === 'warned') {
      if (this.#warning !== check.message) this.#deps.logger.warn({ slot, retainedBytes: check.retainedBytes }, check.message);
      this.#warning = check.message;
    } else this.#warning = null;
    return check.action;
  }

  async #turnOff(query: Query): Promise<void> {
    const { database, logger, config } = this.#deps;
    this.#status = { mode: 'off', state: 'off', holding: false, slot: null, lastError: null };
    if (database.kind === 'postgres') {
      const slot = await slotName(query, config);
      if (await dropSlotIfIdle(query, slot)) logger.info({ slot }, `KILN_CHANGE_STREAM=off: dropped the replication slot ${slot}`);
    }
    await removeChangeTriggers(query, this.#tables.keys());
    await this.#saveState({ lastError: null, state: 'off', mode: 'off' });
  }

  async #saveState(extra: { lastError: string | null; state?: ConsumerStatus['state']; mode?: 'off'; lagBytes?: number }): Promise<void> {
    const backlog = this.#source && this.#status.holding ? await this.#source.backlog().catch(() => ({ lagBytes: null, pending: null })) : { lagBytes: null, pending: null };
    const elapsed = (Date.now() - this.#changesSince.at) / 1000;
    const rate = elapsed > 0 ? this.#changesSince.count / elapsed : 0;
    this.#changesSince = { at: Date.now(), count: 0 };
    await saveStreamState(this.#deps.database, {
      mode: extra.mode ?? this.#status.mode ?? 'off',
      state: extra.state ?? this.#status.state,
      slot: this.#status.slot,
      holder: this.#deps.owner,
      lagBytes: extra.lagBytes ?? backlog.lagBytes,
      pendingChanges: backlog.pending,
      changesPerSecond: Math.round(rate * 10) / 10,
      lastError: extra.lastError,
      warning: this.#warning,
      ...(this.#droppedAt !== undefined ? { droppedAt: this.#droppedAt, dropReason: this.#dropReason } : {}),
    });
  }

  #listen(onNotify: () => void): Promise<() => Promise<void>> {
    const { database } = this.#deps;
    if (database.kind === 'pglite') return database.pglite!.listen(CHANGE_CHANNEL, onNotify);
    return database.sql!.listen(CHANGE_CHANNEL, onNotify).then((sub) => () => sub.unlisten());
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.#wakeStop === done) self.#wakeStop = undefined;
        resolve();
      }
      this.#wakeStop = done;
    });
  }
}
