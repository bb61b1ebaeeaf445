import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { withTryAdvisoryLock } from '@/server/db/advisory-lock';
import { openPostgres } from '@/server/db/client';
import { PgSession, SessionLostError } from '@/server/db/session';
import { useTestDatabase } from '../../support/db';

const LOCK = 990_001;

/** The backends of a database that run under an application name. */
async function backends(database: Awaited<ReturnType<typeof openPostgres>>, name: string): Promise<number[]> {
  const rows = await database.rows<{ pid: number }>(sql`select pid from pg_stat_activity where datname = current_database() and application_name = ${name}`);
  return rows.map((r) => r.pid);
}

/** Work under LOCK that runs until released, once the lock is held. */
async function holdLock(database: Awaited<ReturnType<typeof openPostgres>>) {
  let release!: () => void;
  const held = withTryAdvisoryLock(database, LOCK, () => new Promise<string>((resolve) => (release = () => resolve('done'))));
  await expect.poll(() => backends(database, 'kiln-locks')).toHaveLength(1);
  await new Promise((r) => setTimeout(r, 50));
  return { held, release };
}

describe('advisory locks on a session of their own', () => {
  it('a lock taken by one process is refused to another, and to overlapping work of its own, until the work ends', async () => {
    const { database, url } = await useTestDatabase();
    const other = await openPostgres(url, 2);
    try {
      const { held, release } = await holdLock(database);
      expect(await withTryAdvisoryLock(other, LOCK, async () => 'other')).toEqual({ skipped: true });
      expect(await withTryAdvisoryLock(database, LOCK, async () => 'overlap')).toEqual({ skipped: true });
      // Another lock id on the same session is free.
      expect(await withTryAdvisoryLock(database, LOCK + 1, async () => 'second')).toEqual({ skipped: false, result: 'second' });
      release();
      expect(await held).toEqual({ skipped: false, result: 'done' });
      expect(await withTryAdvisoryLock(other, LOCK, async () => 'other')).toEqual({ skipped: false, result: 'other' });
      // One session for every lock of a process (two processes here), not a connection per call.
      expect(await backends(database, 'kiln-locks')).toHaveLength(2);
    } finally {
      await other.close();
    }
  });

  it('a session whose backend is terminated is lost: its queries are refused (no crash), and the next lock opens a new session', async () => {
    const { database, url } = await useTestDatabase();
    const session = new PgSession(url, 'kiln-test-session');
    try {
      const [row] = await session.query<{ pid: number }>('select pg_backend_pid() as pid');
      await database.rows(sql`select pg_terminate_backend(${row!.pid})`);
      await expect.poll(() => session.lost).toBe(true);
      // On a pool's reserved connection this query crashed the process (postgres.js 3.4.9, nextWrite on a null socket).
      await expect(session.query('select 1')).rejects.toBeInstanceOf(SessionLostError);
      await expect(session.query('select 1')).rejects.toBeInstanceOf(SessionLostError);
    } finally {
      await session.end();
    }

    // The process's lock session dies while nothing holds a lock: the next lock takes a new session.
    expect(await withTryAdvisoryLock(database, LOCK, async () => 'first')).toEqual({ skipped: false, result: 'first' });
    const [pid] = await backends(database, 'kiln-locks');
    await database.rows(sql`select pg_terminate_backend(${pid!})`);
    await expect.poll(() => backends(database, 'kiln-locks')).toHaveLength(0);
    expect(await withTryAdvisoryLock(database, LOCK, async () => 'again')).toEqual({ skipped: false, result: 'again' });
    const after = await backends(database, 'kiln-locks');
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(pid);
  });

  it('work whose lock session is terminated under it ends without a crash, and the lock is free for another process', async () => {
    const { database, url } = await useTestDatabase();
    const other = await openPostgres(url, 2);
    try {
      const { held, release } = await holdLock(database);
      const [pid] = await backends(database, 'kiln-locks');
      await database.rows(sql`select pg_terminate_backend(${pid!})`);
      // The lock went with the session: another process takes it at once.
      await expect.poll(async () => (await withTryAdvisoryLock(other, LOCK, async () => 'other')).skipped).toBe(false);
      release();
      // The unlock is not sent on the lost session (it would crash on a reserved connection).
      expect(await held).toEqual({ skipped: false, result: 'done' });
    } finally {
      await other.close();
    }
  });
});
