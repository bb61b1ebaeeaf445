import 'server-only';
import { type AccessRole, roleAtLeast } from '@/lib/api/auth';
import type { Database } from '../db/client';
import { sessionSecret } from './cookies';
import { resolveActor } from './resolve-actor';
import { sha256 } from './secrets';

/**
 * What a long-lived answer (an event stream) needs of the request that opened it, once authorize()
 * has let it through: a key for its session (or token), and a check, made again while it stays
 * open, that the session still exists and still has `minimumRole`.
 */
export function streamOwner(deps: { database: Database }, request: Request, minimumRole: AccessRole): { key: string; stillAllowed: () => Promise<boolean> } {
  const authorization = request.headers.get('authorization');
  const key = authorization ? `bearer:${sha256(authorization)}` : `session:${sha256(sessionSecret(request) ?? '')}`;
  // A copy of the credentials only: the original request's body and signal are not kept alive.
  const credentials = new Request(request.url, { headers: pick(request.headers, ['authorization', 'cookie']) });
  return {
    key,
    stillAllowed: async () => {
      const resolution = await resolveActor(deps.database, credentials);
      return resolution.status === 'ok' && roleAtLeast(resolution.actor.role, minimumRole) && !resolution.actor.mustChangePassword;
    },
  };
}

function pick(headers: Headers, names: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null) picked[name] = value;
  }
  return picked;
}
