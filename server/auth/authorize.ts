import 'server-only';
import { type AccessRole, type Actor, type Role, roleAtLeast } from '@/lib/api/auth';
import type { RefusalLog } from '../audit/refusal-log';
import { recordAudit } from '../audit/record-audit';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { AppError } from '../errors';
import { resolveEdge } from '../http/edge';
import { clientInfo } from './client-info';
import { limitMutations } from './mutation-limit';
import { checkSameOrigin, isStateChanging } from './request-origin';
import { resolveActor } from './resolve-actor';

export type { Actor, Role };

export type AuthorizeDeps = { database: Database; config: Pick<Config, 'edge' | 'mutationsPerMinute'>; refusals: RefusalLog };

/**
 * The access check every route handler makes itself (never only a middleware: those can be
 * skipped, CVE-2025-29927). Resolves where the request came from (server/http/edge.ts), finds the
 * actor from an `Authorization: Bearer` API token or the session cookie, reads its role from the
 * database now (a demotion or a disabling holds on the next request), and returns it if the role
 * is at least `minimumRole`.
 *
 * Throws AppError 401 without a valid credential, 403 for a role too low, for a state-changing
 * request (POST, PUT, PATCH, DELETE) carried by the cookie from another origin, and for an operator
 * who must first change a generated password; 429 for a change beyond the actor's per-minute limit.
 * A request without a valid credential writes nothing: it is counted (RefusalLog). Refusals of a
 * valid credential are audited as `access.denied`.
 *
 * Call it first in a handler, before parsing the request: without credentials the answer is 401
 * whatever the body or path, and nobody anonymous learns what a valid request looks like.
 */
export async function authorize(
  deps: AuthorizeDeps,
  request: Request,
  minimumRole: AccessRole,
  options: { whilePasswordChangeRequired?: boolean } = {},
): Promise<Actor> {
  const { database } = deps;
  resolveEdge(request, deps.config.edge);
  const resolution = await resolveActor(database, request);
  const target = `${request.method} ${new URL(request.url).pathname}`;
  if (resolution.status !== 'ok') {
    const reason = resolution.status === 'none' ? 'no_credential' : resolution.reason;
    deps.refusals.note(clientInfo(request).ip, reason, target);
    if (resolution.status === 'none') throw new AppError('unauthenticated', 'Sign in, or send an API token as "Authorization: Bearer <token>"');
    throw new AppError(
      'unauthenticated',
      resolution.via === 'bearer' ? 'The API token is unknown, revoked or expired, or its creator is no longer active' : 'The session has ended: sign in again',
    );
  }

  const deny = async (actor: Actor, reason: string) =>
    recordAudit(database.db, { actor, action: 'access.denied', target: target.slice(0, 200), outcome: 'denied', after: { reason }, ...clientInfo(request) });

  const { actor, via } = resolution;
  if (via === 'cookie' && isStateChanging(request.method)) {
    const origin = checkSameOrigin(request);
    if (!origin.ok) {
      await deny(actor, `cross_origin: ${origin.reason}`);
      throw new AppError('forbidden', `Refused a ${request.method} from another origin (${origin.reason})`);
    }
  }
  if (actor.mustChangePassword && !options.whilePasswordChangeRequired) {
    throw new AppError('password_change_required', 'Choose a new password first (the generated one must be changed): POST /api/auth/password', {
      status: 403,
    });
  }
  if (!roleAtLeast(actor.role, minimumRole)) {
    await deny(actor, `role ${actor.role} below ${minimumRole}`);
    throw new AppError('forbidden', `This needs the ${minimumRole} role; ${actor.label} is ${/^[aeiou]/.test(actor.role) ? 'an' : 'a'} ${actor.role}`);
  }
  if (isStateChanging(request.method) && roleAtLeast(minimumRole, 'operator')) {
    await limitMutations(database, request, actor, deps.config.mutationsPerMinute);
  }
  return actor;
}
