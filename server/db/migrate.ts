import 'server-only';
import { installJobSchema } from '../warmup/job-queue';
import type { Database } from './client';
import { migrationsFolder } from './client';

// Any fixed number works; it only has to be the same in every Kiln process.
const MIGRATION_LOCK_ID = 7_283_501;

/**
 * Applies the committed drizzle-kit migrations, then installs or upgrades the job engine's own
 * schema and queues (pg-boss keeps its tables in `pgboss` and migrates them itself). On Postgres
 * several processes may start at once (a server and its workers), so both run under one advisory
 * lock: the first process applies them, the others wait and then find nothing left to do. (Two
 * processes creating pg-boss's queues at once deadlocked on its queue table.)
 */
export async function applyMigrations(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as never, { migrationsFolder: migrationsFolder() });
    await installJobSchema(database);
    return;
  }
  // The lock lives on a session of its own; the migration itself goes through the pool. Other
  // processes block on the lock until this one has finished.
  const { PgSession } = await import('./session');
  const session = new PgSession(database.url!, 'kiln-migrate');
  try {
    await session.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    await migrate(database.db as never, { migrationsFolder: migrationsFolder() });
    await installJobSchema(database);
  } finally {
    // Ending the session lets the lock go.
    await session.end();
  }
}
