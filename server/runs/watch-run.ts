import 'server-only';
import { sql } from 'drizzle-orm';
import type { RunSnapshot } from '@/lib/api/runs';
import type { Database } from '../db/client';
import { AppError } from '../errors';

export type { RunSnapshot };

export type RunEvent = { type: 'progress' | 'end'; run: RunSnapshot };

export async function readSnapshot(database: Database, runId: string): Promise<RunSnapshot | undefined> {
  const [row] = await database.rows<RunSnapshot>(sql`
    select id::text as id, status, concurrency, total::float8 as total, warmed::float8 as warmed,
           skipped::float8 as skipped, failed::float8 as failed, progress,
           to_char(cancel_requested_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "cancelRequestedAt",
           to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "finishedAt",
           duration_ms as "durationMs", error
    from runs where id = ${runId}::uuid`);
  return row;
}

/**
 * A run's progress as it changes, read from Postgres where whichever process runs it publishes it
 * (its heartbeat writes progress twice a second), so a watcher on any replica sees it. Ends with
 * an `end` event once the run has finished. Throws not_found for an unknown run.
 */
export async function* watchRun(database: Database, runId: string, signal: AbortSignal, intervalMs = 500): AsyncGenerator<RunEvent> {
  if (!/^[0-9a-f-]{36}$/i.test(runId)) throw new AppError('not_found', `No run with id ${runId}`, { field: 'id' });
  let last = '';
  let first = true;
  while (!signal.aborted) {
    const snapshot = await readSnapshot(database, runId);
    if (!snapshot) {
      if (first) throw new AppError('not_found', `No run with id ${runId}`, { field: 'id' });
      return;
    }
    first = false;
    if (snapshot.status !== 'running') {
      yield { type: 'end', run: snapshot };
      return;
    }
    const text = JSON.stringify(snapshot);
    if (text !== last) {
      last = text;
      yield { type: 'progress', run: snapshot };
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}
