import 'server-only';
import { sql } from 'drizzle-orm';
import type { RunSnapshot } from '@/lib/api/runs';
import type { Database } from '../db/client';
import { isoTimestamp } from '../db/sql-fragments';
import { AppError } from '../errors';
import { runProgressJson } from './run-progress-sql';

export type { RunSnapshot };

export type RunEvent = { type: 'progress' | 'end'; run: RunSnapshot };

/** A run as its event stream reports it: its totals so far and its progress, built by Postgres. */
export async function readSnapshot(database: Database, runId: string): Promise<RunSnapshot | undefined> {
  const [row] = await database.rows<RunSnapshot>(sql`
    select r.id::text as id, r.status, r.concurrency, r.total::float8 as total, r.warmed::float8 as warmed,
           r.skipped::float8 as skipped, r.failed::float8 as failed, ${runProgressJson()} as progress,
           ${isoTimestamp('r.cancel_requested_at')} as "cancelRequestedAt", ${isoTimestamp('r.finished_at')} as "finishedAt",
           r.duration_ms as "durationMs", r.error
    from runs r where r.id = ${runId}::uuid`);
  return row;
}

/**
 * A run's progress as it changes, read from Postgres where the workers running its shards publish
 * theirs (twice a second), so a watcher on any replica sees it. Ends with
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
