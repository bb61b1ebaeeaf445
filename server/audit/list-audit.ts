import 'server-only';
import { type SQL, and, eq, gte, like, lt, sql } from 'drizzle-orm';
import type { AuditPage, AuditQuery } from '@/lib/api/audit';
import { AppError } from '../errors';
import type { Database } from '../db/client';
import { auditLog } from '../db/schema';

const DEFAULT_LIMIT = 50;

type Cursor = { at: string; id: number };

// The cursor carries `at` as Postgres prints it (microseconds), not as a JS Date (milliseconds):
// rounding it would skip or repeat entries written within the same millisecond.
function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  const [at, id] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (!at || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(at) || !id || !/^\d{1,18}$/.test(id)) {
    throw new AppError('invalid_request', 'cursor: not a cursor this endpoint returned', { field: 'cursor' });
  }
  return { at, id: Number(id) };
}

/**
 * One page of the audit log, newest first, filtered. Keyset pagination on (at, id): entries
 * appended while someone pages never shift the pages after the cursor.
 */
export async function listAudit(database: Database, query: AuditQuery): Promise<AuditPage> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const conditions: (SQL | undefined)[] = [];
  if (query.actor) conditions.push(eq(auditLog.actor, query.actor));
  if (query.action?.endsWith('.*')) {
    const family = query.action.slice(0, -1).replace(/_/g, '\\_');
    conditions.push(like(auditLog.action, `${family}%`));
  } else if (query.action) conditions.push(eq(auditLog.action, query.action));
  if (query.outcome) conditions.push(eq(auditLog.outcome, query.outcome));
  if (query.from) conditions.push(gte(auditLog.at, sql`${query.from.toISOString()}::timestamptz`));
  if (query.to) conditions.push(lt(auditLog.at, sql`${query.to.toISOString()}::timestamptz`));
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    // A row comparison, so Postgres can walk the (at desc, id desc) index from the cursor on.
    conditions.push(sql`(${auditLog.at}, ${auditLog.id}) < (${cursor.at}::timestamptz, ${cursor.id}::bigint)`);
  }
  const rows = await database.db
    .select({
      id: auditLog.id,
      atKey: sql<string>`to_char(${auditLog.at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      actor: auditLog.actor,
      actorRole: auditLog.actorRole,
      action: auditLog.action,
      target: auditLog.target,
      outcome: auditLog.outcome,
      before: auditLog.before,
      after: auditLog.after,
      ip: auditLog.ip,
      userAgent: auditLog.userAgent,
    })
    .from(auditLog)
    .where(and(...conditions))
    // NULLS LAST like audit_log_at_idx (drizzle's desc indexes), so the page is a walk down the index.
    .orderBy(sql`${auditLog.at} desc nulls last`, sql`${auditLog.id} desc nulls last`)
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    entries: page.map(({ atKey, ...entry }) => ({ ...entry, at: atKey })),
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.atKey, id: last.id }) : null,
  };
}
