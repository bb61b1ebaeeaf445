import 'server-only';
import { cookies } from 'next/headers';
import type { Actor } from '@/lib/api/auth';
import type { Database } from '../db/client';
import { SESSION_COOKIE } from './cookies';
import { findSession } from './sessions';

/**
 * The operator signed in with this request's session cookie, for server components (pages and
 * layouts), or null when there is none or it has ended. Route handlers use authorize() instead.
 */
export async function getSignedInOperator(database: Database): Promise<Actor | null> {
  const secret = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!secret) return null;
  const found = await findSession(database, secret);
  if (found.status !== 'ok') return null;
  const { id, email, role, mustChangePassword } = found.operator;
  return { kind: 'operator', id, label: email, role, ...(mustChangePassword ? { mustChangePassword } : {}) };
}
