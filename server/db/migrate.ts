import 'server-only';
import type { Database } from './client';
import { migrationsFolder } from './client';

// Any fixed number works; it only has to be the same in every Kiln process.
const MIGRATION_LOCK_ID = 7_283_501;

/**
 * Applies the committed drizzle-kit migrations. On Postgres several replicas may start at once,
 * so the migration runs under an advisory lock: the first process applies them, the others wait
 * and then find nothing left to do.
 */
export async function applyMigrations(database: Database): Promise<void> {
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
