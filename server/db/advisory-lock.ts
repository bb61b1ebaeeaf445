import 'server-only';
import type { Database } from './client';

/**
 * Runs `work` only if no other process holds the advisory lock `lockId`, holding it meanwhile on a
 * reserved connection (a session of its own: the work's queries go through the pool). Resolves
 * with `skipped: true` when another process has it. PGlite serves one process only: no lock needed.
 */
export async function withTryAdvisoryLock<T>(database: Database, lockId: number, work: () => Promise<T>): Promise<{ skipped: true } | { skipped: false; result: T }> {
  if (database.kind === 'pglite' || !database.sql) return { skipped: false, result: await work() };
  const reserved = await database.sql.reserve();
  try {
    const [row] = await reserved<{ locked: boolean }[]>`select pg_try_advisory_lock(${lockId}) as locked`;
    if (!row?.locked) return { skipped: true };
    try {
      return { skipped: false, result: await work() };
    } finally {
      await reserved`select pg_advisory_unlock(${lockId})`.catch(() => {});
    }
  } finally {
    reserved.release();
  }
}
