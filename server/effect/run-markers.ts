import 'server-only';
import { sql } from 'drizzle-orm';
import type { RunMarker } from '@/lib/api/effect';
import type { Database } from '../db/client';
import { isoTimestamp } from '../db/sql-fragments';

const MAX_MARKERS = 500;

/**
 * The non-dry runs overlapping [from, to), oldest first, as chart markers (at most 500: the newest).
 * Runs are looked for from a day before `from` (the created_at index bounds the scan), so a run
 * that began more than a day before the range and was still going in it is left out.
 */
export async function getRunMarkers(database: Database, from: Date, to: Date): Promise<{ runs: RunMarker[]; truncated: boolean }> {
  const rows = await database.rows<RunMarker>(sql`
    select r.id::text as id, r.trigger, r.triggered_by as "triggeredBy", r.strategies, r.status,
           ${isoTimestamp('r.created_at')} as "startedAt", ${isoTimestamp('r.finished_at')} as "finishedAt"
    from runs r
    where not r.dry_run
      and r.created_at < ${to.toISOString()}::timestamptz
      and r.created_at >= ${new Date(from.getTime() - 86_400_000).toISOString()}::timestamptz
      and (r.finished_at is null or r.finished_at >= ${from.toISOString()}::timestamptz)
    order by r.created_at desc, r.id desc
    limit ${MAX_MARKERS + 1}`);
  return { runs: rows.slice(0, MAX_MARKERS).reverse(), truncated: rows.length > MAX_MARKERS };
}
