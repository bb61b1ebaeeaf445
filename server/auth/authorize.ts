import 'server-only';
import { type Actor, type Role, roleAtLeast } from '@/lib/api/auth';
import { recordAudit } from '../audit/record-audit';
import { AppError } from '../errors';
import type { Database } from '../db/client';
import { clientInfo } from './client-info';
import { checkSameOrigin, isStateChanging } from './request-origin';
import { resolveActor } from './resolve-actor';

export type { Actor, Role };

/**
 * The access check every route handler makes itself (never only a middleware: those can be
 * skipped, CVE-2025-29927). Finds the actor from an `Authorization: Bearer` API token or the
 * session cookie, reads its role from the database now (a demotion or a disabling holds on the
 * next request), and returns it if the role is at least `minimumRole`.
 *
 * Throws AppError 401 without valid credentials, 403 for a role too low, and 403 for a
 * state-changing request (POST, PUT, PATCH, DELETE) carried by the cookie from another origin.
 * Refusals of a presented credential are written to the audit log as `access.denied`.
 *
 * Call it first in a handler, before parsing the request: without credentials the answer is 401
 * whatever the body or path, and nobody anonymous learns what a valid request looks like.
 */
export async function authorize(deps: { database: Database }, request: Request, minimumRole: Role): Promise<Actor> {
  const { database } = deps;
  const resolution = await resolveActor(database, request);
  if (resolution.status === 'none') {
    throw new AppError('unauthenticated', 'Sign in, or send an API token as "Authorization: Bearer <token>"');
  }

  const target = `${request.method} ${new URL(request.url).pathname}`;
  const deny = async (actor: Actor | string, reason: string) =>
    recordAudit(database.db, { actor, action: 'access.denied', target, outcome: 'denied', after: { reason }, ...clientInfo(request) });

  if (resolution.status === 'invalid') {
    const who = resolution.label ? (resolution.via === 'bearer' ? `token:${resolution.label}` : resolution.label) : 'anonymous';
    await deny(who, resolution.reason);
    throw new AppError(
      'unauthenticated',
      resolution.via === 'bearer' ? 'The API token is unknown, revoked or expired' : 'The session has ended: sign in again',
    );
  }

  const { actor, via } = resolution;
  if (via === 'cookie' && isStateChanging(request.method)) {
    const origin = checkSameOrigin(request);
    if (!origin.ok) {
      await deny(actor, `cross_origin: ${origin.reason}`);
      throw new AppError('forbidden', `Refused a ${request.method} from another origin (${origin.reason})`);
    }
  }
  if (!roleAtLeast(actor.role, minimumRole)) {
    await deny(actor, `role ${actor.role} below ${minimumRole}`);
    throw new AppError('forbidden', `This needs the ${minimumRole} role; ${actor.label} is ${actor.role === 'admin' ? 'an' : 'a'} ${actor.role}`);
  }
  return actor;
}
