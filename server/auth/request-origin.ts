import 'server-only';
import { edgeOf } from '../http/edge';
import { AppError } from '../errors';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isStateChanging(method: string): boolean {
  return STATE_CHANGING.has(method.toUpperCase());
}

/** Whether the client reached the app over HTTPS (the public origin's scheme, or a trusted proxy's word). */
export function isHttpsRequest(request: Request): boolean {
  return edgeOf(request).origin.startsWith('https:');
}

export type OriginCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether a request comes from a page of the app itself: the origin of its Origin header (or,
 * without one, of its Referer) is the app's public origin, scheme, host and port alike
 * (KILN_PUBLIC_URL, else the scheme and host a trusted proxy forwarded, else plain http and the
 * Host header). Browsers always send Origin on cross-origin POSTs and a page cannot forge it, so a
 * cookie-carrying request from another site fails here. A request with neither header is refused
 * too: no browser page sends such a state-changing request.
 */
export function checkSameOrigin(request: Request): OriginCheck {
  const origin = request.headers.get('origin');
  const referer = request.headers.get('referer');
  const source = origin ?? referer;
  const header = origin ? 'Origin' : 'Referer';
  if (!source) return { ok: false, reason: 'no Origin or Referer header' };
  let sourceOrigin: string;
  try {
    sourceOrigin = new URL(source).origin;
  } catch {
    return { ok: false, reason: `unparseable ${header} ${quote(source)}` };
  }
  const expected = edgeOf(request).origin;
  if (sourceOrigin !== expected) return { ok: false, reason: `${header} ${quote(sourceOrigin)} is not ${expected}` };
  return { ok: true };
}

/**
 * Sign-in needs no credential, so authorize() does not run; a sign-in posted by another site's
 * page (login CSRF: signing the victim into the attacker's account) is refused here instead.
 * Scripts that send no Origin may still sign in.
 */
export function assertLoginOrigin(request: Request): void {
  if (!request.headers.get('origin')) return;
  const check = checkSameOrigin(request);
  if (!check.ok) throw new AppError('forbidden', `Refused a sign-in from another origin (${check.reason})`);
}

function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
