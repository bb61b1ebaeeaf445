import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import { redactUrl, type Config } from '../config';
import * as schema from './schema';
import type { AdvisoryLocks } from './session';

export type Schema = typeof schema;
/** The drizzle handle, the same type on both drivers. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseHealth = { ok: true; latencyMs: number } | { ok: false; latencyMs: number; error: string };

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  /** The postgres.js client, for COPY and reserved connections (postgres only). */
  readonly sql?: postgres.Sql;
  /** The server's URL (postgres only): for a connection of another kind, a replication one (server/freshness). */
  readonly url?: string;
  /** Advisory locks held while work runs, on a session of their own (postgres only). */
  readonly locks?: AdvisoryLocks;
  readonly pglite?: PGlite;
  /** Rows of a raw query, the same shape on both drivers. */
  rows<T extends Record<string, unknown>>(query: SQL): Promise<T[]>;
  /** Where the data lives, without secrets. */
  describe(): string;
  health(): Promise<DatabaseHealth>;
  close(): Promise<void>;
}

/**
 * Seconds before a connection that failed is tried again, by the pool's count of failures in a
 * row. postgres.js's default grows to 20 s after seven failures (3^n / 100), so after an outage of
 * a few seconds every query waited up to 20 s once Postgres was back; here it grows to 2 s (a
 * refused connection costs the server nothing), so Kiln is back within about 2 s of Postgres.
 */
export function reconnectBackoff(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.1 * 2 ** failures, 2);
}

export function migrationsFolder(): string {
  return path.join(process.cwd(), 'server', 'db', 'migrations');
}

/** Opens the database the configuration names: Postgres through postgres.js, or embedded PGlite. */
export async function openDatabase(config: Config['database']): Promise<Database> {
  return config.kind === 'postgres' ? openPostgres(config.url, config.poolMax) : openPglite(config.dataDir);
}

export async function openPostgres(url: string, poolMax = 10): Promise<Database> {
  const { default: postgresJs } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { AdvisoryLocks } = await import('./session');
  const sql = postgresJs(url, {
    max: poolMax,
    idle_timeout: 30,
    // Fail fast when Postgres is unreachable instead of queueing requests for half a minute.
    connect_timeout: 5,
    backoff: reconnectBackoff,
    onnotice: () => {},
    connection: { application_name: 'kiln' },
  });
  const db = drizzle(sql, { schema }) as unknown as Db;
  const locks = new AdvisoryLocks(url);
  return {
    kind: 'postgres',
    db,
    sql,
    url,
    locks,
    rows: async <T,>(query: SQL) => (await db.execute(query)) as unknown as T[],
    describe: () => `PostgreSQL at ${redactUrl(url)}`,
    health: () => measure(() => sql`select 1`),
    close: async () => {
      await Promise.all([sql.end({ timeout: 5 }), locks.close()]);
    },
  };
}

export async function openPglite(dataDir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const inMemory = dataDir.startsWith('memory://');
  let releaseLock = () => {};
  if (!inMemory) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    releaseLock = lockDataDir(dataDir);
  }
  try {
    const pglite = await PGlite.create(inMemory ? undefined : dataDir);
    const db = drizzle(pglite, { schema }) as unknown as Db;
    return {
      kind: 'pglite',
      db,
      pglite,
      rows: async <T,>(query: SQL) => ((await db.execute(query)) as unknown as { rows: T[] }).rows,
      describe: () => (inMemory ? 'embedded PGlite (in memory)' : `embedded PGlite in ${dataDir}`),
      health: () => measure(() => pglite.query('select 1')),
      close: async () => {
        try {
          if (!pglite.closed) await pglite.close();
        } finally {
          releaseLock();
        }
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

async function measure(probe: () => Promise<unknown>): Promise<DatabaseHealth> {
  const started = performance.now();
  try {
    await probe();
    return { ok: true, latencyMs: performance.now() - started };
  } catch (error) {
    return { ok: false, latencyMs: performance.now() - started, error: (error as Error).message };
  }
}

/**
 * PGlite's data directory may be opened by one process only: a second opener corrupts it.
 * A pid file next to it turns that into a clear error instead.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      // Released on close, and on any exit that skips close (process.exit from a signal handler).
      const release = () => fs.rmSync(lockFile, { force: true });
      process.once('exit', release);
      return () => {
        process.off('exit', release);
        release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(lockFile, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The embedded database in ${dataDir} is in use by process ${holder}. ` +
            'PGlite allows one process at a time: stop that process, or set DATABASE_URL to use a Postgres server.',
        );
      }
      fs.rmSync(lockFile, { force: true }); // left behind by a process that died
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
