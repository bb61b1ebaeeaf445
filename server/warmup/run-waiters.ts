import 'server-only';
import type { Database } from '../db/client';
import type { Logger } from '../logger';
import { RUN_ENDED_CHANNEL, type RunSummary, readRunSummary } from './run-records';

type Waiter = { resolve: (summary: RunSummary) => void; reject: (error: Error) => void };

/**
 * Promises of runs' outcomes, in one process, whichever process ends the run: the process that
 * ends a run NOTIFYs `kiln_run_ended` in the same transaction, and this reads the outcome from the
 * run records then. A poll every few seconds covers a notification lost to a reconnect.
 */
export class RunWaiters {
  readonly #database: Database;
  readonly #logger: Logger;
  readonly #waiting = new Map<string, Waiter[]>();
  #unlisten?: Promise<() => Promise<void>>;
  #poll?: NodeJS.Timeout;
  #closed = false;

  constructor(database: Database, logger: Logger) {
    this.#database = database;
    this.#logger = logger;
  }

  /** Resolves with the run's outcome once it has ended (at once if it already has). */
  wait(runId: string): Promise<RunSummary> {
    const promise = this.#closed
      ? Promise.reject(new Error('This process is shutting down: it no longer follows runs'))
      : new Promise<RunSummary>((resolve, reject) => {
          this.#start();
          const list = this.#waiting.get(runId) ?? [];
          list.push({ resolve, reject });
          this.#waiting.set(runId, list);
        });
    // Many callers never wait for the outcome (a schedule that fired): a shutdown must not turn
    // their promise into an unhandled rejection. Those who await it still see the rejection.
    promise.catch(() => {});
    if (!this.#closed) void this.#check(runId);
    return promise;
  }

  /** Tells the waiters of a run that this process has just ended (no round trip through Postgres). */
  ended(runId: string): void {
    void this.#check(runId);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    const unlisten = await this.#unlisten?.catch(() => undefined);
    await unlisten?.().catch(() => {});
    for (const [, list] of this.#waiting) for (const w of list) w.reject(new Error('This process is shutting down: it no longer follows runs'));
    this.#waiting.clear();
  }

  #start(): void {
    if (this.#unlisten) return;
    this.#unlisten = this.#listen();
    this.#poll = setInterval(() => {
      for (const runId of this.#waiting.keys()) void this.#check(runId);
    }, 2000);
    this.#poll.unref();
  }

  async #listen(): Promise<() => Promise<void>> {
    const onEnded = (runId: string) => {
      if (this.#waiting.has(runId)) void this.#check(runId);
    };
    try {
      if (this.#database.sql) return (await this.#database.sql.listen(RUN_ENDED_CHANNEL, onEnded)).unlisten;
      if (this.#database.pglite) return await this.#database.pglite.listen(RUN_ENDED_CHANNEL, onEnded);
    } catch (error) {
      this.#logger.warn({ err: error }, 'Listening for ended runs failed; polling instead');
    }
    return async () => {};
  }

  async #check(runId: string): Promise<void> {
    if (!this.#waiting.has(runId)) return;
    let summary: RunSummary | undefined;
    try {
      summary = await readRunSummary(this.#database.db, runId);
    } catch {
      return; // the database is away: the next poll tries again
    }
    if (!summary) return;
    const list = this.#waiting.get(runId) ?? [];
    this.#waiting.delete(runId);
    for (const w of list) w.resolve(summary);
  }
}
