import 'server-only';
import type { Database } from './client';

/**
 * Runs `work` only if no other process holds the advisory lock `lockId` (nor this one: work under
 * a lock does not overlap itself), holding it meanwhile on the process's lock session (the work's
 * queries go through the pool). Resolves with `skipped: true` when the lock is taken. PGlite
 * serves one process only: no lock needed.
 */
export async function withTryAdvisoryLock<T>(database: Database, lockId: number, work: () => Promise<T>): Promise<{ skipped: true } | { skipped: false; result: T }> {
  if (database.kind === 'pglite' || !database.locks) return { skipped: false, result: await work() };
  if (!(await database.locks.tryLock(lockId))) return { skipped: true };
  try {
    return { skipped: false, result: await work() };
  } finally {
    await database.locks.unlock(lockId);
  }
}
