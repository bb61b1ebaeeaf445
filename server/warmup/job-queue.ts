import 'server-only';
import PgBoss from 'pg-boss';
import type { Database, Db } from '../db/client';
import { answeredByServer } from '../db/session';

/**
 * pg-boss, the job engine runs execute on, over Kiln's own database connection (postgres.js pool,
 * or the embedded PGlite): no second pool and no new server. Its tables live in their own schema
 * (`pgboss`), created and upgraded by pg-boss itself when Kiln applies its migrations.
 */

export const JOB_SCHEMA = 'pgboss';

/** A shard of a run's strategy: the unit a worker takes. */
export const SHARD_QUEUE = 'kiln-shard';
/** Shards pg-boss gave up on (retries spent): their run learns they failed. */
export const DEAD_SHARD_QUEUE = 'kiln-shard-dead';
/** Alert messages to deliver (server/alerts): one job per message of the outbox. */
export const ALERT_QUEUE = 'alert-delivery';

export type BossOptions = {
  /** Expire, archive and delete jobs on a timer (one process of all does it at a time). */
  supervise: boolean;
  maintenanceIntervalSeconds?: number;
  /** Days finished jobs stay in pg-boss's archive: the `job_archive` retention policy (server/retention). */
  archiveDays?: number;
};

/**
 * A pg-boss instance on `database`. pg-boss 10 speaks to Postgres through `executeSql(text,
 * values)`; postgres.js and PGlite each need a small adapter (what a spike on this machine found:
 * ../shared/TOOLCHAIN.md).
 */
export function createBoss(database: Database, options: BossOptions): PgBoss {
  const boss = new PgBoss({
    db: { executeSql: executorFor(database) },
    schema: JOB_SCHEMA,
    migrate: true,
    supervise: options.supervise,
    schedule: false,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 10,
    // Finished jobs leave the live table quickly and are deleted from the archive after the
    // job_archive retention policy's days (7 by default): the run records in Kiln's own tables are
    // what operators read.
    archiveCompletedAfterSeconds: 60 * 60,
    archiveFailedAfterSeconds: 24 * 60 * 60,
    deleteAfterDays: options.archiveDays ?? 7,
  });
  return boss;
}

/** Creates Kiln's queues (idempotent). */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  await ensureQueue(boss, ALERT_QUEUE, { name: ALERT_QUEUE, policy: 'standard' });
  for (const name of [DEAD_SHARD_QUEUE, SHARD_QUEUE]) {
    const existing = await boss.getQueue(name);
    const options: PgBoss.Queue = {
      name,
      policy: 'standard',
      // A shard killed with its worker is retried elsewhere; one that fails three times goes to
      // the dead-letter queue, where its run learns it was given up.
      retryLimit: name === SHARD_QUEUE ? 3 : 10,
      retryDelay: 1,
      retryBackoff: false,
      ...(name === SHARD_QUEUE ? { deadLetter: DEAD_SHARD_QUEUE } : {}),
    };
    if (!existing) {
      try {
        await boss.createQueue(name, options);
      } catch (error) {
        // Another process created it between our look and our insert.
        if (!(await boss.getQueue(name))) throw error;
      }
    } else {
      await boss.updateQueue(name, options);
    }
  }
}

/** Creates a queue unless it exists (another process may create it between our look and our insert). */
export async function ensureQueue(boss: PgBoss, name: string, options: PgBoss.Queue): Promise<void> {
  if (await boss.getQueue(name)) return;
  try {
    await boss.createQueue(name, options);
  } catch (error) {
    if (!(await boss.getQueue(name))) throw error;
  }
}

/**
 * Installs or upgrades pg-boss's schema (part of applying Kiln's migrations). pg-boss serializes
 * concurrent installs itself with an advisory lock.
 */
export async function installJobSchema(database: Database): Promise<void> {
  const boss = createBoss(database, { supervise: false });
  boss.on('error', () => {});
  await boss.start();
  try {
    await ensureQueues(boss);
  } finally {
    await boss.stop({ graceful: false, close: false, wait: true });
  }
}

export type JobExecutor = (text: string, values?: unknown[]) => Promise<{ rows: any[] }>;
type Executor = JobExecutor;

/**
 * pg-boss's executor inside one of Kiln's drizzle transactions, so that a job is queued in the same
 * transaction as the rows that describe its work: both are kept, or neither. drizzle keeps the
 * driver's transaction handle on its session (postgres.js: `unsafe`; PGlite: `query`).
 */
export function jobExecutorIn(tx: Db): JobExecutor {
  const client = (tx as unknown as { session: { client: { unsafe?: Function; query?: Function } } }).session.client;
  if (typeof client.unsafe === 'function') {
    const unsafe = client.unsafe.bind(client) as (text: string, values: unknown[]) => Promise<any[]>;
    return async (text, values = []) => ({ rows: [...(await unsafe(bindJsonText(text), values.map(asParameter)))] });
  }
  const query = client.query!.bind(client) as (text: string, values: unknown[]) => Promise<{ rows: any[] }>;
  return async (text, values = []) => ({ rows: (await query(bindJsonText(text), values.map(asParameter))).rows });
}

function executorFor(database: Database): Executor {
  if (database.kind === 'pglite') return pgliteExecutor(database);
  return postgresExecutor(database);
}

// pg-boss runs its maintenance and migrations as parameterless `BEGIN; …; COMMIT;` strings.
const TRANSACTION_SCRIPT = /^\s*BEGIN\s*;/i;

/** postgres.js binds a text parameter as text; pg-boss hands json_to_recordset a JSON string. */
function bindJsonText(text: string): string {
  return text.replace(/json_to_recordset\(\$1\)/g, 'json_to_recordset($1::text::json)');
}

/**
 * pg-boss passes undefined for unset options (postgres.js refuses it) and plain objects for json
 * parameters (node-postgres serializes them; postgres.js wants the text).
 */
function asParameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Array.isArray(value) && !Buffer.isBuffer(value)) {
    return JSON.stringify(value);
  }
  return value;
}

function postgresExecutor(database: Database): Executor {
  const sql = database.sql!;
  return async (text, values = []) => {
    if (values.length === 0 && TRANSACTION_SCRIPT.test(text)) {
      // Several statements: the simple protocol, on one connection of its own, rolled back if a
      // statement fails half-way (the connection goes back to the pool clean).
      const reserved = await sql.reserve();
      try {
        await reserved.unsafe(text).simple();
        return { rows: [] };
      } catch (error) {
        // Only on a session the server still answers: a query sent on a reserved connection that
        // has closed (a Postgres restart) crashes the process in postgres.js 3.4.9
        // (porsager/postgres#1208), and a closed session's transaction went with it anyway.
        if (answeredByServer(error)) await reserved.unsafe('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        reserved.release();
      }
    }
    const rows = await sql.unsafe(bindJsonText(text), values.map(asParameter) as never[]);
    return { rows: [...rows] };
  };
}

function pgliteExecutor(database: Database): Executor {
  const pglite = database.pglite!;
  return async (text, values = []) => {
    if (values.length === 0 && TRANSACTION_SCRIPT.test(text)) {
      try {
        await pglite.exec(text);
        return { rows: [] };
      } catch (error) {
        // PGlite has one session: a failed script would leave it inside the transaction.
        await pglite.exec('ROLLBACK').catch(() => {});
        throw error;
      }
    }
    const result = await pglite.query(bindJsonText(text), values.map(asParameter));
    return { rows: result.rows as any[] };
  };
}
