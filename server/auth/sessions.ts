import 'server-only';
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Role } from '@/lib/api/auth';
import type { Database, Db } from '../db/client';
import { operatorSessions } from '../db/schema';
import type { ClientInfo } from './client-info';
import { randomSecret, sha256 } from './secrets';

/** A session ends after 12 hours without a request, and 7 days after sign-in whatever happens. */
export const SESSION_IDLE_SECONDS = 12 * 60 * 60;
export const SESSION_MAX_SECONDS = 7 * 24 * 60 * 60;
/** last_seen_at is written at most this often, so reads do not each cost a write. */
const TOUCH_EVERY_SECONDS = 60;

export type NewSession = { secret: string; maxAgeSeconds: number };

/** Starts a session; only the secret's hash is stored, so a copy of the table opens no session. */
export async function createSession(db: Db, operatorId: number, client: ClientInfo): Promise<NewSession> {
  const secret = randomSecret(32);
  await db.insert(operatorSessions).values({
    id: sha256(secret),
    operatorId,
    expiresAt: sql`now() + ${SESSION_MAX_SECONDS}::int * interval '1 second'`,
    ip: client.ip,
    userAgent: client.userAgent,
  });
  return { secret, maxAgeSeconds: SESSION_MAX_SECONDS };
}

export type SessionLookup =
  | { status: 'ok'; operator: { id: number; email: string; name: string; role: Role; mustChangePassword: boolean } }
  | { status: 'invalid'; reason: 'unknown_session' | 'expired_session' | 'disabled_operator'; email?: string };

/**
 * The operator behind a session cookie's secret, read fresh from the database (a role change or
 * a disabling holds on the next request). An idle or too old session is deleted on sight.
 */
export async function findSession(database: Database, secret: string): Promise<SessionLookup> {
  const id = sha256(secret);
  const [row] = await database.rows<{
    operator_id: number;
    email: string;
    name: string;
    role: Role;
    disabled: boolean;
    expired: boolean;
    touch: boolean;
    must_change_password: boolean;
  }>(sql`
    select o.id as operator_id, o.email, o.name, o.role, o.disabled_at is not null as disabled, o.must_change_password,
           (s.expires_at <= now() or s.last_seen_at <= now() - ${SESSION_IDLE_SECONDS}::int * interval '1 second') as expired,
           s.last_seen_at <= now() - ${TOUCH_EVERY_SECONDS}::int * interval '1 second' as touch
    from operator_sessions s join operators o on o.id = s.operator_id
    where s.id = ${id}`);
  if (!row) return { status: 'invalid', reason: 'unknown_session' };
  if (row.expired) {
    await database.db.delete(operatorSessions).where(eq(operatorSessions.id, id));
    return { status: 'invalid', reason: 'expired_session', email: row.email };
  }
  if (row.disabled) return { status: 'invalid', reason: 'disabled_operator', email: row.email };
  if (row.touch) {
    await database.db.update(operatorSessions).set({ lastSeenAt: sql`now()` }).where(eq(operatorSessions.id, id));
  }
  return { status: 'ok', operator: { id: row.operator_id, email: row.email, name: row.name, role: row.role, mustChangePassword: row.must_change_password } };
}

/** Ends the session a cookie secret names (nothing happens for an unknown one). */
export async function deleteSession(database: Database, secret: string): Promise<void> {
  await database.db.delete(operatorSessions).where(eq(operatorSessions.id, sha256(secret)));
}

/** Ends every session of an operator (but `keepSecret`'s): after a password change, a disabling or a removal. */
export async function deleteOperatorSessions(db: Db, operatorId: number, keepSecret?: string): Promise<void> {
  await db
    .delete(operatorSessions)
    .where(keepSecret ? and(eq(operatorSessions.operatorId, operatorId), ne(operatorSessions.id, sha256(keepSecret))) : eq(operatorSessions.operatorId, operatorId));
}
