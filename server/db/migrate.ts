import 'server-only';
import { installJobSchema } from '../warmup/job-queue';
import type { Database } from './client';
import { migrationsFolder } from './client';

// Any fixed number works; it only has to be the same in every Kiln process.
const MIGRATION_LOCK_ID = 7_283_501;

/**
 * Applies the committed drizzle-kit migrations, then installs or upgrades the job engine's own
 * schema (pg-boss keeps its tables in `pgboss` and migrates them itself). On Postgres several
 * replicas may start at once, so Kiln's migration runs under an advisory lock: the first process
 * applies them, the others wait and then find nothing left to do (pg-boss has a lock of its own).
 */
export async function applyMigrations(database: Database): Promise<void> {
  await applyKilnMigrations(database);
  await installJobSchema(database);
}

async function applyKilnMigrations(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as never, { migrationsFolder: migrationsFolder() });
    return;
  }
  // The lock lives on a reserved connection (a session of its own); the migration itself goes
  // through the pool. Other processes block on the lock until this one has finished.
  const reserved = await database.sql!.reserve();
  try {
    await reserved`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    await migrate(database.db as never, { migrationsFolder: migrationsFolder() });
  } finally {
    await reserved`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
    reserved.release();
  }
}
