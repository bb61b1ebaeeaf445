import 'server-only';
import type { Actor } from '@/lib/api/auth';
import type { Database } from '../db/client';
import { sessionSecret } from './cookies';
import { findSession } from './sessions';
import { findToken } from './tokens/find-token';

export type Resolution =
  | { status: 'none' }
  | { status: 'invalid'; via: 'cookie' | 'bearer'; reason: string; label?: string }
  | { status: 'ok'; via: 'cookie' | 'bearer'; actor: Actor };

/**
 * Who a request acts for. An Authorization header wins over a cookie: a script's token is what it
 * meant, and a Bearer value is never attached by a browser on its own (so it needs no origin check).
 */
export async function resolveActor(database: Database, request: Request): Promise<Resolution> {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return { status: 'invalid', via: 'bearer', reason: 'malformed_authorization' };
    const found = await findToken(database, match[1]!);
    if (found.status === 'invalid') return { status: 'invalid', via: 'bearer', reason: found.reason, label: found.name };
    const { id, name, role } = found.token;
    return { status: 'ok', via: 'bearer', actor: { kind: 'token', id, label: name, role } };
  }
  const secret = sessionSecret(request);
  if (!secret) return { status: 'none' };
  const found = await findSession(database, secret);
  if (found.status === 'invalid') return { status: 'invalid', via: 'cookie', reason: found.reason, label: found.email };
  const { id, email, role, mustChangePassword } = found.operator;
  return { status: 'ok', via: 'cookie', actor: { kind: 'operator', id, label: email, role, ...(mustChangePassword ? { mustChangePassword } : {}) } };
}
