import 'server-only';
import postgres from 'postgres';
import { reconnectBackoff } from './client';

/** A session's connection closed (a Postgres restart, a terminated backend): what it held is gone. */
export class SessionLostError extends Error {
  constructor(name: string) {
    super(`The Postgres session ${name} was lost (its connection closed): what it held, an advisory lock, went with it`);
    this.name = 'SessionLostError';
  }
}

/** An ERROR the server sent on a live session: not a FATAL that ends it, nor a connection failure. */
export function answeredByServer(error: unknown): boolean {
  return (error as { severity?: string } | null)?.severity === 'ERROR';
}

/**
 * One Postgres session of its own (a connection outside the pool), for what must stay on one
 * session: an advisory lock held while work runs, the change stream's lock and slot queries.
 *
 * Not the pool's `reserve()`: with postgres.js 3.4.9 a query sent on a reserved connection whose
 * server side has gone (a Postgres restart) throws an uncaught TypeError from an immediate
 * (`nextWrite` on a null socket, porsager/postgres#1208) and takes the process down; and a plain
 * client would quietly open a new session that holds nothing. Here the connection's close is seen
 * (`onclose`) and the session is lost from then on: every query rejects with `SessionLostError`,
 * and the holder opens another session and takes its locks again.
 */
export class PgSession {
  readonly #client: postgres.Sql;
  readonly #name: string;
  #lost: SessionLostError | null = null;

  constructor(url: string, name: string) {
    this.#name = name;
    this.#client = postgres(url, {
      max: 1,
      // Never recycled while held: closing the connection would let the lock go.
      idle_timeout: 0,
      max_lifetime: null,
      connect_timeout: 5,
      backoff: reconnectBackoff,
      fetch_types: false,
      onnotice: () => {},
      onclose: () => {
        this.#lost ??= new SessionLostError(this.#name);
      },
      connection: { application_name: name },
    });
  }

  /** Its connection closed at some point: nothing it held can be trusted any more. */
  get lost(): boolean {
    return this.#lost !== null;
  }

  async query<T>(text: string, params: unknown[] = []): Promise<T[]> {
    if (this.#lost) throw this.#lost;
    return (await this.#client.unsafe(text, params as never[])) as unknown as T[];
  }

  /** Ends the session (its locks go with it); waits `timeoutSeconds` at most for a query under way. */
  async end(timeoutSeconds = 2): Promise<void> {
    this.#lost ??= new SessionLostError(this.#name);
    await this.#client.end({ timeout: timeoutSeconds }).catch(() => {});
  }
}

/**
 * Advisory locks held for the length of a piece of work, all on one session of this process
 * (not a connection each): `tryLock` answers false when another process holds the lock, or when
 * this process already runs work under it. A lost session is replaced on the next `tryLock`; work
 * still running under a lock of the lost session keeps its in-process claim until it unlocks.
 */
export class AdvisoryLocks {
  readonly #url: string;
  readonly #name: string;
  #session?: PgSession;
  readonly #claimed = new Map<number, PgSession>();

  constructor(url: string, name = 'kiln-locks') {
    this.#url = url;
    this.#name = name;
  }

  async tryLock(lockId: number): Promise<boolean> {
    if (this.#claimed.has(lockId)) return false;
    // A session found dead only by the answer (its connection closed unnoticed while idle) is
    // replaced once and asked again.
    for (let attempt = 0; ; attempt++) {
      if (!this.#session || this.#session.lost) {
        void this.#session?.end();
        this.#session = new PgSession(this.#url, this.#name);
      }
      const session = this.#session;
      this.#claimed.set(lockId, session);
      try {
        const [row] = await session.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [lockId]);
        if (row?.locked) return true;
        this.#claimed.delete(lockId);
        return false;
      } catch (error) {
        this.#claimed.delete(lockId);
        // An error the server sent is an answer; a connection's failure (or a FATAL) is not.
        if (attempt > 0 || answeredByServer(error)) throw error;
        void session.end();
        if (this.#session === session) this.#session = undefined;
      }
    }
  }

  /** Lets the lock go (on a lost session it already went); waits 2 s at most for the answer. */
  async unlock(lockId: number): Promise<void> {
    const session = this.#claimed.get(lockId);
    this.#claimed.delete(lockId);
    if (!session || session.lost) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      session.query('select pg_advisory_unlock($1)', [lockId]).catch(() => {}),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000))),
    ]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    this.#claimed.clear();
    await this.#session?.end();
    this.#session = undefined;
  }
}
